import Foundation

/// How `kelas plan` prints a plan.
public enum PlanFormat: String, Sendable, CaseIterable {
    case table
    case json
    case markdown
}

/// Renders a plan (one day or the whole week) for people (table, Markdown) or programs (JSON).
public struct PlanRenderer: Sendable {
    public var batch: Batch
    /// The day shown, or nil for the whole week.
    public var day: Int?
    public var messages: [PlannedMessage]
    /// The language of the table and Markdown (the messages are in the batch's language; JSON keys never change).
    public var t: Localizer

    public init(batch: Batch, day: Int?, messages: [PlannedMessage], localizer: Localizer = Localizer(.en)) {
        self.batch = batch
        self.day = day
        self.messages = messages
        self.t = localizer
    }

    public func render(_ format: PlanFormat) throws -> String {
        switch format {
        case .table: table()
        case .markdown: markdown()
        case .json: try json()
        }
    }

    // MARK: JSON

    struct Document: Encodable {
        var batch: String
        var day: Int?
        var date: String?
        var timezone: String
        var messages: [Message]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(batch, forKey: .batch)
            try container.encode(day, forKey: .day) // null for the whole week, not absent
            try container.encode(date, forKey: .date)
            try container.encode(timezone, forKey: .timezone)
            try container.encode(messages, forKey: .messages)
        }

        enum CodingKeys: String, CodingKey { case batch, day, date, timezone, messages }
    }

    struct Message: Encodable {
        var id: String
        var day: Int
        var sendAt: String
        var kind: ItemKind
        var audience: Audience
        var sender: String?
        var session: Int?
        var text: String
        var url: String?
        var filename: String?
        var flags: [PlanFlag]
        var template: PlannedTemplate?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(day, forKey: .day)
            try container.encode(sendAt, forKey: .sendAt)
            try container.encode(kind, forKey: .kind)
            try container.encode(audience, forKey: .audience)
            try container.encodeIfPresent(sender, forKey: .sender)
            try container.encodeIfPresent(session, forKey: .session)
            try container.encode(text, forKey: .text)
            try container.encode(url, forKey: .url) // null when the message has no link
            try container.encodeIfPresent(filename, forKey: .filename)
            try container.encode(flags, forKey: .flags)
            try container.encodeIfPresent(template, forKey: .template)
        }

        enum CodingKeys: String, CodingKey { case id, day, sendAt, kind, audience, sender, session, text, url, filename, flags, template }
    }

    public func json() throws -> String {
        let document = Document(
            batch: batch.id, day: day, date: day.map { batch.date(ofDay: $0).description },
            timezone: batch.timeZone.identifier,
            messages: messages.map {
                Message(id: $0.id, day: $0.day, sendAt: KelasTimeZone.iso8601($0.date, $0.localTime, offset: batch.timeZone.secondsFromGMT(for: $0.sendAt)),
                        kind: $0.kind, audience: $0.audience, sender: $0.sender, session: $0.session, text: $0.text,
                        url: $0.url, filename: $0.filename, flags: $0.flags, template: $0.template)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(document)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    // MARK: Table and Markdown

    /// One printed row: a message, or in fan-out all recipients of one item.
    struct Row {
        var time: String
        var kind: String
        var audience: String
        var text: String
        var flags: String
    }

    func rows(for dayMessages: [PlannedMessage]) -> [Row] {
        var order: [String] = []
        var groups: [String: [PlannedMessage]] = [:]
        for message in dayMessages {
            if groups[message.itemKey] == nil { order.append(message.itemKey) }
            groups[message.itemKey, default: []].append(message)
        }
        return order.compactMap { key in
            guard let group = groups[key], let first = group.first else { return nil }
            let last = group.map(\.localTime).max() ?? first.localTime
            var time = first.localTime.description
            if last != first.localTime { time += "–" + last.description }
            if first.date != batch.date(ofDay: first.day) { time += " (\(first.date.weekday.rawValue) \(first.date))" }
            let audience: String
            switch first.audience {
            case .group: audience = t("plan.group")
            case .participant: audience = group.count == 1 ? participantName(first.audience) : t("plan.participants", ["count": String(group.count)])
            case .nonResponders(let discussion): audience = t("plan.silentOn", ["discussion": discussion])
            }
            var text = first.text
            if let filename = first.filename { text = "[\(filename)] " + text }
            else if let url = first.url, first.kind == .video || first.kind == .document { text = "[\(url)] " + text }
            let flags = Array(Set(group.flatMap(\.flags))).sorted().map(\.rawValue)
            return Row(time: time, kind: first.kind.rawValue, audience: audience, text: text, flags: flags.joined(separator: " "))
        }
    }

    private func participantName(_ audience: Audience) -> String {
        guard case .participant(let phone) = audience else { return audience.description }
        return batch.participants.first { $0.phone == phone }?.name ?? phone.e164
    }

    private var days: [Int] { Array(Set(messages.map(\.day))).sorted() }

    private func heading(_ day: Int) -> String {
        let date = batch.date(ofDay: day)
        return t("plan.heading", ["day": String(day), "date": t.longDate(date), "zone": batch.timeZone.identifier, "offset": offset])
    }

    private var offset: String {
        let seconds = batch.timeZone.secondsFromGMT(for: KelasTimeZone.instant(batch.start, LocalTime(secondsOfDay: 0), in: batch.timeZone))
        return (seconds < 0 ? "-" : "+") + String(format: "%02d:%02d", abs(seconds) / 3600, abs(seconds) % 3600 / 60)
    }

    private func summary(_ messages: [PlannedMessage]) -> String {
        func count(_ flag: PlanFlag) -> Int { messages.count { $0.flags.contains(flag) } }
        func count(_ key: String, _ value: Int) -> String { t(key, ["count": t.integer(value)]) }
        var parts = [messages.count == 1 ? t("plan.messagesOne") : count("plan.messages", messages.count)]
        if count(.shifted) > 0 { parts.append(count("plan.shifted", count(.shifted))) }
        // Fan-out through the Cloud API: which way each message goes given the 24-hour windows known now.
        let closed = count(.template) + count(.reengage) + count(.needsTemplate)
        let oneToOne = messages.count { if case .participant = $0.audience { true } else { false } }
        if closed > 0 && oneToOne > closed { parts.append(count("plan.freeForm", oneToOne - closed)) }
        if count(.template) > 0 { parts.append(count("plan.asTemplate", count(.template))) }
        if count(.reengage) > 0 { parts.append(count("plan.reengage", count(.reengage))) }
        if count(.needsTemplate) > 0 { parts.append(count("plan.needsTemplate", count(.needsTemplate))) }
        return parts.joined(separator: " · ")
    }

    public func table(previewWidth: Int = 60) -> String {
        var out = t("plan.header", ["name": batch.name, "id": batch.id, "mode": t("plan.mode." + batch.delivery.mode.rawValue),
                                    "window": batch.delivery.window.description]) + "\n"
        if messages.isEmpty { return out + "\n" + noMessages + "\n" }
        for day in days {
            let dayMessages = messages.filter { $0.day == day }
            let rows = rows(for: dayMessages)
            let header = Row(time: t("plan.time"), kind: t("plan.kind"), audience: t("plan.audience"), text: t("plan.message"), flags: t("plan.flags"))
            let all = [header] + rows
            let widths = (
                all.map(\.time.count).max() ?? 4, all.map(\.kind.count).max() ?? 4, all.map(\.audience.count).max() ?? 8
            )
            out += "\n" + heading(day) + "\n"
            for (index, row) in all.enumerated() {
                let text = index == 0 ? row.text : preview(row.text, width: previewWidth)
                var line = pad(row.time, widths.0) + "  " + pad(row.kind, widths.1) + "  " + pad(row.audience, widths.2) + "  "
                line += row.flags.isEmpty ? text : pad(text, previewWidth) + "  " + row.flags
                out += line.trimmingTrailingSpaces() + "\n"
            }
            out += summary(dayMessages) + "\n"
        }
        return out
    }

    public func markdown() -> String {
        var out = "# \(batch.name)\n\n"
        out += t("plan.markdownBatch", ["id": batch.id, "programme": batch.programme, "district": batch.district,
                                        "mode": t("plan.mode." + batch.delivery.mode.rawValue), "window": batch.delivery.window.description]) + "\n"
        for day in days {
            let dayMessages = messages.filter { $0.day == day }
            out += "\n## \(heading(day))\n\n"
            out += "| " + ["column.time", "column.kind", "plan.audience", "plan.message", "plan.flags"].map { key in
                let title = t(key)
                return title.prefix(1) + title.dropFirst().lowercased()
            }.joined(separator: " | ") + " |\n|---|---|---|---|---|\n"
            for row in rows(for: dayMessages) {
                let cells = [row.time, row.kind, row.audience, escape(row.text), row.flags]
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
            out += "\n" + summary(dayMessages) + "\n"
        }
        if messages.isEmpty { out += "\n" + noMessages + "\n" }
        return out
    }

    private var noMessages: String { day.map { t("plan.noneOnDay", ["day": String($0)]) } ?? t("plan.none") }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "<br>")
    }

    private func preview(_ text: String, width: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " / ")
        return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
