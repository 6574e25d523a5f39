import Foundation
import KelasCore

/// A report as `kelas report` prints it and the dashboard serves it: a table, CSV or JSON.
public enum ReportRenderer {
    public static let headers = ["REGISTERED", "ACTIVE", "COMPLETED", "%", "REPLIES", "VOICE NOTES", "AWAITING", "DROP-OUTS", "OPTED OUT"]
    /// The catalog keys of the columns, in `cells` order (the table and the pages say them in the reader's language).
    public static let columnKeys = ["column.registered", "column.active", "column.completed", "column.percent", "column.replies",
                                    "column.voice", "column.awaiting", "column.dropOuts", "column.optedOut"]

    /// A row's figures: for people in the form of `t`'s language (`2.029`, `87,4`); without `t`, plain for programs
    /// (CSV: `2029`, `87.4`).
    public static func cells(_ row: ReportRow, _ t: Localizer? = nil) -> [String] {
        let counts = [row.registered, row.active, row.completed]
        let rest = [row.replies, row.voiceNotes, row.awaitingTrainer, row.dropOuts, row.optedOut]
        guard let t else {
            return counts.map(String.init) + [String(format: "%.1f", row.completedPercent)] + rest.map(String.init)
        }
        return counts.map(t.integer) + [t.decimal(row.completedPercent)] + rest.map(t.integer)
    }

    /// The table for people, in `t`'s language.
    public static func table(_ report: Report, _ t: Localizer = Localizer(.en)) -> String {
        if report.rows.isEmpty { return t("report.empty") + "\n" }
        let rows = [[t("grouping." + report.by.rawValue).uppercased(), t("column.batches").uppercased()] + columnKeys.map { t($0).uppercased() }]
            + report.rows.map { [$0.group, String($0.batches)] + cells($0, t) }
            + [[t("column.total").uppercased(), String(report.total.batches)] + cells(report.total, t)]
        let batches = report.total.batches == 1 ? t("report.batchesOne") : t("report.batchesMany", ["count": t.integer(report.total.batches)])
        return TextTable.render(rows) + "\n" + t("report.footer", ["registered": t.integer(report.total.registered), "batches": batches]) + "\n"
            + (report.total.optedOut > 0 ? t("report.optedOutLine", ["count": t.integer(report.total.optedOut)]) + "\n" : "")
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
