import Foundation

/// The parameters of a simulated week: how participants and trainers behave, and how outcomes follow from
/// engagement. Every default rests on a figure of `shared/domain.md` (see the README's simulator section); a scenario
/// file overrides any of them.
public struct Scenario: Sendable, Equatable {
    /// A log-normal delay: half of the delays are shorter than `median`; `spread` is the sigma of its logarithm.
    public struct Delay: Sendable, Equatable {
        public var median: TimeInterval
        public var spread: Double
        public init(median: TimeInterval, spread: Double) { self.median = median; self.spread = spread }
    }

    // Participants
    /// Chance that a participant of average propensity answers a prompt on their own, before any reminder or call.
    public var answer = 0.85
    /// How much participants differ: the standard deviation of their propensity on the log-odds scale.
    public var spread = 1.0
    /// Share of answers sent as voice notes (blind participants: 0.9, deaf participants: 0).
    public var voice = 0.3
    /// Time from a prompt to the answer.
    public var latency = Delay(median: 90 * 60, spread: 1.0)
    /// Chance that a participant is offline for a whole day (low connectivity): no messages that day.
    public var offline = 0.05
    /// Chance each day that a participant stops for good.
    public var dropout = 0.02
    /// Chance that a participant still silent when a reminder goes out answers because of it.
    public var reminder = 0.36
    /// Chance that a trainer's phone call reaches a silent participant and they talk the session through (a mark).
    public var call = 0.5
    /// Follow-up messages after an answer, for the most vocal participant (others: less, by Zipf weight).
    public var chatter = 2.0
    /// Zipf exponent of how vocal participants are: higher, a few dominate more.
    public var vocal = 1.0
    /// Relative activity in each hour of the local day, 0–23 (WIB: morning and evening peaks, quiet at night).
    public var rhythm: [Double] = Scenario.wibRhythm

    // Trainers
    /// Chance that a trainer takes up an answer (mentions the participant: the discussion becomes `discussed`).
    public var reply = 0.8
    public var trainerDelay = Delay(median: 30 * 60, spread: 0.8)
    /// Whether trainers phone those still silent on a discussion at the end of its day.
    public var calls = true

    /// Chance that a trainer types a survey reply the results could not read (a voice note, an unclear reply) from the
    /// note or a call back (`kelas results set`).
    public var transcribe = 0.9
    /// Chance that a trainer's call reaches a participant with no readable answers to a survey and takes them by phone.
    public var surveyCall = 0.75

    // Attitudes: what participants answer to a scored survey (an ordered-logit draw per statement, see `SurveyWriting`)
    /// Attitude before the week, on the log-odds scale of the equitable answer: normal with this mean and sd.
    public var attitudeMean = -0.3
    public var attitudeSD = 1.0
    /// Attitude at the post-test = before + gainBase + gainPerEngagement × e, where e is the share of the week's
    /// discussions they took part in (answered, or talked through on a call) before it.
    public var gainBase = 0.5
    public var gainPerEngagement = 1.5
    /// Half the width of the middle answer (ragu-ragu) on the latent scale.
    public var unsure = 0.8
    /// Added to the attitude for a statement phrased equitably (reverse-keyed: agreeing is equitable), and for one phrased
    /// inequitably: people agree readily with equal rights, and let go of a traditional role less readily.
    public var equitableEase = 3.5
    public var inequitableEase = -1.25

    /// WIB hourly activity: quiet 23:00–05:00, a morning peak 06:00–08:00, an evening peak 19:00–22:00 (domain.md).
    public static let wibRhythm: [Double] = [0.05, 0.03, 0.03, 0.05, 0.15, 0.4, 1.0, 1.0, 0.7, 0.6, 0.6, 0.55,
                                             0.5, 0.55, 0.5, 0.5, 0.55, 0.45, 0.35, 1.2, 1.3, 1.2, 0.5, 0.15]

    public init() {}
}

/// Reads a scenario YAML file, with file:line errors for every bad value.
public enum ScenarioFile {
    static let topKeys = ["participants", "trainers", "attitudes"]
    static let participantKeys = ["answer", "spread", "voice", "latency", "offline", "dropout", "reminder", "call", "chatter", "vocal", "rhythm"]
    static let trainerKeys = ["reply", "delay", "calls", "transcribe", "survey-call"]
    static let attitudeKeys = ["mean", "sd", "gain-base", "gain-per-engagement", "unsure", "equitable-ease", "inequitable-ease"]

    public static func load(path: String) throws(ValidationFailure) -> Scenario {
        let log = DiagnosticLog()
        guard let text = readText(path, log: log) else { throw ValidationFailure(log.sorted) }
        let scenario = decode(text, file: path, log: log)
        if log.hasErrors { throw ValidationFailure(log.sorted) }
        return scenario
    }

    public static func decode(_ text: String, file: String, log: DiagnosticLog) -> Scenario {
        var scenario = Scenario()
        guard let root = YAMLDocument.parse(text, file: file, log: log),
              let top = MappingReader(root, what: Phrase("what.scenario"), allowed: topKeys, log: log) else { return scenario }
        if let node = top.node("participants"), let reader = MappingReader(node, what: .verbatim("`participants`"), allowed: participantKeys, log: log) {
            let values = ValueReader(reader: reader, log: log)
            values.probability("answer", into: &scenario.answer)
            values.number("spread", in: 0...5, into: &scenario.spread)
            values.probability("voice", into: &scenario.voice)
            values.delay("latency", into: &scenario.latency)
            values.probability("offline", into: &scenario.offline)
            values.probability("dropout", into: &scenario.dropout)
            values.probability("reminder", into: &scenario.reminder)
            values.probability("call", into: &scenario.call)
            values.number("chatter", in: 0...50, into: &scenario.chatter)
            values.number("vocal", in: 0...5, into: &scenario.vocal)
            if let nodes = reader.list("rhythm") {
                let hours = nodes.compactMap { node -> Double? in
                    guard let text = node.scalar, let value = Double(text), value >= 0 else {
                        log.error(node.location, "scenario.hour", parts: ["found": node.shown])
                        return nil
                    }
                    return value
                }
                if nodes.count != 24 {
                    log.error(reader.keyLocation("rhythm"), "scenario.rhythm", ["count": String(nodes.count)])
                } else if hours.count == 24 {
                    if hours.allSatisfy({ $0 == 0 }) {
                        log.error(reader.keyLocation("rhythm"), "scenario.rhythmZero")
                    } else {
                        scenario.rhythm = hours
                    }
                }
            }
        }
        if let node = top.node("trainers"), let reader = MappingReader(node, what: .verbatim("`trainers`"), allowed: trainerKeys, log: log) {
            let values = ValueReader(reader: reader, log: log)
            values.probability("reply", into: &scenario.reply)
            values.delay("delay", into: &scenario.trainerDelay)
            values.probability("transcribe", into: &scenario.transcribe)
            values.probability("survey-call", into: &scenario.surveyCall)
            if let (text, location) = reader.string("calls") {
                switch text.lowercased() {
                case "true", "yes", "on": scenario.calls = true
                case "false", "no", "off": scenario.calls = false
                default: log.error(location, "scenario.calls", ["found": text])
                }
            }
        }
        if let node = top.node("attitudes"), let reader = MappingReader(node, what: .verbatim("`attitudes`"), allowed: attitudeKeys, log: log) {
            let values = ValueReader(reader: reader, log: log)
            values.number("mean", in: -10...10, into: &scenario.attitudeMean)
            values.number("sd", in: 0...10, into: &scenario.attitudeSD)
            values.number("gain-base", in: -10...10, into: &scenario.gainBase)
            values.number("gain-per-engagement", in: -10...10, into: &scenario.gainPerEngagement)
            values.number("unsure", in: 0...10, into: &scenario.unsure)
            values.number("equitable-ease", in: -10...10, into: &scenario.equitableEase)
            values.number("inequitable-ease", in: -10...10, into: &scenario.inequitableEase)
        }
        return scenario
    }

    /// Numbers, probabilities and durations of one mapping, each checked against its range.
    struct ValueReader {
        let reader: MappingReader
        let log: DiagnosticLog

        func number(_ key: String, in range: ClosedRange<Double>, into value: inout Double) {
            guard let (text, location) = reader.string(key) else { return }
            guard let number = Double(text), number.isFinite else {
                log.error(location, "scenario.number", ["key": key, "found": text, "example": "\(value)"])
                return
            }
            guard range.contains(number) else {
                log.error(location, "scenario.range", ["key": key, "low": "\(range.lowerBound)", "high": "\(range.upperBound)", "found": text,
                                                     "default": "\(value)"])
                return
            }
            value = number
        }

        func probability(_ key: String, into value: inout Double) {
            guard let (text, location) = reader.string(key) else { return }
            var number = Double(text.hasSuffix("%") ? String(text.dropLast()) : text)
            if text.hasSuffix("%") { number = number.map { $0 / 100 } }
            guard let number, (0...1).contains(number) else {
                log.error(location, "scenario.probability", ["key": key, "found": text, "example": "\(value)", "percent": "\(Int((value * 100).rounded()))%"])
                return
            }
            value = number
        }

        func delay(_ key: String, into value: inout Scenario.Delay) {
            guard let node = reader.node(key),
                  let inner = MappingReader(node, what: .verbatim("`\(key)`"), allowed: ["median", "spread"], log: log) else { return }
            if let (text, location) = inner.string("median") {
                if let seconds = ScenarioFile.duration(text), seconds > 0 { value.median = seconds } else {
                    log.error(location, "scenario.median", ["found": text, "example": "\(Int(value.median / 60))m"])
                }
            }
            ValueReader(reader: inner, log: log).number("spread", in: 0...5, into: &value.spread)
        }
    }

    /// `45s`, `90m`, `2h`, `1h30m` → seconds.
    static func duration(_ text: String) -> TimeInterval? {
        var total = 0.0
        var digits = ""
        var sawUnit = false
        for character in text.lowercased() where character != " " {
            if character.isNumber || character == "." { digits.append(character); continue }
            guard let number = Double(digits) else { return nil }
            switch character {
            case "s": total += number
            case "m": total += number * 60
            case "h": total += number * 3600
            case "d": total += number * 86_400
            default: return nil
            }
            digits = ""
            sawUnit = true
        }
        return digits.isEmpty && sawUnit ? total : nil
    }
}
