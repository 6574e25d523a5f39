import Foundation

/// The programme's report, generated from every participant's results: what the NGO tallied by hand — totals, by
/// year and by strand with their districts, the disability split, the indicators with their denominators, the
/// pre/post change with its interval, and attrition. Indonesian by default; Markdown, or HTML that prints cleanly.
public struct ProgrammeReport: Sendable {
    /// A batch's dates.
    public struct BatchPeriod: Sendable, Hashable {
        public var id: String
        public var start: LocalDate
        public var end: LocalDate

        public init(id: String, start: LocalDate, end: LocalDate) {
            self.id = id
            self.start = start
            self.end = end
        }
    }

    public var participants: [ParticipantResult]
    public var batches: [BatchPeriod]
    public var indicators: [Indicator]
    public var language: Language

    public init(participants: [ParticipantResult], batches: [BatchPeriod], indicators: [Indicator] = Indicator.defaults,
                language: Language = .id) {
        self.participants = participants
        self.batches = batches
        self.indicators = indicators
        self.language = language
    }

    func results(_ grouping: ResultsGrouping) -> ProgrammeResults {
        ProgrammeResults(participants, by: grouping, indicators: indicators, language: language)
    }

    func t(_ id: String, _ en: String) -> String { language == .id ? id : en }

    /// A column heading: the built-in indicators have short names; others their id.
    static func shortName(_ indicator: Indicator, _ language: Language) -> String {
        switch indicator.id {
        case "agreement": language == .id ? "Setuju akses" : "Agree on access"
        case "champion": language == .id ? "Champion" : "Champions"
        default: indicator.id
        }
    }

    /// `87,4 %` in Indonesian, `87.4%` in English.
    func percent(_ count: Int, of total: Int) -> String {
        guard let value = ResultsRow.percent(count, of: total) else { return "–" }
        let text = String(format: "%.1f", value)
        // A no-break space, so that `87,4 %` never wraps before its sign.
        return language == .id ? text.replacingOccurrences(of: ".", with: ",") + "\u{00A0}%" : text + "%"
    }

    func number(_ value: Double?, digits: Int = 1) -> String {
        guard let value else { return "–" }
        let text = String(format: "%.\(digits)f", value)
        return language == .id ? text.replacingOccurrences(of: ".", with: ",") : text
    }

    func count(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { out.append(language == .id ? "." : ",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    /// The report's sections as (heading, table rows, notes): one structure for Markdown and HTML.
    struct Section {
        var heading: String
        var table: [[String]]
        var notes: [String]
    }

    func share(_ count: Int, _ total: Int) -> String { "\(self.count(count)) (\(percent(count, of: total)))" }

    var sections: [Section] {
        let overall = results(.batch)
        let total = overall.total
        var sections: [Section] = []
        let districts = Set(participants.map(\.district)).sorted()
        let start = batches.map(\.start).min(), end = batches.map(\.end).max()
        let period = [start, end].compactMap { $0 }.map { Planner.longDate($0, language: language) }.joined(separator: " – ")
        sections.append(Section(heading: t("Ringkasan", "Summary"), table: [
            [t("Ukuran", "Measure"), t("Nilai", "Value")],
            [t("Peserta terdaftar", "Registered participants"), count(total.registered)],
            [t("Angkatan", "Batches"), count(batches.count)],
            [t("Kabupaten/kota", "Districts"), "\(districts.count): " + districts.joined(separator: ", ")],
            [t("Periode", "Period"), period],
            [t("Menyelesaikan pelatihan", "Completed the training"), share(total.completed, total.registered)],
        ] + total.indicators.map { [$0.name, share($0.count, total.registered)] }, notes: [t("Semua persentase dihitung dari peserta terdaftar (\(count(total.registered))), kecuali disebut lain.",
                     "Every percentage is of registered participants (\(count(total.registered))) unless said otherwise.")]))

        let first = participants.lazy.map(\.start).min()
        func groupTable(_ grouping: ResultsGrouping, _ label: String, districtsColumn: Bool = false) -> [[String]] {
            let results = results(grouping)
            var header = [label, t("Angkatan", "Batches"), t("Peserta", "Participants"), t("Selesai", "Completed")]
                + self.indicators.map { Self.shortName($0, language) }
            if districtsColumn { header.append(t("Kabupaten/kota", "Districts")) }
            return [header] + results.rows.map { row in
                let members = participants.filter { $0.groups(grouping, first: first, language: language).contains(row.group) }
                var line = [row.group == "with disability" ? t("dengan disabilitas", "with disability")
                            : row.group == "without disability" ? t("tanpa disabilitas", "without disability") : row.group,
                            count(Set(members.map(\.batch)).count), count(row.registered), share(row.completed, row.registered)]
                    + row.indicators.map { share($0.count, row.registered) }
                if districtsColumn { line.append(Set(members.map(\.district)).sorted().joined(separator: ", ")) }
                return line
            }
        }
        sections.append(Section(heading: t("Per tahun", "By year"), table: groupTable(.programmeYear, t("Tahun", "Year")),
                                notes: [t("Tahun program: dua belas bulan sejak bulan angkatan pertama dimulai.",
                                          "Programme years: twelve months from the month the first batch started.")]))
        sections.append(Section(heading: t("Per program", "By strand"), table: groupTable(.programme, t("Program", "Strand"), districtsColumn: true),
                                notes: []))
        sections.append(Section(heading: t("Disabilitas", "Disability"), table: groupTable(.disability, t("Kelompok", "Group")),
                                notes: [t("Dengan disabilitas: setidaknya satu ranah Washington Group tercatat di berkas peserta.",
                                          "With disability: at least one Washington Group domain in the participants file.")]))

        // Indicators with both denominators.
        var indicatorTable: [[String]] = [[t("Indikator", "Indicator"), t("Jumlah", "Count"), t("dari terdaftar", "of registered"),
                                       t("dari yang dites", "of those tested")]]
        for indicator in total.indicators {
            indicatorTable.append([indicator.name, count(indicator.count), percent(indicator.count, of: total.registered),
                               "\(percent(indicator.count, of: indicator.tested)) (n = \(count(indicator.tested)))"])
        }
        // The instruments' rules, then each indicator's by its name in the report's language.
        let instrument = participants.lazy.compactMap(\.instrument).first
        var indicatorNotes = (overall.instrumentRules + indicators.map { "\($0.name(language)): \($0.rule.describe(language, instrument: instrument))" })
            .map { t("Aturan: ", "Rule: ") + $0 }
        for indicator in total.indicators {
            guard let mcNemar = indicator.change else { continue }
            indicatorNotes.append(t("\(indicator.name), sebelum → sesudah: \(mcNemar.c) baru memenuhi, \(mcNemar.b) tidak lagi; uji McNemar p = \(number(mcNemar.p, digits: 3))",
                                    "\(indicator.name), before → after: \(mcNemar.c) newly met it, \(mcNemar.b) no longer did; McNemar p = \(number(mcNemar.p, digits: 3))"))
        }
        sections.append(Section(heading: t("Indikator", "Indicators"), table: indicatorTable, notes: indicatorNotes))

        // The change, on the pairs.
        var change: [[String]] = [[t("Alur", "Flow"), t("Jumlah", "Count")],
                                  [t("Terdaftar", "Registered"), count(total.registered)],
                                  [t("Mengisi pre-test", "Took the pre-test"), share(total.tookPre, total.registered)],
                                  [t("Mengisi post-test", "Took the post-test"), share(total.tookPost, total.registered)],
                                  [t("Keduanya (berpasangan)", "Both (paired)"), share(total.both, total.registered)]]
        change.append([t("Rata-rata pre / post", "Mean pre / post"), "\(number(total.meanPre)) / \(number(total.meanPost))"])
        if let paired = total.change {
            let interval = paired.interval.map { " [\(number($0.lowerBound)); \(number($0.upperBound))]" } ?? ""
            change.append([t("Perubahan rata-rata (IK 95 %)", "Mean change (95% CI)"), number(paired.mean) + interval])
            change.append(["d_z", paired.dz.map { "\(number($0, digits: 2)) (\(Statistics.effectSize($0, language: language)))" } ?? "–"])
            change.append([t("Naik / tetap / turun", "Improved / unchanged / declined"),
                           "\(count(paired.improved)) / \(count(paired.unchanged)) / \(count(paired.declined))"])
        }
        sections.append(Section(heading: t("Perubahan sikap (pre → post)", "Change in attitudes (pre → post)"), table: change,
                                notes: [t("Selisih post − pre pada peserta yang mengisi keduanya; IK dari distribusi t.",
                                          "Post − pre of those with both tests; the interval from the t distribution.")]))

        // Attrition: baseline of those without a post-test beside those with one.
        let withPost = participants.filter { $0.pre?.score != nil && $0.post?.score != nil }.compactMap { $0.pre?.score?.total }
        let withoutPost = participants.filter { $0.pre?.score != nil && $0.post?.score == nil }.compactMap { $0.pre?.score?.total }
        sections.append(Section(heading: t("Yang tidak mengisi post-test", "Those without a post-test"), table: [
            [t("Kelompok", "Group"), "n", t("Rata-rata pre-test", "Mean pre-test")],
            [t("Dengan post-test", "With a post-test"), count(withPost.count), number(Statistics.mean(withPost))],
            [t("Tanpa post-test", "Without a post-test"), count(withoutPost.count), number(Statistics.mean(withoutPost))],
        ], notes: [t("Jika yang keluar lebih rendah di awal, rata-rata post-test melebih-lebihkan hasil program.",
                     "If those who left started lower, post-test means overstate the programme's effect.")]))
        return sections
    }

    public var markdown: String {
        var out = "# " + t("Laporan hasil program", "Programme results report") + "\n"
        for section in sections {
            out += "\n## \(section.heading)\n\n"
            guard !section.table.isEmpty else { continue }
            out += MarkdownTable.render(section.table)
            if !section.notes.isEmpty { out += "\n" + section.notes.map { "- " + $0 }.joined(separator: "\n") + "\n" }
        }
        return out
    }

    /// A page that prints cleanly (to PDF from a browser), with pre and post totals drawn as inline SVG bars.
    public var html: String {
        let body = htmlBody
        return """
        <!doctype html>
        <html lang="\(language.rawValue)"><head><meta charset="utf-8"><title>\(HTML.escape(t("Laporan hasil program", "Programme results report")))</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
        th{background:#f3f3f3}.note{color:#555;font-size:.9em;margin:.2em 0}section{break-inside:avoid}
        @media print{body{margin:0}h2{break-after:avoid}}
        </style></head><body>
        \(body)</body></html>

        """
    }

    /// The report's content as HTML (headings, tables, notes, the score bars), for a page of its own or the dashboard.
    public var htmlBody: String {
        var body = "<h1>\(HTML.escape(t("Laporan hasil program", "Programme results report")))</h1>\n"
        for section in sections {
            body += "<section><h2>\(HTML.escape(section.heading))</h2>\n<table>"
            for (index, row) in section.table.enumerated() {
                let cell = index == 0 ? "th" : "td"
                body += "<tr>" + row.map { "<\(cell)>\(HTML.escape($0))</\(cell)>" }.joined() + "</tr>"
            }
            body += "</table>\n" + section.notes.map { "<p class=\"note\">\(HTML.escape($0))</p>" }.joined(separator: "\n") + "</section>\n"
        }
        return body + distributions()
    }

    /// Pre and post totals side by side per total score, as SVG bars.
    func distributions() -> String {
        let pre = participants.compactMap { $0.pre?.score?.total.rounded() }
        let post = participants.compactMap { $0.post?.score?.total.rounded() }
        guard !pre.isEmpty || !post.isEmpty, let instrument = participants.compactMap(\.instrument).first else { return "" }
        let low = Int(instrument.range.lowerBound), high = Int(instrument.range.upperBound)
        let counts = (low...high).map { value in (pre.count { Int($0) == value }, post.count { Int($0) == value }) }
        let top = max(1, counts.map { max($0.0, $0.1) }.max() ?? 1)
        let width = 12, height = 120
        var bars = ""
        for (index, (before, after)) in counts.enumerated() {
            let x = index * (2 * width + 4)
            bars += "<rect x=\"\(x)\" y=\"\(height - before * height / top)\" width=\"\(width)\" height=\"\(before * height / top)\" fill=\"#9aa9c4\"/>"
            bars += "<rect x=\"\(x + width)\" y=\"\(height - after * height / top)\" width=\"\(width)\" height=\"\(after * height / top)\" fill=\"#2e7d32\"/>"
            if (low + index) % 4 == 0 { bars += "<text x=\"\(x)\" y=\"\(height + 14)\" font-size=\"10\">\(low + index)</text>" }
        }
        let title = t("Sebaran skor: pre-test (abu-abu) dan post-test (hijau)", "Scores: pre-test (grey) and post-test (green)")
        return "<section><h2>\(HTML.escape(title))</h2><svg role=\"img\" aria-label=\"\(HTML.escape(title))\" width=\"\(counts.count * (2 * width + 4))\" "
            + "height=\"\(height + 20)\">\(bars)</svg></section>\n"
    }
}
