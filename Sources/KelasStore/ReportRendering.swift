import Foundation
import KelasCore

/// A report as `kelas report` prints it and the dashboard serves it: a table, CSV or JSON.
public enum ReportRenderer {
    public static let headers = ["REGISTERED", "ACTIVE", "COMPLETED", "%", "REPLIES", "VOICE NOTES", "AWAITING", "DROP-OUTS", "OPTED OUT"]

    public static func cells(_ row: ReportRow) -> [String] {
        [String(row.registered), String(row.active), String(row.completed), String(format: "%.1f", row.completedPercent),
         String(row.replies), String(row.voiceNotes), String(row.awaitingTrainer), String(row.dropOuts), String(row.optedOut)]
    }

    public static func table(_ report: Report) -> String {
        if report.rows.isEmpty { return "no batches yet; add one with `kelas batch add BATCH.yaml`\n" }
        let rows = [[report.by.rawValue.uppercased(), "BATCHES"] + headers]
            + (report.rows + [report.total]).map { [$0.group, String($0.batches)] + cells($0) }
        return TextTable.render(rows) + "\npercentages are of registered participants (\(report.total.registered) in \(report.total.batches) batch\(report.total.batches == 1 ? "" : "es"))\n"
            + (report.total.optedOut > 0 ? "\(report.total.optedOut) opted out of the messages (STOP) and are still counted among the registered\n" : "")
    }

    /// UTF-8 with a byte-order mark (so spreadsheets read the accents right), a header row, CRLF line ends (RFC 4180).
    public static func csv(_ report: Report) -> String {
        let header = [report.by.rawValue, "batches", "registered", "active", "completed", "completed_percent", "replies",
                      "voice_notes", "awaiting_trainer", "drop_outs", "opted_out"]
        return CSVText.document([header] + (report.rows + [report.total]).map { [$0.group, String($0.batches)] + cells($0) })
    }

    public static func json(_ report: Report) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}
