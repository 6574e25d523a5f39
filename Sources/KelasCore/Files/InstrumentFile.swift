import Foundation

/// Reads an instrument file: the statements of a pre/post test, its answer options with their scores and words,
/// reverse keys, bands and the minimum answered — every problem at its line with the fix.
///
/// ```yaml
/// id: sikap-gender
/// name: { id: "Sikap kesetaraan gender", en: "Gender-equitable attitudes" }
/// options: agreement          # the built-in setuju / ragu-ragu / tidak setuju scale (1 / 2 / 3), or a list:
/// #  - { score: 1, label: { id: setuju, en: agree }, words: [s, setuju, agree] }
/// statements:
///   - { id: rumah, text: { id: "Mengurus rumah adalah tugas perempuan.", en: "…" } }
///   - { id: akses-setara, text: { id: "…", en: "…" }, reverse: true }
/// bands:
///   - { name: { id: rendah, en: low }, from: 2, to: 3 }
///   - { name: { id: tinggi, en: high }, from: 4, to: 6 }
/// minimum: 2                  # answered statements a score needs (pro-rated above it); default: all of them
/// ```
public enum InstrumentFile {
    static let topKeys = ["id", "name", "options", "statements", "bands", "minimum"]

    public static func load(path: String, log: DiagnosticLog, referencedFrom: SourceLocation? = nil) -> Instrument? {
        guard let text = readText(path, log: log, referencedFrom: referencedFrom),
              let root = YAMLDocument.parse(text, file: path, log: log) else { return nil }
        return decode(root, log: log)
    }

    public static func decode(_ text: String, file: String, log: DiagnosticLog) -> Instrument? {
        YAMLDocument.parse(text, file: file, log: log).flatMap { decode($0, log: log) }
    }

    static func decode(_ root: YAMLNode, log: DiagnosticLog) -> Instrument? {
        let errors = log.diagnostics.count { $0.severity == .error }
        guard let top = MappingReader(root, what: Phrase("what.instrument"), allowed: topKeys, log: log) else { return nil }
        let texts = TextReader(languages: Language.allCases, log: log)
        let id = top.string("id", required: true, example: "sikap-gender")?.0 ?? ""
        let name = top.node("name", required: true, example: "{ id: \"Sikap\", en: \"Attitudes\" }")
            .flatMap { texts.read($0, what: Phrase("what.name"), limit: 200) }

        var options: [AnswerOption] = []
        if let node = top.node("options", required: true, example: "agreement") {
            if node.scalar == "agreement" {
                options = AgreementScale.options
            } else if case .sequence(let items) = node.value {
                for item in items {
                    guard let reader = MappingReader(item, what: Phrase("what.option"), allowed: ["score", "label", "words"], log: log) else { continue }
                    guard let score = reader.int("score", required: true, example: "1")?.0,
                          let label = reader.node("label", required: true, example: "{ id: setuju, en: agree }")
                            .flatMap({ texts.read($0, what: Phrase("what.label"), limit: 100) }) else { continue }
                    let words = (reader.list("words") ?? []).compactMap(\.scalar)
                    options.append(AnswerOption(score: score, label: label, words: words + label.variants.values))
                }
                if options.count < 2 {
                    log.error(node.location, "instrument.options")
                }
                checkWordsDistinct(options, at: node.location, log: log)
            } else {
                log.error(node.location, "instrument.optionsKind", ["example": "- { score: 1, label: { id: setuju, en: agree }, words: [s] }"])
            }
        }

        var statements: [Instrument.Statement] = []
        var seen: Set<String> = []
        for item in top.list("statements", required: true, example: "[{ id: rumah, text: { id: \"…\", en: \"…\" } }]") ?? [] {
            guard let reader = MappingReader(item, what: Phrase("what.statement"), allowed: ["id", "text", "reverse"], log: log),
                  let (key, location) = reader.string("id", required: true, example: "akses-setara"),
                  let text = reader.node("text", required: true, example: "{ id: \"…\", en: \"…\" }").flatMap({ texts.read($0, what: Phrase("what.theStatement"), limit: 1000) })
            else { continue }
            if !seen.insert(key).inserted { log.error(location, "instrument.statementTwice", ["statement": key]) }
            var reverse = false
            if let (flag, flagLocation) = reader.string("reverse") {
                guard let value = Bool(flag) else {
                    log.error(flagLocation, "instrument.reverse", ["found": flag])
                    continue
                }
                reverse = value
            }
            statements.append(.init(id: key, text: text, reversed: reverse))
        }

        var minimum = statements.count
        if let (value, location) = top.int("minimum") {
            if (1...max(statements.count, 1)).contains(value) { minimum = value } else {
                log.error(location, "instrument.minimum", ["count": String(statements.count), "found": String(value)])
            }
        }

        var bands: [Instrument.Band] = []
        for item in top.list("bands", required: true, example: "[{ name: { id: rendah, en: low }, from: 12, to: 20 }]") ?? [] {
            guard let reader = MappingReader(item, what: Phrase("what.band"), allowed: ["name", "from", "to"], log: log),
                  let name = reader.node("name", required: true, example: "{ id: rendah, en: low }").flatMap({ texts.read($0, what: Phrase("what.bandName"), limit: 100) }),
                  let (from, _) = reader.int("from", required: true, example: "12"),
                  let (to, location) = reader.int("to", required: true, example: "20") else { continue }
            guard from <= to else { log.error(location, "instrument.bandOrder", ["from": String(from), "to": String(to)]); continue }
            bands.append(.init(name: name, range: Double(from)...Double(to)))
        }
        if !options.isEmpty, !statements.isEmpty, !bands.isEmpty, let node = top.node("bands") {
            let scores = options.map(\.score)
            let low = (scores.min() ?? 0) * statements.count, high = (scores.max() ?? 0) * statements.count
            for total in low...high {
                let covering = bands.filter { $0.range.contains(Double(total)) }.count
                if covering != 1 {
                    log.error(node.location, covering == 0 ? "instrument.noBand" : "instrument.bands",
                              ["total": String(total), "count": String(covering), "low": String(low), "high": String(high)], fix: "instrument.bands.fix")
                    break
                }
            }
        }
        guard log.diagnostics.count(where: { $0.severity == .error }) == errors, let name else { return nil }
        return Instrument(id: id, name: name, statements: statements, options: options, bands: bands, minimumAnswered: minimum)
    }

    /// Two options must not share a word: `ts` cannot mean both.
    static func checkWordsDistinct(_ options: [AnswerOption], at location: SourceLocation, log: DiagnosticLog) {
        var owner: [String: Int] = [:]
        for (index, option) in options.enumerated() {
            for word in option.words {
                if let other = owner[word], other != index {
                    log.error(location, "instrument.word", ["word": word, "first": String(other + 1), "second": String(index + 1)])
                    return
                }
                owner[word] = index
            }
        }
    }
}
