import Foundation

/// `kelas results` as a table, CSV or JSON. Every percentage is printed with its denominator.
public enum ResultsRenderer {
    static func number(_ value: Double?, digits: Int = 1) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "–"
    }

    static func share(_ count: Int, of total: Int) -> String {
        ResultsRow.percent(count, of: total).map { "\(count) (\(String(format: "%.1f", $0))%)" } ?? String(count)
    }

    static func interval(_ change: Statistics.PairedChange?) -> String {
        guard let change else { return "–" }
        let sign = change.mean >= 0 ? "+" : ""
        guard let range = change.interval else { return sign + number(change.mean) }
        return "\(sign)\(number(change.mean)) [\(number(range.lowerBound)), \(number(range.upperBound))]"
    }

    /// The table's rows, header first.
    static func rows(_ results: ProgrammeResults) -> [[String]] {
        let header = [results.by.rawValue.uppercased(), "REGISTERED", "PRE", "POST", "BOTH", "MEAN PRE", "MEAN POST", "CHANGE [95% CI]",
                      "D_Z"] + results.indicators.map { $0.id.uppercased() }
        return [header] + (results.rows + [results.total]).map { row in
            [row.group, String(row.registered), String(row.tookPre), String(row.tookPost), String(row.both), number(row.meanPre),
             number(row.meanPost), interval(row.change), number(row.change?.dz, digits: 2)]
                + row.indicators.map { share($0.count, of: row.registered) }
        }
    }

    /// What every table is printed with: the denominators, each indicator of those tested and before → after, the rules.
    static func notes(_ results: ProgrammeResults) -> [String] {
        var notes = ["percentages are of registered participants (\(results.total.registered))"]
        for indicator in results.total.indicators {
            notes.append("\(indicator.id) of those tested: \(share(indicator.count, of: indicator.tested)) of \(indicator.tested)")
            if let mcNemar = indicator.change {
                notes.append("\(indicator.id) before → after: \(mcNemar.c) newly met it, \(mcNemar.b) no longer did; "
                    + "McNemar p = \(String(format: "%.3f", mcNemar.p))"
                    + (mcNemar.exact ? " (exact)" : " (χ² \(number(mcNemar.chiSquare, digits: 2)))"))
            }
        }
        return notes + results.rules.map { "rule: \($0)" }
    }

    public static func table(_ results: ProgrammeResults) -> String {
        TextTable.render(rows(results)) + "\n" + notes(results).map { $0 + "\n" }.joined()
    }

    public static func markdown(_ results: ProgrammeResults) -> String {
        MarkdownTable.render(rows(results)) + "\n" + notes(results).map { "- " + $0 + "\n" }.joined()
    }

    public static func csv(_ results: ProgrammeResults) -> String {
        let header = [results.by.rawValue, "registered", "took_pre", "took_post", "both", "mean_pre", "mean_post", "change_mean",
                      "change_ci_low", "change_ci_high", "d_z", "improved", "unchanged", "declined", "completed"]
            + results.indicators.flatMap { [$0.id, "\($0.id)_tested", "\($0.id)_percent_registered", "\($0.id)_mcnemar_p"] }
        func cell(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "" }
        let rows = (results.rows + [results.total]).map { row -> [String] in
            [row.group, String(row.registered), String(row.tookPre), String(row.tookPost), String(row.both), cell(row.meanPre),
             cell(row.meanPost), cell(row.change?.mean), cell(row.change?.interval?.lowerBound), cell(row.change?.interval?.upperBound),
             cell(row.change?.dz), row.change.map { String($0.improved) } ?? "", row.change.map { String($0.unchanged) } ?? "",
             row.change.map { String($0.declined) } ?? "", String(row.completed)]
                + row.indicators.flatMap { [String($0.count), String($0.tested), cell(ResultsRow.percent($0.count, of: row.registered)), cell($0.change?.p)] }
        }
        return CSVText.document([header] + rows)
    }

    public static func json(_ results: ProgrammeResults) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(results), as: UTF8.self) + "\n"
    }
}
