import Foundation
import KelasCore
import KelasStore

/// The admin pages as HTML: server-rendered, no script needed, one small stylesheet, readable on a cheap phone.
/// Participants' numbers are always masked; a status is a colour *and* a symbol.
enum Dashboard {
    /// One batch's line on the overview.
    struct BatchLine {
        var batch: StoredBatch
        var row: ReportRow
        /// "day 3 of 7", "starts in 4 days", "ended".
        var when: String
    }

    enum Sort: String, CaseIterable {
        case start, district, programme, registered, active, completed, voice, awaiting

        /// The catalog key of its column's title.
        var titleKey: String {
            switch self {
            case .start: "column.dates"
            case .district: "column.district"
            case .programme: "column.programme"
            case .registered: "column.registered"
            case .active: "column.active"
            case .completed: "column.completed"
            case .voice: "column.voice"
            case .awaiting: "column.awaiting"
            }
        }
    }

    // MARK: Pages

    /// A banner per batch and reason while messages are held up (a gateway's phone not linked, a missing secret…):
    /// the dispatcher keeps trying; the admin sees why, and the fix, without opening a terminal.
    static func problems(_ problems: [DeliveryProblem], zone: TimeZone, linked: Bool, _ t: Localizer) -> String {
        problems.map { problem in
            let next = KelasTimeZone.iso8601(problem.nextAttempt, in: zone)
            let batch = linked ? "<a href=\"/batches/\(escape(problem.batchID))\">\(escape(problem.batchID))</a>" : escape(problem.batchID)
            let held = t(problem.messages == 1 ? "problem.heldUpOne" : "problem.heldUp", ["batch": "\u{1}", "count": t.integer(problem.messages)])
            return "<div class=\"banner\" role=\"alert\"><strong>" + escape(held).replacingOccurrences(of: "\u{1}", with: batch) + "</strong> — "
                + "\(escape(problem.reason)) <small>(\(escape(t("problem.next", ["time": next]))))</small></div>"
        }.joined()
    }

    static func overview(_ lines: [BatchLine], total: ReportRow, sort: Sort, now: String, problems: [DeliveryProblem] = [],
                         _ t: Localizer) -> String {
        let sorted = lines.sorted { a, b in
            switch sort {
            case .start: (a.batch.start, a.batch.id) < (b.batch.start, b.batch.id)
            case .district: (a.batch.district, a.batch.id) < (b.batch.district, b.batch.id)
            case .programme: (a.batch.programme, a.batch.id) < (b.batch.programme, b.batch.id)
            case .registered: (b.row.registered, a.batch.id) < (a.row.registered, b.batch.id)
            case .active: (b.row.active, a.batch.id) < (a.row.active, b.batch.id)
            case .completed: (b.row.completedPercent, a.batch.id) < (a.row.completedPercent, b.batch.id)
            case .voice: (b.row.voiceNotes, a.batch.id) < (a.row.voiceNotes, b.batch.id)
            case .awaiting: (b.row.awaitingTrainer, a.batch.id) < (a.row.awaitingTrainer, b.batch.id)
            }
        }
        func header(_ column: Sort?, _ key: String) -> String {
            let title = t(column?.titleKey ?? key)
            guard let column else { return "<th>\(escape(title))</th>" }
            return column == sort ? "<th aria-sort=\"descending\">\(escape(title)) ▾</th>"
                : "<th><a href=\"/?sort=\(column.rawValue)\">\(escape(title))</a></th>"
        }
        var body = Self.problems(problems, zone: TimeZone(identifier: "Asia/Jakarta") ?? .gmt, linked: true, t)
            + "<h1>\(escape(t("overview.title")))</h1><p class=\"muted\">\(escape(t("overview.asOf", ["time": now])))</p>"
        if lines.isEmpty {
            let empty = escape(t("overview.empty", ["command": "\u{1}"])).replacingOccurrences(of: "\u{1}", with: "<code>kelas batch add BATCH.yaml</code>")
            return page("Kelas", body + "<p>\(empty)</p>", t)
        }
        body += "<div class=\"scroll\"><table><thead><tr>" + header(nil, "column.batch") + header(.district, "")
            + header(.programme, "") + header(.start, "") + header(nil, "column.now") + header(.registered, "")
            + header(.active, "") + header(.completed, "") + header(.voice, "")
            + header(.awaiting, "") + "</tr></thead><tbody>"
        for line in sorted {
            let row = line.row
            body += "<tr><td><a href=\"/batches/\(escape(line.batch.id))\">\(escape(line.batch.name))</a><br><small>\(escape(line.batch.id))</small></td>"
                + "<td>\(escape(line.batch.district))</td><td>\(escape(line.batch.programme))</td>"
                + "<td>\(escape(dates(line.batch)))</td><td>\(escape(line.when))</td>"
                + "<td class=\"n\">\(row.registered)</td><td class=\"n\">\(row.active) <small>(\(percent(row.active, row.registered, t)))</small></td>"
                + "<td class=\"n\">\(row.completed) <small>(\(t.percent(row.completedPercent)))</small></td>"
                + "<td class=\"n\">\(row.voiceNotes)</td><td class=\"n\">\(row.awaitingTrainer)</td></tr>"
        }
        body += "</tbody><tfoot><tr><th>\(escape(t("column.total")))</th><td></td><td></td><td></td><td></td><td class=\"n\">\(t.integer(total.registered))</td>"
            + "<td class=\"n\">\(t.integer(total.active)) <small>(\(percent(total.active, total.registered, t)))</small></td>"
            + "<td class=\"n\">\(t.integer(total.completed)) <small>(\(t.percent(total.completedPercent)))</small></td>"
            + "<td class=\"n\">\(t.integer(total.voiceNotes))</td><td class=\"n\">\(t.integer(total.awaitingTrainer))</td></tr></tfoot></table></div>"
        body += "<h2>\(escape(t("overview.chart")))</h2>" + chart(sorted.map { ($0.batch.name, $0.row.completedPercent) }, label: t("overview.chartLabel"))
        return page(t("page.batches"), body, t)
    }

    /// Horizontal bars, one per group, as inline SVG (no script, scales to the screen).
    static func chart(_ bars: [(label: String, percent: Double)], label: String) -> String {
        let rowHeight = 22, labelWidth = 210, width = 560
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(bars.count * rowHeight + 24)\" role=\"img\" aria-label=\"\(escape(label))\">"
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight
            let length = Int((Double(width - labelWidth - 50) * min(max(bar.percent, 0), 100) / 100).rounded())
            let label = bar.label.count > 30 ? String(bar.label.prefix(29)) + "…" : bar.label
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(label))</text>"
                + "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(length)\" height=\"14\" rx=\"2\"></rect>"
                + "<text x=\"\(labelWidth + length + 4)\" y=\"\(y + 15)\">\(wholePercent(bar.percent))%</text>"
        }
        let axis = bars.count * rowHeight + 4
        svg += "<line x1=\"\(labelWidth)\" x2=\"\(width - 50)\" y1=\"\(axis)\" y2=\"\(axis)\"></line>"
            + "<text x=\"\(labelWidth)\" y=\"\(axis + 16)\">0%</text><text x=\"\(width - 50)\" y=\"\(axis + 16)\" text-anchor=\"end\">100%</text>"
        return svg + "</svg>"
    }

    /// A percentage as a whole number, rounded as `%.0f` rounds it (half to even), without a format string.
    static func wholePercent(_ value: Double) -> String {
        guard let whole = Localizer.roundedWhole(value) else { return String(format: "%.0f", value) }
        return (whole == 0 && value.sign == .minus ? "-" : "") + String(whole)
    }

    struct PlanLine {
        var time: String
        var kind: String
        var audience: String
        var state: String
        var detail: String
    }

    static func batch(_ stored: StoredBatch, status: BatchStatus, when: String, today: String, plan: [PlanLine],
                      optOuts: [PhoneNumber: OptOutState] = [:], problems: [DeliveryProblem] = [], _ t: Localizer) -> String {
        var body = "<p><a href=\"/\">\(escape(t("batch.back")))</a></p>" + Self.problems(problems, zone: stored.timeZone, linked: false, t)
            + "<h1>\(escape(stored.name))</h1>"
            + "<p class=\"muted\">\(escape(stored.id)) · \(escape(stored.district)) · \(escape(stored.programme)) · \(escape(dates(stored))) · \(escape(when))</p>"
        let figures = t("batch.figures", ["registered": t.integer(status.registered), "active": t.integer(status.active),
                                          "activePercent": percent(status.active, status.registered, t), "completed": t.integer(status.completed),
                                          "completedPercent": percent(status.completed, status.registered, t)])
        let rule = t(status.rule.postTest ? "batch.rulePostTest" : "batch.rule", ["sessions": String(status.rule.sessions)])
        body += "<p>\(escape(figures)) — \(escape(rule)) · <a href=\"/batches/\(escape(stored.id))/results\">\(escape(t("batch.results")))</a></p>"
        let calls = status.rows.filter(\.needsCall)
        body += "<h2>\(escape(t("batch.calls", ["count": String(calls.count)])))</h2>"
        body += calls.isEmpty ? "<p>\(escape(t("batch.nobody")))</p>"
            : "<ul>" + calls.map { "<li>\(escape($0.name)) <span class=\"phone\">\(escape($0.phone.masked))</span></li>" }.joined() + "</ul>"

        let out = status.rows.compactMap { row in optOuts[row.phone].map { (row, $0) } }
        if !out.isEmpty {
            body += "<h2>\(escape(t("batch.optedOut", ["count": String(out.count)])))</h2><p class=\"muted\">\(escape(t("batch.optedOutNote")))"
                + (stored.group != nil ? " " + escape(t("batch.optedOutGateway")) : "") + "</p><ul>"
                + out.map { row, state in "<li>\(escape(row.name)) <span class=\"phone\">\(escape(row.phone.masked))</span> — \(escape(state.how))</li>" }.joined()
                + "</ul>"
        }

        body += "<h2>\(escape(t("batch.plan", ["date": today])))</h2>"
        if plan.isEmpty {
            body += "<p>\(escape(t("batch.noPlan")))</p>"
        } else {
            body += "<div class=\"scroll\"><table><thead><tr>" + ["column.time", "column.kind", "column.to", "column.state"].map { "<th>\(escape(t($0)))</th>" }.joined()
                + "<th></th></tr></thead><tbody>"
            for line in plan {
                body += "<tr><td>\(escape(line.time))</td><td>\(escape(line.kind))</td><td>\(escape(line.audience))</td>"
                    + "<td><span class=\"out \(escape(line.state))\">\(escape(line.state))</span></td><td>\(escape(line.detail))</td></tr>"
            }
            body += "</tbody></table></div>"
        }

        body += "<h2>\(escape(t("batch.grid")))</h2><div class=\"scroll\"><table class=\"grid\"><thead><tr><th>\(escape(t("column.participant")))</th>"
        for column in status.columns { body += "<th title=\"\(escape(column.key))\">\(escape(columnTitle(column, t)))</th>" }
        body += "<th>\(escape(t("column.done")))</th></tr></thead><tbody>"
        for row in status.rows {
            body += "<tr><td>\(escape(row.name))<br><span class=\"phone\">\(escape(row.phone.masked))</span></td>"
            for (index, state) in row.states.enumerated() {
                let key = index < status.columns.count ? status.columns[index].key : ""
                body += "<td class=\"s \(state.rawValue)\" title=\"\(escape(key)): \(escape(t("state." + state.rawValue)))\">\(state.symbol)</td>"
            }
            body += "<td>\(row.completed ? "✓" : "")</td></tr>"
        }
        body += "</tbody></table></div><p class=\"legend\">"
            + PromptState.allCases.map { "<span class=\"s \($0.rawValue)\">\($0.symbol)</span> \(escape(t("state." + $0.rawValue)))" }.joined(separator: " · ")
            + "</p>"
        return page("Kelas — \(stored.name)", body, t)
    }

    static func report(_ reports: [Report], _ t: Localizer) -> String {
        var body = "<p><a href=\"/\">\(escape(t("batch.back")))</a></p><h1>\(escape(t("report.title")))</h1><p class=\"muted\">\(escape(t("report.note")))</p>"
        for report in reports {
            let by = report.by.rawValue
            let grouping = t("grouping." + by)
            body += "<h2>\(escape(t("report.by", ["grouping": grouping]))) <small><a href=\"/report.csv?by=\(by)\" download>CSV</a></small></h2><div class=\"scroll\"><table><thead><tr>"
                + "<th>\(escape(grouping.prefix(1).uppercased() + grouping.dropFirst()))</th><th>\(escape(t("column.batches")))</th>"
                + ReportRenderer.columnKeys.map { "<th>\(escape(t($0)))</th>" }.joined()
                + "</tr></thead><tbody>"
            for row in report.rows {
                body += "<tr><td>\(escape(row.group))</td><td class=\"n\">\(row.batches)</td>"
                    + ReportRenderer.cells(row, t).map { "<td class=\"n\">\(escape($0))</td>" }.joined() + "</tr>"
            }
            body += "</tbody><tfoot><tr><th>\(escape(t("column.total")))</th><td class=\"n\">\(report.total.batches)</td>"
                + ReportRenderer.cells(report.total, t).map { "<td class=\"n\">\(escape($0))</td>" }.joined() + "</tr></tfoot></table></div>"
        }
        return page(t("page.reports"), body, t)
    }

    static func login(failed: Bool, _ t: Localizer) -> String {
        page(t("login.title"), """
        <h1>Kelas</h1>\(failed ? "<p class=\"error\">\(escape(t("login.failed")))</p>" : "")
        <form method="post" action="/login"><label>\(escape(t("login.token")))<br><input name="token" type="password" autocomplete="current-password" \
        required autofocus></label> <button>\(escape(t("login.submit")))</button></form>
        <p class="muted">\(escape(t("login.hint")))</p>
        """, t)
    }

    // MARK: Pieces

    static func dates(_ batch: StoredBatch) -> String {
        guard let start = LocalDate(batch.start) else { return batch.start }
        return "\(start) – \(start.adding(days: batch.days - 1))"
    }

    /// Where the batch is in its week, in its own time zone.
    static func when(_ batch: StoredBatch, now: Date, _ t: Localizer) -> String {
        guard let start = LocalDate(batch.start) else { return "" }
        let zone = batch.timeZone
        let day = KelasTimeZone.localDate(now, in: zone).daysSinceEpoch - start.daysSinceEpoch + 1
        if day < 1 { return 1 - day == 1 ? t("when.startsTomorrow") : t("when.startsIn", ["days": String(1 - day)]) }
        if day > batch.days { return t("when.ended") }
        return t("when.day", ["day": String(day), "days": String(batch.days)])
    }

    static func columnTitle(_ column: BatchStatus.Column, _ t: Localizer) -> String {
        if let survey = column.survey { return t(survey == .pre ? "column.pre" : "column.post") }
        if let session = column.session { return t("column.session", ["session": String(session)]) }
        return column.key
    }

    static func percent(_ count: Int, _ of: Int, _ t: Localizer) -> String { t.percent(count, of: of) }

    static func escape(_ text: String) -> String { HTML.escape(text) }

    /// A whole page in the reader's language, with a switch to the other one (`?lang=`, remembered in a cookie).
    /// `admin`: the header links to the admin pages (a trainer's pages link only to their day).
    static func page(_ title: String, _ body: String, _ t: Localizer, admin: Bool = true) -> String {
        let other: Language = t.language == .id ? .en : .id
        let links = admin ? "<a href=\"/\">\(escape(t("nav.batches")))</a> <a href=\"/report\">\(escape(t("nav.reports")))</a> "
            + "<a href=\"/results\">\(escape(t("nav.results")))</a> <a href=\"/schedule\">\(escape(t("nav.schedule")))</a> " : ""
        return """
        <!doctype html>
        <html lang="\(t.language.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title><style>\(style)</style></head>
        <body><header><a href="\(admin ? "/" : "/today")">Kelas</a> <nav>\(links)<a href="/today">\(escape(t("today.title")))</a> <a href="?lang=\(other.rawValue)" hreflang="\(other.rawValue)" lang="\(other.rawValue)">\(escape(t("nav.switch")))</a></nav></header>
        <main>\(body)</main></body></html>
        """
    }

    static let style = """
    body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f23;background:#f6f7f8}
    header{background:#075e54;color:#fff;padding:.6em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
    header a{color:#fff;text-decoration:none;font-weight:600}nav{display:flex;flex-wrap:wrap;gap:.4em 1em;margin-left:auto}nav a{font-weight:400}
    main{padding:.5em 1em 2em;max-width:1100px}h1{font-size:1.4em;margin:.6em 0 .2em}h2{font-size:1.1em;margin:1.2em 0 .4em}
    .muted,small{color:#586069}.scroll{overflow-x:auto}table{border-collapse:collapse;background:#fff;min-width:100%}
    th,td{padding:.35em .5em;border-bottom:1px solid #e1e4e8;text-align:left;vertical-align:top}th a{color:inherit}
    td.n{text-align:right;white-space:nowrap}tfoot th,tfoot td{font-weight:600;border-top:2px solid #d1d5da}
    .phone{font-family:ui-monospace,monospace;font-size:.85em;color:#586069;white-space:nowrap}
    .grid td.s{text-align:center;font-weight:700;min-width:1.6em}
    .s.pending{background:#f1f3f5;color:#6a737d}.s.replied{background:#dcf8c6;color:#1e5b12}.s.voice-note{background:#c8e6fa;color:#0b4a75}
    .s.discussed{background:#25d366;color:#06301a}.s.missed{background:#fde2e1;color:#9b1c1c}.s.excused{background:#fff3bf;color:#6b5300}
    .legend .s{display:inline-block;min-width:1.4em;text-align:center;font-weight:700}
    .out{padding:0 .4em;border-radius:3px;background:#eee}.out.sent{background:#dcf8c6}.out.failed,.out.dead,.out.held{background:#fde2e1}
    .out.expired{background:#fff3bf}.error{color:#9b1c1c}
    svg.chart{width:100%;max-width:700px;font-size:12px}svg.chart rect{fill:#25d366}svg.chart line{stroke:#999}
    input,button{font:inherit;padding:.4em}form.inline{display:inline}button.link{background:none;border:0;color:#075e54;text-decoration:underline;padding:0}
    form.mark{display:flex;flex-wrap:wrap;gap:.3em;margin:.3em 0 .6em}form.mark input{flex:1 1 8em;min-width:6em}
    form.mark button{background:#075e54;color:#fff;border:0;border-radius:4px;padding:.5em .8em}
    ul.people,ul.plan{list-style:none;padding:0}ul.people li,ul.plan li{padding:.4em 0;border-bottom:1px solid #e1e4e8}
    a.phone{font-size:1em;color:#075e54}section{background:#fff;padding:.2em .8em .8em;margin:.8em 0;border-radius:6px}
    form.schedule{display:grid;gap:.7em;max-width:36em}label.field{display:grid;gap:.2em}label.field span{font-weight:600}
    label.field input,label.field select,label.field textarea{font:inherit;padding:.45em;border:1px solid #c9ced3;border-radius:4px}
    label.invalid input,label.invalid select,label.invalid textarea{border-color:#9b1c1c}label.field small.error{display:block}
    .banner{background:#fde2e1;border-left:4px solid #9b1c1c;padding:.5em .8em;margin:.6em 0;color:#5c1010}.banner a{color:inherit}
    """
}
