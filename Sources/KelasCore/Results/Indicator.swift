import Foundation

/// An outcome indicator: a named yes/no rule over a participant's results, counted per group. Declarative — a small
/// vocabulary an M&E officer writes in an indicators file (see `IndicatorFile`), no scripting.
public struct Indicator: Sendable, Hashable, Codable {
    public var id: String
    public var name: LocalizedText
    public var rule: IndicatorRule

    public init(id: String, name: LocalizedText, rule: IndicatorRule) {
        self.id = id
        self.name = name
        self.rule = rule
    }

    /// The programme's two: agreement on equal access to resources, and reliable future champions.
    public static let defaults: [Indicator] = [
        Indicator(id: "agreement", name: LocalizedText([.id: "Setuju akses yang sama atas sumber daya (post-test)",
                                                        .en: "Agree on equal access to resources (post-test)"]),
                  rule: .answer(.post, statement: BuiltinInstruments.equalAccess, option: "setuju")),
        Indicator(id: "champion", name: LocalizedText([.id: "Calon champion yang andal", .en: "Reliable future champions"]),
                  rule: .all([.completed, .band(.post, "highest"), .answered(IndicatorRule.lastDiscussion)])),
    ]

    public func name(_ language: Language) -> String { name[language] ?? name.variants.values.sorted().first ?? id }
}

/// The vocabulary of indicator rules. A rule about a test the participant did not take (or a statement they did not
/// answer) does not hold; those participants are also outside the indicator's *tested* denominator.
public indirect enum IndicatorRule: Sendable, Hashable, Codable {
    /// Completed the batch (its completion rule).
    case completed
    /// Answered a prompt: a curriculum item id, or `last-discussion`.
    case answered(String)
    /// The test's total (pro-rated) is at least N.
    case score(SurveyKind, atLeast: Double)
    /// Post − pre is at least N (both tests scored).
    case change(atLeast: Double)
    /// The test's total falls in the band with this name (either language), or `highest` / `lowest`.
    case band(SurveyKind, String)
    /// The answer to a statement (its id, or its number from 1) is the option with this word (`setuju`, `agree`, `s`…).
    case answer(SurveyKind, statement: String, option: String)
    case all([IndicatorRule])
    case any([IndicatorRule])

    public static let lastDiscussion = "last-discussion"

    /// The rule with every `post` test read as `pre`, when it is only about the post-test's answers, score or band: the
    /// same indicator before the training, for McNemar's test. Nil for rules about completion, prompts or change.
    public var onPre: IndicatorRule? {
        switch self {
        case .completed, .answered, .change: nil
        case .score(let test, let n): test == .post ? .score(.pre, atLeast: n) : nil
        case .band(let test, let name): test == .post ? .band(.pre, name) : nil
        case .answer(let test, let statement, let option): test == .post ? .answer(.pre, statement: statement, option: option) : nil
        case .all(let rules): Self.each(rules).map { .all($0) }
        case .any(let rules): Self.each(rules).map { .any($0) }
        }
    }

    private static func each(_ rules: [IndicatorRule]) -> [IndicatorRule]? {
        var out: [IndicatorRule] = []
        for rule in rules {
            guard let pre = rule.onPre else { return nil }
            out.append(pre)
        }
        return out.isEmpty ? nil : out
    }

    /// How the rule reads in a report; with the instrument, an option reads as its label in the language.
    public func describe(_ language: Language, instrument: Instrument? = nil) -> String {
        let id = language == .id
        func test(_ kind: SurveyKind) -> String { kind == .pre ? "pre-test" : "post-test" }
        switch self {
        case .completed: return id ? "menyelesaikan pelatihan" : "completed"
        case .answered(let key):
            if key == Self.lastDiscussion { return id ? "menjawab diskusi terakhir (RTL)" : "answered the last discussion (RTL)" }
            return id ? "menjawab `\(key)`" : "answered `\(key)`"
        case .score(let kind, let n): return id ? "skor \(test(kind)) ≥ \(Instrument.number(n))" : "\(test(kind)) score ≥ \(Instrument.number(n))"
        case .change(let n): return id ? "perubahan post − pre ≥ \(Instrument.number(n))" : "change post − pre ≥ \(Instrument.number(n))"
        case .band(let kind, let name):
            let band = name == "highest" ? (id ? "tertinggi" : "the highest") : name == "lowest" ? (id ? "terendah" : "the lowest") : "`\(name)`"
            return id ? "skor \(test(kind)) di kategori \(band)" : "\(test(kind)) score in \(band) band"
        case .answer(let kind, let statement, let option):
            let label = instrument?.optionIndex(option).flatMap { instrument?.options[$0].label[language] } ?? option
            return id ? "jawaban \(test(kind)) atas `\(statement)` adalah \(label)" : "the \(test(kind)) answer to `\(statement)` is \(label)"
        case .all(let rules): return rules.map { $0.nested(language, instrument) }.joined(separator: id ? " dan " : " and ")
        case .any(let rules): return rules.map { $0.nested(language, instrument) }.joined(separator: id ? " atau " : " or ")
        }
    }

    private func nested(_ language: Language, _ instrument: Instrument?) -> String {
        switch self {
        case .all, .any: "(" + describe(language, instrument: instrument) + ")"
        default: describe(language, instrument: instrument)
        }
    }
}

/// An indicator's rule bound to one instrument: statement, option and band looked up once, not per participant.
struct ResolvedRule: Sendable {
    indirect enum Node: Sendable {
        case completed
        case answered(String)
        case score(SurveyKind, Double)
        case change(Double)
        /// A band (the range of totals); nil when the instrument has no band of that name.
        case band(SurveyKind, ClosedRange<Double>?)
        /// Statement and option indexes; nil when the instrument has no such statement or option.
        case answer(SurveyKind, statement: Int?, option: Int?)
        case all([Node])
        case any([Node])
    }

    let node: Node

    init(_ rule: IndicatorRule, instrument: Instrument?) {
        node = Self.resolve(rule, instrument)
    }

    static func resolve(_ rule: IndicatorRule, _ instrument: Instrument?) -> Node {
        switch rule {
        case .completed: return .completed
        case .answered(let key): return .answered(key)
        case .score(let test, let n): return .score(test, n)
        case .change(let n): return .change(n)
        case .band(let test, let name): return .band(test, instrument?.band(named: name)?.range)
        case .answer(let test, let statement, let option):
            return .answer(test, statement: instrument?.statementIndex(statement), option: instrument?.optionIndex(option))
        case .all(let rules): return .all(rules.map { resolve($0, instrument) })
        case .any(let rules): return .any(rules.map { resolve($0, instrument) })
        }
    }

    /// Whether the participant has what the rule looks at: every test it names scored (for an answer, that statement
    /// answered). Completion and prompts are known for everyone.
    func tested(_ participant: ParticipantResult) -> Bool { Self.tested(node, participant) }

    func holds(_ participant: ParticipantResult) -> Bool { Self.holds(node, participant) }

    private static func reading(_ test: SurveyKind, _ participant: ParticipantResult) -> SurveyReading? {
        test == .pre ? participant.pre : participant.post
    }

    private static func tested(_ node: Node, _ participant: ParticipantResult) -> Bool {
        switch node {
        case .completed, .answered: true
        case .score(let test, _), .band(let test, _): reading(test, participant)?.score != nil
        case .change: participant.pre?.score != nil && participant.post?.score != nil
        case .answer(let test, let statement, _): statement.flatMap { reading(test, participant)?.answers[$0] } != nil
        case .all(let nodes), .any(let nodes): nodes.allSatisfy { tested($0, participant) }
        }
    }

    private static func holds(_ node: Node, _ participant: ParticipantResult) -> Bool {
        switch node {
        case .completed: return participant.completed
        case .answered(let key):
            let prompt = key == IndicatorRule.lastDiscussion ? participant.lastDiscussion : key
            return prompt.map { participant.answeredPrompts.contains($0) } ?? false
        case .score(let test, let n):
            guard let total = reading(test, participant)?.score?.total else { return false }
            return total.rounded() >= n
        case .change(let n):
            guard let before = participant.pre?.score?.total, let after = participant.post?.score?.total else { return false }
            return after - before >= n
        case .band(let test, let range):
            guard let range, let total = reading(test, participant)?.score?.total else { return false }
            return range.contains(total.rounded())
        case .answer(let test, let statement, let option):
            guard let statement, let option, let chosen = reading(test, participant)?.answers[statement] else { return false }
            return chosen == option
        case .all(let nodes): return nodes.allSatisfy { holds($0, participant) }
        case .any(let nodes): return nodes.contains { holds($0, participant) }
        }
    }
}

extension Instrument {
    /// A statement by its id, or by its number from 1.
    public func statementIndex(_ reference: String) -> Int? {
        if let index = statements.firstIndex(where: { $0.id == reference }) { return index }
        if let number = Int(reference), statements.indices.contains(number - 1) { return number - 1 }
        return nil
    }

    /// An option by one of its words or its label in either language (`setuju`, `agree`, `s`).
    public func optionIndex(_ word: String) -> Int? {
        let normalised = AnswerParser.normalise(word)
        return options.firstIndex { option in
            option.words.contains(normalised) || option.label.variants.values.contains { AnswerParser.normalise($0) == normalised }
        }
    }

    /// A band by its name in either language, or `highest` / `lowest`.
    public func band(named name: String) -> Band? {
        switch name {
        case "highest": return bands.max { $0.range.lowerBound < $1.range.lowerBound }
        case "lowest": return bands.min { $0.range.lowerBound < $1.range.lowerBound }
        default:
            let wanted = AnswerParser.normalise(name)
            return bands.first { band in band.name.variants.values.contains { AnswerParser.normalise($0) == wanted } }
        }
    }
}
