import Foundation

extension MessageTemplate {
    static let keys = ["name", "language", "params"]

    /// Reads `{name, language, params}` from a curriculum item or a batch's `delivery`, logging each problem at its
    /// line; nil when there was one.
    static func read(_ node: YAMLNode, what: String, log: DiagnosticLog) -> MessageTemplate? {
        guard let reader = MappingReader(node, what: what, allowed: keys, log: log) else { return nil }
        var ok = true
        let name = reader.string("name", required: true, example: "kelas_sesi_1")
        if let (text, location) = name, !isValidName(text) {
            log.error(location, "`\(text)` is not a WhatsApp template name",
                      fix: "write the name exactly as approved in the WhatsApp Manager: lower-case letters, digits and underscores")
            ok = false
        }
        let language = reader.string("language", required: true, example: "id")
        if let (code, location) = language, !isValidLanguage(code) {
            log.error(location, "`\(code)` is not a template language code",
                      fix: "write the code the template was approved in, such as `id`, `en` or `en_US`")
            ok = false
        }
        var params: [String] = []
        for param in reader.list("params") ?? [] {
            guard let text = param.scalar else {
                log.error(param.location, "a template parameter must be text, found \(param.kindName)",
                          fix: "write each parameter on its own line, such as `- \"{{name}}\"`")
                ok = false
                continue
            }
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                log.error(param.location, "a template parameter is empty: WhatsApp refuses empty parameters",
                          fix: "write the text for this variable, or remove the line")
                ok = false
            } else if text.contains("\n") || text.contains("\t") || text.contains("     ") {
                log.error(param.location, "a template parameter cannot hold a new line, a tab or more than four spaces in a row",
                          fix: "keep each parameter on one line; put longer text in the template itself")
                ok = false
            }
            ok = CurriculumFile.checkPlaceholders(text, at: param.location, log: log) && ok
            params.append(text)
        }
        guard ok, let (name, _) = name, let (language, _) = language else { return nil }
        return MessageTemplate(name: name, language: language, params: params)
    }
}
