import Foundation

/// A CSV export of a form (KoboToolbox, ODK Central, Google Forms) read against an instrument: which column answers
/// which statement, each row's answers, and everything that could not be placed — nothing is dropped unseen.
public struct FormExport: Sendable {
    public enum Style: String, Sendable, Codable {
        case kobo = "KoboToolbox", odk = "ODK Central", googleForms = "Google Forms", plain = "CSV"
    }

    /// One submission.
    public struct Row: Sendable, Hashable {
        public var line: Int
        /// The submission's own id when the export has one (`_uuid`, `meta-instanceID`), else the line.
        public var submission: String
        public var phone: String?
        public var name: String?
        /// Statement → option.
        public var answers: [Int: Int]
        /// Cells of statement columns that are none of the answers: (column header, value).
        public var unknown: [UnknownAnswer]
    }

    public struct UnknownAnswer: Sendable, Hashable {
        public var line: Int
        public var column: String
        public var value: String
    }

    public var file: String
    public var style: Style
    /// Statement index → the column header that answers it.
    public var columns: [Int: String]
    /// Headers that are neither a known system column, an identity column nor a statement.
    public var unusedColumns: [String]
    public var rows: [Row]

    /// Statements no column answers.
    public func missingStatements(of instrument: Instrument) -> [Int] {
        instrument.statements.indices.filter { columns[$0] == nil }
    }

    /// System columns of the three tools, ignored (the submission id is taken from the first two kinds).
    static let submissionColumns = ["_uuid", "meta-instanceid", "meta/instanceid", "instanceid", "key"]
    static let systemColumns: Set<String> = [
        "_id", "_uuid", "_submission_time", "_submitted_by", "__version__", "_validation_status", "_index", "_notes", "_status",
        "_tags", "_parent_index", "_parent_table_name", "rootuuid", "meta/rootuuid", "start", "end", "today", "deviceid", "username",
        "submissiondate", "meta-instanceid", "meta/instanceid", "key", "submitterid", "submittername", "attachmentspresent",
        "attachmentsexpected", "status", "reviewstate", "deviceid", "edits", "formversion", "timestamp", "email address", "score",
    ]
    static let phoneWords = ["phone", "telepon", "telp", "nomor hp", "no hp", "no_hp", "nomor_hp", "hp", "whatsapp", "wa", "nomor wa"]
    static let nameWords = ["name", "nama", "nama lengkap", "full name", "nama peserta"]

    /// Lower case without accents, `_` as a space, one space between words, no trailing punctuation.
    static func normalise(_ text: String) -> String {
        AnswerParser.normalise(text.replacingOccurrences(of: "_", with: " ")).trimmingCharacters(in: CharacterSet(charactersIn: " .?:!"))
    }

    /// Reads an export. `map` (column header → statement index) overrides matching by text; errors are logged at their
    /// line (a file the instrument cannot be matched to at all is an error; unknown answers and columns are listed).
    public static func read(_ text: String, file: String, instrument: Instrument, map: [String: Int] = [:], log: DiagnosticLog) -> FormExport? {
        let records = ParticipantsCSV.records(text).filter { !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard let header = records.first else {
            log.error(SourceLocation(file: file, line: 1, column: 1), "form.empty")
            return nil
        }
        let headers = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let lowered = headers.map { $0.lowercased() }
        let style: Style = lowered.contains("_uuid") || lowered.contains("_submission_time") ? .kobo
            : lowered.contains("submissiondate") || lowered.contains("meta-instanceid") ? .odk
            : lowered.first == "timestamp" ? .googleForms : .plain
        // Statement texts in both languages, and ids, normalised.
        let statementKeys: [[String]] = instrument.statements.map { statement in
            statement.text.variants.values.map(normalise) + [normalise(statement.id.replacingOccurrences(of: "-", with: " "))]
        }
        var columns: [Int: String] = [:], columnOf: [Int: Int] = [:]
        var unused: [String] = []
        var phoneColumn: Int?, nameColumn: Int?, submissionColumn: Int?
        for (position, raw) in headers.enumerated() {
            let low = raw.lowercased()
            if let statement = map[raw] {
                columns[statement] = raw; columnOf[position] = statement; continue
            }
            if submissionColumns.contains(low), submissionColumn == nil { submissionColumn = position }
            if systemColumns.contains(low) { continue }
            // Group paths: `group/question` (Kobo), `group-question` (ODK): the question is the last part.
            let full = normalise(raw)
            let last = normalise(String(raw.split(separator: "/").last ?? Substring(raw)))
            if let statement = statementKeys.firstIndex(where: { keys in keys.contains { key in
                full == key || last == key || full.hasSuffix(" " + key) || full.hasSuffix("-" + key) || (key.count > 20 && full.contains(key))
            } }) {
                if let earlier = columns[statement] {
                    log.error(SourceLocation(file: file, line: header.line, column: position + 1),
                              "form.twice", ["first": earlier, "second": raw, "statement": String(statement + 1)])
                    return nil
                }
                columns[statement] = raw; columnOf[position] = statement; continue
            }
            func names(_ words: [String]) -> Bool {
                words.contains { last == $0 || last.hasSuffix(" " + $0) || last.hasSuffix("-" + $0) || last.hasPrefix($0 + " ") }
            }
            if phoneColumn == nil, names(phoneWords) { phoneColumn = position; continue }
            if nameColumn == nil, names(nameWords) { nameColumn = position; continue }
            unused.append(raw)
        }
        guard !columns.isEmpty else {
            log.error(SourceLocation(file: file, line: header.line, column: 1),
                      "form.noStatement", ["instrument": instrument.id])
            return nil
        }
        guard phoneColumn != nil || nameColumn != nil else {
            log.error(SourceLocation(file: file, line: header.line, column: 1), "form.noParticipant")
            return nil
        }
        let parser = instrument.parser
        var rows: [Row] = []
        for record in records.dropFirst() {
            func field(_ column: Int?) -> String? {
                guard let column, column < record.fields.count else { return nil }
                let value = record.fields[column].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            var row = Row(line: record.line, submission: field(submissionColumn) ?? "line \(record.line)", phone: field(phoneColumn),
                          name: field(nameColumn), answers: [:], unknown: [])
            for (position, statement) in columnOf.sorted(by: { $0.key < $1.key }) {
                guard let value = field(position) else { continue }
                if let option = parser.option(for: value.replacingOccurrences(of: "_", with: " ")), !option.guessed {
                    row.answers[statement] = option.index
                } else if let option = instrument.options.firstIndex(where: { option in
                    option.label.variants.values.contains { normalise($0) == normalise(value) } }) {
                    row.answers[statement] = option
                } else {
                    row.unknown.append(UnknownAnswer(line: record.line, column: headers[position], value: value))
                }
            }
            rows.append(row)
        }
        return FormExport(file: file, style: style, columns: columns, unusedColumns: unused, rows: rows)
    }
}

extension FormExport {
    /// Reads a `--map` file: a YAML mapping from column header to statement, by number (1-based) or id:
    ///
    /// ```yaml
    /// "Q8. Akses yang sama": 8
    /// group_sikap/q_rumah: rumah-tugas-perempuan
    /// ```
    public static func loadMap(path: String, instrument: Instrument, log: DiagnosticLog) -> [String: Int]? {
        guard let text = readText(path, log: log), let root = YAMLDocument.parse(text, file: path, log: log) else { return nil }
        guard case .mapping(let pairs) = root.value else {
            log.error(root.location, "form.map", ["count": String(instrument.statements.count)])
            return nil
        }
        var map: [String: Int] = [:]
        for pair in pairs {
            guard let column = pair.key.scalar, let target = pair.value.scalar else {
                log.error(pair.key.location, "form.mapLine")
                continue
            }
            if let number = Int(target), instrument.statements.indices.contains(number - 1) {
                map[column] = number - 1
            } else if let index = instrument.statements.firstIndex(where: { $0.id == target }) {
                map[column] = index
            } else {
                log.error(pair.value.location, "form.mapStatement", ["target": target, "instrument": instrument.id, "count": String(instrument.statements.count),
                                                                  "ids": instrument.statements.prefix(3).map(\.id).joined(separator: ", ") + ", …"])
            }
        }
        return log.hasErrors ? nil : map
    }
}
