import ArgumentParser
import Foundation
import KelasCore
import KelasStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Completion per batch, district, programme or trainer: registered, active, completed, replies, voice notes.",
        discussion: """
        Columns: REGISTERED participants (the denominator of every percentage) · ACTIVE answered at least one prompt · \
        COMPLETED met the batch's completion rule (default: answered in 2 sessions and the post-test) · REPLIES answers \
        in writing or with a photo, video or document · VOICE NOTES · AWAITING discussion answers no trainer has taken up \
        · DROP-OUTS answered before, then missed at least the last two prompts that closed.

        --by district uses each participant's district (else the batch's). --by trainer counts a participant under \
        every trainer of their batch; the TOTAL row counts each participant once. --format csv is UTF-8 with a byte-order \
        mark and a header row, so it opens cleanly in a spreadsheet.

        Examples:
          kelas report
          kelas report --by district --format csv > completion.csv
        """
    )
    @Option(help: ArgumentHelp("batch, district, programme or trainer.", valueName: "grouping")) var by: ReportGrouping = .batch
    @Option(help: ArgumentHelp("table, csv or json.", valueName: "format")) var format: Format = .table
    @Option(name: .customLong("batch"), help: ArgumentHelp("Only these batches (repeat the option; default: all).", valueName: "id"))
    var batches: [String] = []
    @OptionGroup var database: DatabaseOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    func run() throws {
        let store = try database.open()
        let report = try storeCall { try store.report(by: by, batchIDs: batches.isEmpty ? nil : batches, now: Date()) }
        switch format {
        case .table: print(ReportRenderer.table(report), terminator: "")
        case .csv: FileHandle.standardOutput.write(Data(ReportRenderer.csv(report).utf8))
        case .json: print(try ReportRenderer.json(report), terminator: "")
        }
    }
}

extension ReportGrouping: ExpressibleByArgument {}

enum ReportRenderer {
    static let headers = ["REGISTERED", "ACTIVE", "COMPLETED", "%", "REPLIES", "VOICE NOTES", "AWAITING", "DROP-OUTS"]

    static func cells(_ row: ReportRow) -> [String] {
        [String(row.registered), String(row.active), String(row.completed), String(format: "%.1f", row.completedPercent),
         String(row.replies), String(row.voiceNotes), String(row.awaitingTrainer), String(row.dropOuts)]
    }

    static func table(_ report: Report) -> String {
        if report.rows.isEmpty { return "no batches yet; add one with `kelas batch add BATCH.yaml`\n" }
        let rows = [[report.by.rawValue.uppercased(), "BATCHES"] + headers]
            + (report.rows + [report.total]).map { [$0.group, String($0.batches)] + cells($0) }
        return TextTable.render(rows) + "\npercentages are of registered participants (\(report.total.registered) in \(report.total.batches) batch\(report.total.batches == 1 ? "" : "es"))\n"
    }

    /// UTF-8 with a byte-order mark (so spreadsheets read the accents right), a header row, CRLF line ends (RFC 4180).
    static func csv(_ report: Report) -> String {
        let header = [report.by.rawValue, "batches", "registered", "active", "completed", "completed_percent", "replies",
                      "voice_notes", "awaiting_trainer", "drop_outs"]
        let lines = [header] + (report.rows + [report.total]).map { [$0.group, String($0.batches)] + cells($0) }
        return "\u{FEFF}" + lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func json(_ report: Report) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}
