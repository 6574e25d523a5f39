import Foundation

/// What the scheduling form of the pages asks, written as the batch file `kelas validate` reads: the files stay the
/// source of truth, and a problem the validator finds at a line of the file is shown beside the field written there.
public struct BatchForm: Sendable, Equatable {
    public var id = ""
    public var name = ""
    public var programme = ""
    public var district = ""
    /// `YYYY-MM-DD` (a Monday suggested).
    public var start = ""
    public var timezone = "Asia/Jakarta"
    public var language = "id"
    /// A built-in curriculum id; `curriculum.yaml` when one is uploaded.
    public var curriculum = "adil-gender"
    public var mode = "group"
    /// Empty: no sink (the console, or `kelas run --sink`).
    public var sink = ""
    /// One trainer per line: `Name, phone`.
    public var trainers = ""
    /// `Name, phone`.
    public var admin = ""

    public init() {}

    /// The fields, in the order the form shows them (and the batch file holds them).
    public static let fields = ["id", "name", "programme", "district", "start", "timezone", "language", "curriculum", "mode", "sink",
                                "trainers", "admin", "participants"]

    public init(values: [String: String]) {
        func value(_ key: String) -> String { (values[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        id = value("id"); name = value("name"); programme = value("programme"); district = value("district")
        start = value("start"); timezone = value("timezone"); language = value("language"); curriculum = value("curriculum")
        mode = value("mode"); sink = value("sink"); trainers = value("trainers"); admin = value("admin")
    }

    /// `"text"` as YAML reads it: a double-quoted scalar with `"`, `\` and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\x%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// `Name, phone` → a YAML flow mapping (a line without a comma keeps its text as the name: the validator names
    /// the missing phone at that line).
    static func person(_ line: String) -> String {
        let parts = line.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let phone = parts.count > 1 ? parts[1] : ""
        return "{ name: \(quoted(parts.first ?? "")), phone: \(quoted(phone)) }"
    }

    /// The batch file, and which field each of its lines was written from.
    public func yaml() -> (text: String, fieldOfLine: [Int: String]) {
        var lines: [String] = ["# Written by the scheduling form of `kelas serve`; edit it freely, `kelas validate` checks it."]
        var fieldOfLine: [Int: String] = [:]
        func add(_ field: String, _ line: String) {
            lines.append(line)
            fieldOfLine[lines.count] = field
        }
        add("id", "id: \(Self.quoted(id))")
        add("name", "name: \(Self.quoted(name))")
        add("programme", "programme: \(Self.quoted(programme))")
        add("district", "district: \(Self.quoted(district))")
        add("timezone", "timezone: \(Self.quoted(timezone))")
        add("start", "start: \(Self.quoted(start))")
        add("language", "language: \(Self.quoted(language))")
        add("curriculum", "curriculum: \(Self.quoted(curriculum))")
        add("mode", "delivery:")
        add("mode", "  mode: \(Self.quoted(mode))")
        if !sink.isEmpty { add("sink", "  sink: \(Self.quoted(sink))") }
        add("trainers", "trainers:")
        let trainerLines = trainers.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        if trainerLines.isEmpty { lines[lines.count - 1] = "trainers: []" }
        for line in trainerLines { add("trainers", "  - " + Self.person(line)) }
        add("admin", "admin: " + Self.person(admin))
        add("participants", "participants: participants.csv")
        return (lines.joined(separator: "\n") + "\n", fieldOfLine)
    }
}
