import Foundation

/// A participant row as written, before phone numbers are checked against the rest of the batch.
struct PersonEntry {
    var name: String
    var phoneText: String
    var alias: String?
    var district: String?
    var disabilities: [Disability]
    var location: SourceLocation
    var phoneLocation: SourceLocation
}

/// Reads `participants.csv`: a header with `name,phone`, and optionally `district`, `disability`, `alias`.
///
/// RFC 4180 quoting (fields in double quotes, `""` for a quote, line breaks inside quotes), comma or semicolon
/// separated (spreadsheets in an Indonesian locale save with `;`).
enum ParticipantsCSV {
    static let columns = ["name", "phone", "district", "disability", "alias"]

    static func parse(_ text: String, file: String, log: DiagnosticLog) -> [PersonEntry] {
        let rows = records(text)
        guard let header = rows.first(where: { !$0.fields.allSatisfy(\.isEmpty) }) else {
            log.error(SourceLocation(file: file, line: 1, column: 1), "participants.empty")
            return []
        }
        var index: [String: Int] = [:]
        for (position, raw) in header.fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if columns.contains(name) {
                if index[name] != nil {
                    log.error(SourceLocation(file: file, line: header.line, column: position + 1), "participants.columnTwice", ["column": name])
                }
                index[name] = position
            } else {
                log.error(SourceLocation(file: file, line: header.line, column: position + 1), "participants.column",
                          ["column": raw, "columns": columns.joined(separator: ", ")], parts: ["guess": .guess(name, in: columns)])
            }
        }
        for required in ["name", "phone"] where index[required] == nil {
            log.error(SourceLocation(file: file, line: header.line, column: 1), "participants.required", ["column": required])
        }
        guard let nameColumn = index["name"], let phoneColumn = index["phone"] else { return [] }

        var entries: [PersonEntry] = []
        for row in rows where row.line > header.line && !row.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            func field(_ column: Int?) -> String? {
                guard let column, column < row.fields.count else { return nil }
                let value = row.fields[column].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            let location = SourceLocation(file: file, line: row.line, column: 1)
            if row.fields.count > header.fields.count {
                log.error(location, "participants.fields", ["count": String(row.fields.count), "header": String(header.fields.count)])
                continue
            }
            guard let name = field(nameColumn) else {
                log.error(location, "participants.name")
                continue
            }
            var disabilities: [Disability] = []
            if let text = field(index["disability"]) {
                for word in text.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == "|" }) {
                    let key = word.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "selfcare", with: "self-care")
                    if let disability = Disability(rawValue: key) {
                        disabilities.append(disability)
                    } else {
                        log.error(SourceLocation(file: file, line: row.line, column: (index["disability"] ?? 0) + 1),
                                  "participants.disability", ["found": String(word), "domains": Disability.allCases.map(\.rawValue).joined(separator: ", ")])
                    }
                }
            }
            entries.append(PersonEntry(name: name, phoneText: field(phoneColumn) ?? "", alias: field(index["alias"]),
                                       district: field(index["district"]), disabilities: disabilities, location: location,
                                       phoneLocation: SourceLocation(file: file, line: row.line, column: phoneColumn + 1)))
        }
        return entries
    }

    struct Record {
        var line: Int
        var fields: [String]
    }

    /// Splits CSV text into records, remembering the line each starts on.
    static func records(_ text: String) -> [Record] {
        let separator: Character = {
            let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
            return firstLine.filter { $0 == ";" }.count > firstLine.filter { $0 == "," }.count ? ";" : ","
        }()
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var iterator = Array(text).makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let character = pending { pending = nil; return character }
            return iterator.next()
        }
        while let character = next() {
            if inQuotes {
                if character == "\"" {
                    let following = next()
                    if following == "\"" { field.append("\"") } else { inQuotes = false; pending = following }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty:
                inQuotes = true
            case separator:
                fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                fields.append(field); field = ""
                records.append(Record(line: recordLine, fields: fields)); fields = []
                line += 1
                recordLine = line
            default:
                field.append(character)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}
