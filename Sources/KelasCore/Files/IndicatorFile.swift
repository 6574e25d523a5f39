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
              let top = MappingReader(root, what: Phrase("what.indicatorsFile"), allowed: ["indicators"], log: log) else { return nil }
        var references: [Reference] = []
        var indicators: [Indicator] = []
        var seen: Set<String> = []
        let texts = TextReader(languages: Language.allCases, log: log)
        let items = top.list("indicators", required: true, example: "[{ id: agreement, name: { id: …, en: … }, rule: { answer: … } }]") ?? []
        if items.isEmpty, top.has("indicators") {
            log.error(root.location, "indicators.none")
        }
        for item in items {
            guard let reader = MappingReader(item, what: Phrase("what.indicator"), allowed: ["id", "name", "rule"], log: log) else { continue }
            let id = reader.string("id", required: true, example: "agreement")
            if let (key, location) = id {
                if !key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                    log.error(location, "indicators.id", ["found": key])
                } else if !seen.insert(key).inserted {
                    log.error(location, "indicators.twice", ["id": key])
                }
            }
            let name = reader.node("name", required: true, example: "{ id: \"Calon champion\", en: \"Future champions\" }")
                .flatMap { texts.read($0, what: Phrase("what.name"), limit: 200) }
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
            log.error(node.location, "indicators.rule", ["rule": word, "rules": vocabulary], parts: ["guess": .guess(word, in: ruleKeys)],
                      fix: "indicators.rule.value")
            return nil
        }
        guard case .mapping(let pairs) = node.value else {
            log.error(node.location, "indicators.ruleKind", ["rules": vocabulary, "example": "band: { test: post, is: highest }"], parts: ["found": node.kind])
            return nil
        }
        guard pairs.count == 1, let pair = pairs.first else {
            log.error(node.location, "indicators.oneKey", ["count": String(pairs.count)])
            return nil
        }
        guard let key = pair.key.scalar, ruleKeys.contains(key) else {
            let word = pair.key.scalar ?? "?"
            log.error(pair.key.location, "indicators.rule", ["rule": word, "rules": vocabulary], parts: ["guess": .guess(word, in: ruleKeys)])
            return nil
        }
        let value = pair.value
        switch key {
        case "completed":
            log.error(pair.key.location, "indicators.completed")
            return nil
        case "answered":
            guard let item = value.scalar, !item.isEmpty else {
                log.error(value.location, "indicators.answered", parts: ["found": value.kind])
                return nil
            }
            if item != IndicatorRule.lastDiscussion { references.append(Reference(kind: .prompt, value: item, location: value.location)) }
            return .answered(item)
        case "all", "any":
            guard case .sequence(let items) = value.value, !items.isEmpty else {
                log.error(value.location, "indicators.list", ["key": key], parts: ["found": value.kind])
                return nil
            }
            let rules = items.map { rule($0, log: log, references: &references) }
            let kept = rules.compactMap { $0 }
            guard kept.count == rules.count else { return nil }
            return key == "all" ? .all(kept) : .any(kept)
        default:
            let allowed = ["score": ["test", "at-least"], "change": ["at-least"], "band": ["test", "is"],
                           "answer": ["test", "statement", "is"]][key] ?? []
            guard let reader = MappingReader(value, what: .verbatim("`\(key)`"), allowed: allowed, log: log) else { return nil }
            var test: SurveyKind?
            if allowed.contains("test"), let (text, location) = reader.string("test", required: true, example: "post") {
                test = SurveyKind(rawValue: text)
                if test == nil { log.error(location, "indicators.test", ["found": text]) }
            }
            var threshold: Double?
            if allowed.contains("at-least"), let (text, location) = reader.string("at-least", required: true, example: "29") {
                threshold = Double(text.replacingOccurrences(of: ",", with: "."))
                if threshold?.isFinite != true {
                    threshold = nil
                    log.error(location, "indicators.atLeast", ["found": text])
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
                log.error(reference.location, "indicators.statement", ["statement": reference.value, "instruments": instruments.map(\.id).joined(separator: ", "),
                                                                        "ids": ids.prefix(20).joined(separator: ", ")],
                          parts: ["guess": .guess(reference.value, in: ids)])
            case .option:
                guard !instruments.isEmpty, !instruments.contains(where: { $0.optionIndex(reference.value) != nil }) else { continue }
                let labels = instruments.flatMap { $0.options.compactMap { $0.label[.id] ?? $0.label[.en] } }
                log.error(reference.location, "indicators.option", ["option": reference.value, "labels": labels.joined(separator: ", ")])
            case .band:
                guard !instruments.isEmpty, !instruments.contains(where: { $0.band(named: reference.value) != nil }) else { continue }
                log.error(reference.location, "indicators.band", ["band": reference.value, "bands": instruments.map { $0.bandRule(.en) }.joined(separator: "; ")])
            case .prompt:
                guard !prompts.isEmpty, !prompts.contains(reference.value) else { continue }
                log.error(reference.location, "indicators.prompt", ["prompt": reference.value], parts: ["guess": .guess(reference.value, in: prompts.sorted())])
            }
        }
    }
}
