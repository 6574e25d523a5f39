import Foundation

/// How `kelas results` groups participants.
public enum ResultsGrouping: String, Sendable, CaseIterable, Codable {
    case batch, district, programme, year, disability, trainer
    /// Twelve-month periods from the month the programme's first batch started: year 1, year 2, …
    case programmeYear = "programme-year"
}

/// One participant's results: who they are (for grouping), whether they completed, and their pre- and post-test.
public struct ParticipantResult: Sendable, Hashable {
    public var batch: String
    public var phone: String
    public var name: String
    public var district: String
    public var programme: String
    /// The day the batch started.
    public var start: LocalDate
    /// The calendar year the batch started.
    public var year: Int { start.year }
    /// Any Washington Group domain in the participants file.
    public var withDisability: Bool
    public var trainers: [String]
    public var completed: Bool
    /// The prompts (curriculum item ids) they answered: replied, by voice note, discussed or phoned.
    public var answeredPrompts: Set<String>
    /// The batch's last discussion: the follow-up plan (RTL) in the built-in curriculum.
    public var lastDiscussion: String?
    public var instrument: Instrument?
    public var pre: SurveyReading?
    public var post: SurveyReading?

    public init(batch: String, phone: String, name: String, district: String, programme: String, start: LocalDate, withDisability: Bool,
                trainers: [String], completed: Bool, answeredPrompts: Set<String>, lastDiscussion: String?, instrument: Instrument?,
                pre: SurveyReading?, post: SurveyReading?) {
        self.batch = batch
        self.phone = phone
        self.name = name
        self.district = district
        self.programme = programme
        self.start = start
        self.withDisability = withDisability
        self.trainers = trainers
        self.completed = completed
        self.answeredPrompts = answeredPrompts
        self.lastDiscussion = lastDiscussion
        self.instrument = instrument
        self.pre = pre
        self.post = post
    }

    func groups(_ grouping: ResultsGrouping, first: LocalDate? = nil, language: Language = .en) -> [String] {
        switch grouping {
        case .programmeYear:
            guard let first else { return [String(year)] }
            let months = (start.year - first.year) * 12 + start.month - first.month
            let number = months / 12
            let from = (first.year * 12 + first.month - 1) + number * 12, to = from + 11
            func month(_ index: Int) -> String {
                let names = language == .id ? ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
                    : ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                return "\(names[index % 12]) \(index / 12)"
            }
            return ["\(language == .id ? "Tahun" : "Year") \(number + 1) (\(month(from)) – \(month(to)))"]
        case .batch: return [batch]
        case .district: return [district]
        case .programme: return [programme]
        case .year: return [String(year)]
        case .disability: return [withDisability ? "with disability" : "without disability"]
        case .trainer: return trainers.isEmpty ? ["(no trainer)"] : trainers
        }
    }
}

/// One group's results. Counts are of participants; every percentage says its denominator.
public struct ResultsRow: Sendable, Equatable, Codable {
    public var group: String
    public var registered = 0
    public var tookPre = 0
    public var tookPost = 0
    /// Scored on both tests: the pairs of the change.
    public var both = 0
    public var meanPre: Double?
    public var meanPost: Double?
    /// Post − pre of those with both: mean, 95 % interval, d_z, improved / unchanged / declined.
    public var change: Statistics.PairedChange?
    public var completed = 0
    /// Each indicator, in the order they were given.
    public var indicators: [IndicatorCount] = []

    /// The count of the indicator with this id (0 when there is none).
    public func count(_ indicator: String) -> IndicatorCount {
        indicators.first { $0.id == indicator } ?? IndicatorCount(id: indicator, name: indicator)
    }

    public init(group: String) {
        self.group = group
    }

    public static func percent(_ count: Int, of total: Int) -> Double? {
        total == 0 ? nil : (Double(count) * 1000 / Double(total)).rounded() / 10
    }
}


/// One indicator in one group: how many it holds for, of how many tested, and (for a rule about the post-test alone)
/// the same rule before and after.
public struct IndicatorCount: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var count = 0
    /// Those who took what the rule looks at (see `IndicatorRule`): the second denominator.
    public var tested = 0
    /// Before → after, of those tested both times, when the rule is about the post-test alone.
    public var change: Statistics.McNemar?

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// The programme's results by a grouping, with a total that counts each participant once.
public struct ProgrammeResults: Sendable, Equatable, Codable {
    public var by: ResultsGrouping
    public var denominator = "registered participants"
    /// The rules the figures follow, printed with every report: the instruments' (`instrumentRules`), then each indicator's.
    public var rules: [String]
    /// How each instrument scores: totals, bands, the minimum answered.
    public var instrumentRules: [String]
    public var rows: [ResultsRow]
    public var total: ResultsRow

    /// The indicators counted, in order (defaults: the programme's agreement and champion).
    public var indicators: [Indicator]

    public init(_ participants: [ParticipantResult], by grouping: ResultsGrouping, indicators: [Indicator] = Indicator.defaults,
                language: Language = .en) {
        by = grouping
        self.indicators = indicators
        var groups: [String: [ParticipantResult]] = [:]
        var order: [String] = []
        let first = participants.lazy.map(\.start).min()
        for participant in participants {
            for group in participant.groups(grouping, first: first, language: language) {
                if groups[group] == nil { order.append(group) }
                groups[group, default: []].append(participant)
            }
        }
        if grouping != .batch { order.sort() }
        // One of each instrument, by id (hashing whole instruments per participant would be slow).
        var byID: [String: Instrument] = [:]
        for participant in participants { if let instrument = participant.instrument, byID[instrument.id] == nil { byID[instrument.id] = instrument } }
        let evaluator = IndicatorEvaluator(indicators, instruments: byID, language: language)
        rows = order.map { Self.row($0, groups[$0] ?? [], evaluator) }
        total = Self.row("TOTAL", participants, evaluator)
        let instruments = byID.values.sorted { $0.id < $1.id }
        let id = language == .id
        instrumentRules = instruments.map { instrument in
            let range = "\(Instrument.number(instrument.range.lowerBound))–\(Instrument.number(instrument.range.upperBound))"
            return id ? "\(instrument.id): total \(range), kategori \(instrument.bandRule(language)); skor perlu \(instrument.minimumAnswered) "
                + "dari \(instrument.statements.count) pernyataan dijawab (disesuaikan secara proporsional)"
                : "\(instrument.id): totals \(range), bands \(instrument.bandRule(language)), a score needs \(instrument.minimumAnswered) "
                + "of \(instrument.statements.count) statements (pro-rated)"
        }
        rules = instrumentRules + indicators.map { "\($0.id): \($0.rule.describe(language, instrument: instruments.count == 1 ? instruments.first : nil))" }
    }

    static func row(_ group: String, _ participants: [ParticipantResult], _ evaluator: IndicatorEvaluator) -> ResultsRow {
        var row = ResultsRow(group: group)
        row.registered = participants.count
        let pre = participants.compactMap { $0.pre?.score?.total }
        let post = participants.compactMap { $0.post?.score?.total }
        row.tookPre = pre.count
        row.tookPost = post.count
        row.meanPre = Statistics.mean(pre)
        row.meanPost = Statistics.mean(post)
        let pairs = participants.compactMap { participant -> (pre: Double, post: Double)? in
            guard let before = participant.pre?.score?.total, let after = participant.post?.score?.total else { return nil }
            return (before, after)
        }
        row.both = pairs.count
        row.change = Statistics.pairedChange(pairs)
        row.indicators = evaluator.count(participants)
        row.completed = participants.count { $0.completed }
        return row
    }
}

/// Counts indicators over participants, with each rule bound once per instrument.
struct IndicatorEvaluator {
    struct Bound {
        var after: ResolvedRule
        var before: ResolvedRule?
    }

    let indicators: [Indicator]
    let names: [String]
    /// Per instrument id (and "" for participants without one), per indicator.
    let bound: [String: [Bound]]

    init(_ indicators: [Indicator], instruments: [String: Instrument], language: Language) {
        self.indicators = indicators
        names = indicators.map { $0.name(language) }
        func bind(_ instrument: Instrument?) -> [Bound] {
            indicators.map { Bound(after: ResolvedRule($0.rule, instrument: instrument), before: $0.rule.onPre.map { ResolvedRule($0, instrument: instrument) }) }
        }
        var bound = instruments.mapValues { bind($0) }
        bound[""] = bind(nil)
        self.bound = bound
    }

    /// Whether each indicator holds for one participant, in order.
    func holds(_ participant: ParticipantResult) -> [Bool] {
        (bound[participant.instrument?.id ?? ""] ?? []).map { $0.after.holds(participant) }
    }

    func count(_ participants: [ParticipantResult]) -> [IndicatorCount] {
        var counts = zip(indicators, names).map { IndicatorCount(id: $0.id, name: $1) }
        var discordant = Array(repeating: (b: 0, c: 0, paired: false), count: indicators.count)
        for participant in participants {
            guard let rules = bound[participant.instrument?.id ?? ""] else { continue }
            for (index, rule) in rules.enumerated() {
                let tested = rule.after.tested(participant)
                let holds = rule.after.holds(participant)
                if tested { counts[index].tested += 1 }
                if holds { counts[index].count += 1 }
                if let before = rule.before, tested, before.tested(participant) {
                    let held = before.holds(participant)
                    discordant[index].paired = true
                    if held && !holds { discordant[index].b += 1 }
                    if !held && holds { discordant[index].c += 1 }
                }
            }
        }
        for index in counts.indices where discordant[index].paired {
            counts[index].change = Statistics.mcNemar(b: discordant[index].b, c: discordant[index].c)
        }
        return counts
    }
}
