import Foundation

extension MessageTemplate {
    static let keys = ["name", "language", "params"]

    /// Reads `{name, language, params}` from a curriculum item or a batch's `delivery`, logging each problem at its
    /// line; nil when there was one.
    static func read(_ node: YAMLNode, what: Phrase, log: DiagnosticLog) -> MessageTemplate? {
        guard let reader = MappingReader(node, what: what, allowed: keys, log: log) else { return nil }
        var ok = true
        let name = reader.string("name", required: true, example: "kelas_sesi_1")
        if let (text, location) = name, !isValidName(text) {
            log.error(location, "template.name", ["name": text])
            ok = false
        }
        let language = reader.string("language", required: true, example: "id")
        if let (code, location) = language, !isValidLanguage(code) {
            log.error(location, "template.language", ["code": code])
            ok = false
        }
        var params: [String] = []
        for param in reader.list("params") ?? [] {
            guard let text = param.scalar else {
                log.error(param.location, "template.paramKind", ["example": "- \"{{name}}\""], parts: ["found": param.kind])
                ok = false
                continue
            }
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                log.error(param.location, "template.paramEmpty")
                ok = false
            } else if text.contains("\n") || text.contains("\t") || text.contains("     ") {
                log.error(param.location, "template.paramSpace")
                ok = false
            }
            ok = CurriculumFile.checkPlaceholders(text, at: param.location, log: log) && ok
            params.append(text)
        }
        guard ok, let (name, _) = name, let (language, _) = language else { return nil }
        return MessageTemplate(name: name, language: language, params: params)
    }
}
