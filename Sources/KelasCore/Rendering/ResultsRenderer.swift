import Foundation

/// `kelas results` as a table, CSV or JSON. Every percentage is printed with its denominator.
public enum ResultsRenderer {
    static func number(_ value: Double?, digits: Int = 1, _ t: Localizer) -> String {
        value.map { t.decimal($0, digits: digits) } ?? "–"
    }

    static func share(_ count: Int, of total: Int, _ t: Localizer) -> String {
        ResultsRow.percent(count, of: total).map { "\(t.integer(count)) (\(t.percent($0)))" } ?? t.integer(count)
    }

    static func interval(_ change: Statistics.PairedChange?, _ t: Localizer) -> String {
        guard let change else { return "–" }
        let sign = change.mean >= 0 ? "+" : ""
        guard let range = change.interval else { return sign + number(change.mean, t) }
                // A semicolon between the bounds where the comma is the decimal mark: [1,2; 3,4].
        let separator = t.language == .id ? "; " : ", "
        return "\(sign)\(number(change.mean, t)) [\(number(range.lowerBound, t))\(separator)\(number(range.upperBound, t))]"
    }

    /// The table's rows, header first, in `t`'s language and number forms.
    static func rows(_ results: ProgrammeResults, _ t: Localizer) -> [[String]] {
        let header = [t("grouping." + results.by.rawValue), t("column.registered"), t("column.pre"), t("column.post"), t("results.both"),
                      t("results.meanPre"), t("results.meanPost"), t("results.change"), "d_z"].map { $0.uppercased() }
            + results.indicators.map { $0.id.uppercased() }
        return [header] + (results.rows + [results.total]).map { row in
            [row.group == results.total.group ? t("column.total").uppercased() : row.group, t.integer(row.registered), t.integer(row.tookPre),
             t.integer(row.tookPost), t.integer(row.both), number(row.meanPre, t), number(row.meanPost, t), interval(row.change, t),
             number(row.change?.dz, digits: 2, t)]
                + row.indicators.map { share($0.count, of: row.registered, t) }
        }
    }

    /// What every table is printed with: the denominators, each indicator of those tested and before → after, the rules.
    static func notes(_ results: ProgrammeResults, _ t: Localizer) -> [String] {
        var notes = [t("results.denominator", ["registered": t.integer(results.total.registered)])]
        for indicator in results.total.indicators {
            notes.append(t("results.ofTested", ["indicator": indicator.id, "share": share(indicator.count, of: indicator.tested, t),
                                                "tested": t.integer(indicator.tested)]))
            if let mcNemar = indicator.change {
                notes.append(t(mcNemar.exact ? "results.mcNemarExact" : "results.mcNemar",
                               ["indicator": indicator.id, "newly": t.integer(mcNemar.c), "lost": t.integer(mcNemar.b),
                                "p": t.decimal(mcNemar.p, digits: 3), "chi": number(mcNemar.chiSquare, digits: 2, t)]))
            }
        }
        return notes + results.rules.map { t("results.rule", ["rule": $0]) }
    }

    /// The table, in `t`'s language (build the results with the same language, so their rules read in it too).
    public static func table(_ results: ProgrammeResults, _ t: Localizer = Localizer(.en)) -> String {
        TextTable.render(rows(results, t)) + "\n" + notes(results, t).map { $0 + "\n" }.joined()
    }

    public static func markdown(_ results: ProgrammeResults, _ t: Localizer = Localizer(.en)) -> String {
        MarkdownTable.render(rows(results, t)) + "\n" + notes(results, t).map { "- " + $0 + "\n" }.joined()
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
