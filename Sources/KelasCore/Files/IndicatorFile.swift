import Foundation

/// Reads an indicators file: named yes/no rules in a small vocabulary, every problem at its line with the fix.
///
/// ```yaml
/// indicators:
///   - id: agreement
///     name: { id: "Setuju akses yang sama (post-test)", en: "Agree on equal access (post-test)" }
///     rule:
///       answer: { test: post, statement: akses-setara, is: setuju }
///   - id: champion
///     name: { id: Calon champion, en: Future champions }
///     rule:
///       all:
///         - completed
///         - band: { test: post, is: highest }
///         - answered: last-discussion
/// ```
///
/// Rules: `completed`; `answered: ITEM` (a curriculum item id, or `last-discussion`); `score: { test, at-least: N }`;
/// `change: { at-least: N }`; `band: { test, is: NAME | highest | lowest }`; `answer: { test, statement: ID | N, is: WORD }`;
/// `all: [rules]`; `any: [rules]`. `test` is `pre` or `post`.
public enum IndicatorFile {
    /// What a rule refers to that only the store's instruments and curricula can confirm, with where it was written.
    public struct Reference: Sendable, Hashable {
        public enum Kind: Sendable, Hashable { case statement, option, band, prompt }
        public var kind: Kind
        public var value: String
        public var location: SourceLocation
    }

    public struct Loaded: Sendable {
        public var indicators: [Indicator]
        public var references: [Reference]
    }

    static let ruleKeys = ["completed", "answered", "score", "change", "band", "answer", "all", "any"]
    static let vocabulary = "completed, answered, score, change, band, answer, all, any"

    public static func load(path: String) throws(ValidationFailure) -> Loaded {
        let log = DiagnosticLog()
        guard let text = readText(path, log: log) else { throw ValidationFailure(log.sorted) }
        let loaded = decode(text, file: path, log: log)
        guard let loaded, !log.hasErrors else { throw ValidationFailure(log.sorted) }
        return loaded
    }

    public static func decode(_ text: String, file: String, log: DiagnosticLog) -> Loaded? {
        let errors = log.diagnostics.count { $0.severity == .error }
        guard let root = YAMLDocument.parse(text, file: file, log: log),
              let top = MappingReader(root, what: "the indicators file", allowed: ["indicators"], log: log) else { return nil }
        var references: [Reference] = []
        var indicators: [Indicator] = []
        var seen: Set<String> = []
        let texts = TextReader(languages: Language.allCases, log: log)
        let items = top.list("indicators", required: true, example: "[{ id: agreement, name: { id: …, en: … }, rule: { answer: … } }]") ?? []
        if items.isEmpty, top.has("indicators") {
            log.error(root.location, "the file lists no indicators", fix: "add at least one `- id: … name: … rule: …` entry")
        }
        for item in items {
            guard let reader = MappingReader(item, what: "an indicator", allowed: ["id", "name", "rule"], log: log) else { continue }
            let id = reader.string("id", required: true, example: "agreement")
            if let (key, location) = id {
                if !key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                    log.error(location, "an indicator id is one word of letters, digits, `-` or `_`, found `\(key)`",
                              fix: "write it like `id: champion` (it names the column of `kelas results`)")
                } else if !seen.insert(key).inserted {
                    log.error(location, "indicator `\(key)` appears twice", fix: "give each indicator its own id")
                }
            }
            let name = reader.node("name", required: true, example: "{ id: \"Calon champion\", en: \"Future champions\" }")
                .flatMap { texts.read($0, what: "the name", limit: 200) }
            let rule = reader.node("rule", required: true, example: "{ answer: { test: post, statement: akses-setara, is: setuju } }")
                .flatMap { self.rule($0, log: log, references: &references) }
            if let (key, _) = id, let name, let rule { indicators.append(Indicator(id: key, name: name, rule: rule)) }
        }
        guard log.diagnostics.count(where: { $0.severity == .error }) == errors else { return nil }
        return Loaded(indicators: indicators, references: references)
    }

    static func rule(_ node: YAMLNode, log: DiagnosticLog, references: inout [Reference]) -> IndicatorRule? {
        if let word = node.scalar {
            if word == "completed" { return .completed }
            let guess = closestMatch(to: word, in: ruleKeys).map { "did you mean `\($0)`? " } ?? ""
            log.error(node.location, "unknown rule `\(word)`", fix: guess + "the rules are \(vocabulary); all but `completed` take a value")
            return nil
        }
        guard case .mapping(let pairs) = node.value else {
            log.error(node.location, "a rule must be `completed` or one `key: value`, found \(node.kindName)",
                      fix: "write e.g. `band: { test: post, is: highest }`; the rules are \(vocabulary)")
            return nil
        }
        guard pairs.count == 1, let pair = pairs.first else {
            log.error(node.location, "a rule has exactly one key, found \(pairs.count)",
                      fix: "to require several, list them under `all:`; for one of several, under `any:`")
            return nil
        }
        guard let key = pair.key.scalar, ruleKeys.contains(key) else {
            let word = pair.key.scalar ?? "?"
            let guess = closestMatch(to: word, in: ruleKeys).map { "did you mean `\($0)`? " } ?? ""
            log.error(pair.key.location, "unknown rule `\(word)`", fix: guess + "the rules are \(vocabulary)")
            return nil
        }
        let value = pair.value
        switch key {
        case "completed":
            log.error(pair.key.location, "`completed` takes no value", fix: "write `- completed` on its own")
            return nil
        case "answered":
            guard let item = value.scalar, !item.isEmpty else {
                log.error(value.location, "`answered` names one prompt, found \(value.kindName)",
                          fix: "write `answered: rtl` (a curriculum item id) or `answered: last-discussion`")
                return nil
            }
            if item != IndicatorRule.lastDiscussion { references.append(Reference(kind: .prompt, value: item, location: value.location)) }
            return .answered(item)
        case "all", "any":
            guard case .sequence(let items) = value.value, !items.isEmpty else {
                log.error(value.location, "`\(key)` takes a list of rules, found \(value.kindName)",
                          fix: "write each rule on its own line starting with `- `")
                return nil
            }
            let rules = items.map { rule($0, log: log, references: &references) }
            let kept = rules.compactMap { $0 }
            guard kept.count == rules.count else { return nil }
            return key == "all" ? .all(kept) : .any(kept)
        default:
            let allowed = ["score": ["test", "at-least"], "change": ["at-least"], "band": ["test", "is"],
                           "answer": ["test", "statement", "is"]][key] ?? []
            guard let reader = MappingReader(value, what: "`\(key)`", allowed: allowed, log: log) else { return nil }
            var test: SurveyKind?
            if allowed.contains("test"), let (text, location) = reader.string("test", required: true, example: "post") {
                test = SurveyKind(rawValue: text)
                if test == nil { log.error(location, "`test` is `pre` or `post`, found `\(text)`", fix: "write `test: post`") }
            }
            var threshold: Double?
            if allowed.contains("at-least"), let (text, location) = reader.string("at-least", required: true, example: "29") {
                threshold = Double(text.replacingOccurrences(of: ",", with: "."))
                if threshold?.isFinite != true {
                    threshold = nil
                    log.error(location, "`at-least` must be a number, found `\(text)`", fix: "write it like `at-least: 29`")
                }
            }
            switch key {
            case "score":
                guard let test, let threshold else { return nil }
                return .score(test, atLeast: threshold)
            case "change":
                guard let threshold else { return nil }
                return .change(atLeast: threshold)
            case "band":
                guard let (band, location) = reader.string("is", required: true, example: "highest"), let test else { return nil }
                if band != "highest" && band != "lowest" { references.append(Reference(kind: .band, value: band, location: location)) }
                return .band(test, band)
            default:
                let statement = reader.string("statement", required: true, example: "akses-setara")
                let option = reader.string("is", required: true, example: "setuju")
                guard let test, let statement, let option else { return nil }
                references.append(Reference(kind: .statement, value: statement.0, location: statement.1))
                references.append(Reference(kind: .option, value: option.0, location: option.1))
                return .answer(test, statement: statement.0, option: option.0)
            }
        }
    }

    /// Checks what the rules name against the instruments and prompts in use: a statement, option or band no instrument
    /// has, or a prompt no curriculum has, is an error at its line — it would silently never hold.
    public static func check(_ loaded: Loaded, instruments: [Instrument], prompts: Set<String>, log: DiagnosticLog) {
        guard !instruments.isEmpty || !prompts.isEmpty else { return }
        for reference in loaded.references {
            switch reference.kind {
            case .statement:
                guard !instruments.isEmpty, !instruments.contains(where: { $0.statementIndex(reference.value) != nil }) else { continue }
                let ids = instruments.flatMap { $0.statements.map(\.id) }
                let guess = closestMatch(to: reference.value, in: ids).map { "did you mean `\($0)`? " } ?? ""
                log.error(reference.location, "no instrument in use has a statement `\(reference.value)`",
                          fix: guess + "name a statement by its id or number; \(instruments.map(\.id).joined(separator: ", ")) has: "
                            + ids.prefix(20).joined(separator: ", "))
            case .option:
                guard !instruments.isEmpty, !instruments.contains(where: { $0.optionIndex(reference.value) != nil }) else { continue }
                let labels = instruments.flatMap { $0.options.compactMap { $0.label[.id] ?? $0.label[.en] } }
                log.error(reference.location, "no instrument in use has an answer `\(reference.value)`",
                          fix: "name an option by one of its words or labels: " + labels.joined(separator: ", "))
            case .band:
                guard !instruments.isEmpty, !instruments.contains(where: { $0.band(named: reference.value) != nil }) else { continue }
                log.error(reference.location, "no instrument in use has a band `\(reference.value)`",
                          fix: "write `highest`, `lowest` or one of: " + instruments.map { $0.bandRule(.en) }.joined(separator: "; "))
            case .prompt:
                guard !prompts.isEmpty, !prompts.contains(reference.value) else { continue }
                let guess = closestMatch(to: reference.value, in: Array(prompts)).map { "did you mean `\($0)`? " } ?? ""
                log.error(reference.location, "no batch has a prompt `\(reference.value)`",
                          fix: guess + "name a discussion or survey by its curriculum item id, or write `last-discussion`")
            }
        }
    }
}
