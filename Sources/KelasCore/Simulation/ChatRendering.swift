import Foundation

/// How a simulated week is written as a WhatsApp chat export: the phone's OS and its language.
public struct ChatExportStyle: Sendable, Hashable {
    public enum Platform: String, Sendable, CaseIterable { case android, ios }
    public var platform: Platform
    public var locale: Language

    public init(platform: Platform = .android, locale: Language = .id) {
        self.platform = platform
        self.locale = locale
    }
}

/// Renders a simulated week: as the `.txt` a phone's "Export chat" writes (with media), as a terminal transcript,
/// and as a self-contained HTML page that looks like the group.
public enum ChatRendering {
    // MARK: Export

    /// The export as the group admin's phone writes it, with voice notes as the attachment lines of that phone.
    public static func export(_ week: SimulatedWeek, style: ChatExportStyle, groupName: String? = nil) -> String {
        let offset = week.batch.timeZone.secondsFromGMT(for: week.end)
        let group = groupName ?? week.batch.name
        let admin = week.batch.admin.alias ?? week.batch.admin.name
        let first = week.messages.first?.at ?? week.end
        let opening = first.addingTimeInterval(-3600)
        var lines: [String] = []
        let system: [(Date, String)]
        switch style.locale {
        case .id:
            system = [(opening, "Pesan dan panggilan dienkripsi secara end-to-end. Tidak seorang pun di luar chat ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya."),
                      (opening, "\(admin) membuat grup \"\(group)\""),
                      (opening.addingTimeInterval(60), "\(admin) menambahkan \(week.batch.participants.count) peserta")]
        case .en:
            system = [(opening, "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them."),
                      (opening, "\(admin) created group \"\(group)\""),
                      (opening.addingTimeInterval(60), "\(admin) added \(week.batch.participants.count) participants")]
        }
        for (at, text) in system {
            switch style.platform {
            case .android: lines.append("\(androidStamp(at, offset: offset, locale: style.locale)) - \(text)")
            case .ios: lines.append("[\(iosStamp(at, offset: offset, locale: style.locale))] \(group): \u{200E}\(text)")
            }
        }
        var voiceNumber = 0
        for message in week.messages {
            var text = message.text
            if message.isVoice {
                voiceNumber += 1
                text = attachment(at: message.at, number: voiceNumber, offset: offset, style: style)
            }
            switch style.platform {
            case .android:
                lines.append("\(androidStamp(message.at, offset: offset, locale: style.locale)) - \(message.name): \(text)")
            case .ios:
                let mark = message.isVoice ? "\u{200E}" : ""
                lines.append("\(mark)[\(iosStamp(message.at, offset: offset, locale: style.locale))] \(message.name): \(mark)\(text)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func attachment(at date: Date, number: Int, offset: Int, style: ChatExportStyle) -> String {
        let parts = components(date, offset: offset)
        let ymd = String(format: "%04d%02d%02d", parts.year, parts.month, parts.day)
        switch (style.platform, style.locale) {
        case (.android, .id): return "PTT-\(ymd)-WA\(String(format: "%04d", number % 10_000)).opus (file terlampir)"
        case (.android, .en): return "PTT-\(ymd)-WA\(String(format: "%04d", number % 10_000)).opus (file attached)"
        case (.ios, let locale):
            let name = String(format: "%08d-AUDIO-%04d-%02d-%02d-%02d-%02d-%02d.opus", number, parts.year, parts.month, parts.day,
                              parts.hour, parts.minute, parts.second)
            return locale == .id ? "<terlampir: \(name)>" : "<attached: \(name)>"
        }
    }

    struct Parts { var year, month, day, hour, minute, second: Int }

    static func components(_ date: Date, offset: Int) -> Parts {
        let local = KelasTimeZone.local(date, offset: offset)
        let date = LocalDate(daysSinceEpoch: local.day)
        let time = LocalTime(secondsOfDay: local.second)
        return Parts(year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute, second: time.second)
    }

    /// `05/07/21 07.30` (Indonesian) or `7/5/21, 7:30 AM` (English).
    static func androidStamp(_ date: Date, offset: Int, locale: Language) -> String {
        let p = components(date, offset: offset)
        switch locale {
        case .id: return String(format: "%02d/%02d/%02d %02d.%02d", p.day, p.month, p.year % 100, p.hour, p.minute)
        case .en: return String(format: "%d/%d/%02d, %d:%02d ", p.month, p.day, p.year % 100, twelve(p.hour), p.minute) + (p.hour < 12 ? "AM" : "PM")
        }
    }

    /// `05/07/21 07.30.00` (Indonesian) or `7/5/21, 7:30:00 AM` (English).
    static func iosStamp(_ date: Date, offset: Int, locale: Language) -> String {
        let p = components(date, offset: offset)
        switch locale {
        case .id: return String(format: "%02d/%02d/%02d %02d.%02d.%02d", p.day, p.month, p.year % 100, p.hour, p.minute, p.second)
        case .en: return String(format: "%d/%d/%02d, %d:%02d:%02d ", p.month, p.day, p.year % 100, twelve(p.hour), p.minute, p.second)
            + (p.hour < 12 ? "AM" : "PM")
        }
    }

    static func twelve(_ hour: Int) -> Int { hour % 12 == 0 ? 12 : hour % 12 }

    static func duration(_ seconds: Int) -> String { "\(seconds / 60):\(String(format: "%02d", seconds % 60))" }

    /// Each message with its local day, for the day separators of the transcript and the page.
    static func days(_ week: SimulatedWeek) -> [(date: LocalDate, messages: [SimulatedMessage])] {
        let offset = week.batch.timeZone.secondsFromGMT(for: week.end)
        var result: [(date: LocalDate, messages: [SimulatedMessage])] = []
        for message in week.messages {
            let p = components(message.at, offset: offset)
            let date = LocalDate(year: p.year, month: p.month, day: p.day)
            if result.last?.date == date { result[result.count - 1].messages.append(message) } else { result.append((date, [message])) }
        }
        return result
    }

    static func clock(_ date: Date, offset: Int) -> String {
        let p = components(date, offset: offset)
        return String(format: "%02d:%02d", p.hour, p.minute)
    }

    // MARK: Transcript

    /// The chat for a terminal: day separators, `07:30 Name: text`, `🎤 0:42` for voice notes.
    public static func transcript(_ week: SimulatedWeek) -> String {
        let offset = week.batch.timeZone.secondsFromGMT(for: week.end)
        var out = ""
        for (date, messages) in days(week) {
            out += "\n── \(Planner.longDate(date, language: week.batch.language)) ──\n"
            for message in messages {
                let body = message.isVoice ? "🎤 \(duration(message.voiceSeconds ?? 0))" : message.text.replacingOccurrences(of: "\n", with: "\n      ")
                out += "\(clock(message.at, offset: offset)) \(message.name): \(body)\n"
            }
        }
        return out
    }

    // MARK: HTML

    /// A self-contained page that looks like the WhatsApp group, followed by the completion summary.
    public static func html(_ week: SimulatedWeek, summary: [(String, String)]) -> String {
        let offset = week.batch.timeZone.secondsFromGMT(for: week.end)
        let trainers = Set(week.batch.trainers.map(\.phone) + [week.batch.admin.phone])
        let palette = ["#1f7aec", "#c2185b", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#5d4037"]
        var colour: [PhoneNumber: String] = [:]
        var body = ""
        for (date, messages) in days(week) {
            body += "<div class=\"day\"><span>\(escape(Planner.longDate(date, language: week.batch.language)))</span></div>\n"
            for message in messages {
                let mine = trainers.contains(message.phone)
                let tint = colour[message.phone] ?? palette[colour.count % palette.count]
                colour[message.phone] = tint
                let content = message.isVoice
                    ? "<div class=\"voice\"><span class=\"play\">▶</span><span class=\"wave\"></span><span>\(duration(message.voiceSeconds ?? 0))</span></div>"
                    : "<div class=\"text\">\(linkify(escape(message.text)).replacingOccurrences(of: "\n", with: "<br>"))</div>"
                body += """
                <div class="row \(mine ? "trainer" : "participant")"><div class="bubble">\
                <div class="name" style="color:\(tint)">\(escape(message.name))\(mine ? " · trainer" : "")</div>\
                \(content)<div class="time">\(clock(message.at, offset: offset))</div></div></div>

                """
            }
        }
        let rows = summary.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n")
        return """
        <!doctype html>
        <html lang="\(week.batch.language.rawValue)"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(week.batch.name)) — simulated week (seed \(week.seed))</title>
        <style>
        body{margin:0;font:15px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#efeae2;color:#111b21}
        header{background:#008069;color:#fff;padding:12px 16px;position:sticky;top:0}
        header h1{font-size:17px;margin:0}header p{margin:2px 0 0;font-size:13px;opacity:.85}
        main{max-width:760px;margin:0 auto;padding:8px 12px 24px}
        .day{text-align:center;margin:14px 0 8px}.day span{background:#fff;border-radius:8px;padding:4px 10px;font-size:12.5px;color:#54656f;box-shadow:0 1px .5px rgba(0,0,0,.13)}
        .row{display:flex;margin:3px 0}.row.trainer{justify-content:flex-start}.row.participant{justify-content:flex-end}
        .bubble{max-width:78%;border-radius:8px;padding:6px 8px 4px;box-shadow:0 1px .5px rgba(0,0,0,.13);background:#fff}
        .participant .bubble{background:#d9fdd3}
        .name{font-size:12.8px;font-weight:600;margin-bottom:2px}.text{white-space:normal;word-wrap:break-word}
        .time{font-size:11px;color:#667781;text-align:right;margin-top:2px}
        .voice{display:flex;align-items:center;gap:8px;min-width:200px}.play{font-size:18px;color:#54656f}
        .wave{flex:1;height:14px;background:repeating-linear-gradient(90deg,#8696a0 0 2px,transparent 2px 5px);border-radius:2px}
        a{color:#027eb5}
        section{max-width:760px;margin:0 auto 32px;padding:12px;background:#fff;border-radius:8px}
        section h2{font-size:16px;margin:4px 0 8px}table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e9edef;font-size:14px}
        </style></head><body>
        <header><h1>\(escape(week.batch.name))</h1><p>\(week.batch.participants.count) participants · \(week.batch.trainers.map(\.name).map(escape).joined(separator: ", ")) · simulated, seed \(week.seed)</p></header>
        <main>
        \(body)</main>
        <section><h2>Completion summary</h2><table>
        \(rows)
        </table></section>
        </body></html>

        """
    }

    static func escape(_ text: String) -> String { HTML.escape(text) }

    static func linkify(_ escaped: String) -> String {
        escaped.split(separator: " ", omittingEmptySubsequences: false).map { word in
            let parts = word.split(separator: "\n", omittingEmptySubsequences: false).map { piece -> String in
                piece.hasPrefix("https://") || piece.hasPrefix("http://") ? "<a href=\"\(piece)\">\(piece)</a>" : String(piece)
            }
            return parts.joined(separator: "\n")
        }.joined(separator: " ")
    }
}
