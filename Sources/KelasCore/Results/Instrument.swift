import Foundation

/// A survey instrument: the statements of a pre- and post-test, the answers and their scores, which statements are
/// reverse-keyed, the bands of the total, and how many answered statements make a usable score.
public struct Instrument: Sendable, Hashable, Codable {
    public struct Statement: Sendable, Hashable, Codable {
        public var id: String
        public var text: LocalizedText
        /// Agreeing is the equitable answer: its score is reversed, so a higher total is always more equitable.
        public var reversed: Bool

        public init(id: String, text: LocalizedText, reversed: Bool = false) {
            self.id = id
            self.text = text
            self.reversed = reversed
        }
    }

    /// A named range of totals (`high: 29–36`), printed with every report.
    public struct Band: Sendable, Hashable, Codable {
        public var name: LocalizedText
        public var range: ClosedRange<Double>

        public init(name: LocalizedText, range: ClosedRange<Double>) {
            self.name = name
            self.range = range
        }
    }

    public var id: String
    public var name: LocalizedText
    public var statements: [Statement]
    public var options: [AnswerOption]
    public var bands: [Band]
    /// Fewer answered statements than this: no score. At or above it, the total is pro-rated to all statements.
    public var minimumAnswered: Int

    public init(id: String, name: LocalizedText, statements: [Statement], options: [AnswerOption], bands: [Band], minimumAnswered: Int) {
        self.id = id
        self.name = name
        self.statements = statements
        self.options = options
        self.bands = bands
        self.minimumAnswered = minimumAnswered
    }

    /// The lowest and highest total.
    public var range: ClosedRange<Double> {
        let scores = options.map(\.score)
        return Double((scores.min() ?? 0) * statements.count)...Double((scores.max() ?? 0) * statements.count)
    }

    /// The parser for replies to this instrument's survey.
    public var parser: AnswerParser { AnswerParser(statementCount: statements.count, options: options) }

    /// The score of a statement's answer: the option's score, reversed on a reverse-keyed statement (min + max − score).
    public func score(statement: Int, option: Int) -> Int? {
        guard statements.indices.contains(statement), options.indices.contains(option) else { return nil }
        let score = options[option].score
        guard statements[statement].reversed else { return score }
        let scores = options.map(\.score)
        return (scores.min() ?? 0) + (scores.max() ?? 0) - score
    }

    /// A participant's score on one test.
    public struct Score: Sendable, Hashable {
        public var answered: Int
        /// The sum of the answered statements' scores.
        public var raw: Int
        /// `raw` pro-rated to all statements (raw × statements / answered), so a skipped statement does not lower it.
        public var total: Double
        /// The band the total falls in, by index in `bands`.
        public var band: Int?
    }

    /// The score of a set of answers (statement → option); nil when fewer than `minimumAnswered` were answered.
    public func score(_ answers: [Int: Int]) -> Score? {
        let scores = answers.compactMap { score(statement: $0.key, option: $0.value) }
        guard scores.count >= max(1, minimumAnswered) else { return nil }
        let raw = scores.reduce(0, +)
        let total = Double(raw) * Double(statements.count) / Double(scores.count)
        return Score(answered: scores.count, raw: raw, total: total, band: bands.firstIndex { $0.range.contains(total.rounded()) })
    }

    /// `rendah 12–20, sedang 21–28, tinggi 29–36`: the rule, as every report prints it.
    public func bandRule(_ language: Language) -> String {
        bands.map { band in
            let name = band.name[language] ?? band.name.variants.values.sorted().first ?? ""
            return "\(name) \(Self.number(band.range.lowerBound))–\(Self.number(band.range.upperBound))"
        }.joined(separator: ", ")
    }

    public static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
