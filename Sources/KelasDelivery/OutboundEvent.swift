import Foundation
import KelasCore

/// The JSON a sink delivers for one planned message: what the `webhook` sink POSTs and the `jsonl` sink writes.
///
/// ```json
/// {"id": "msg_gresik-2021-07:d2:diskusi-sesi-1", "batch": "gresik-2021-07", "day": 2, "item": "diskusi-sesi-1",
///  "kind": "discussion", "audience": "group", "recipients": ["+6281234567110", …], "text": "…",
///  "link": null, "filename": null, "session": 1, "plannedAt": "2021-07-06T09:00:00+07:00", "group": null,
///  "template": null}
/// ```
///
/// `template` is set when a fan-out message goes as an approved template (its recipient's 24-hour window is closed):
/// `{"name": "kelas_sesi_1", "language": "id", "parameters": ["Budi", …]}`.
public struct OutboundEvent: Sendable, Equatable, Codable {
    /// The `webhook-id`: the same on every attempt, so a receiver that dedupes sees the message once.
    public var id: String
    public var batch: String
    public var day: Int
    public var item: String
    public var kind: String
    /// `group`, `participant:+62…` or `non-responders:<discussion>`.
    public var audience: String
    /// The participants it reaches: everyone for the group, one for fan-out, the silent ones for a reminder.
    public var recipients: [String]
    public var text: String
    public var link: String?
    public var filename: String?
    public var session: Int?
    /// The planned local time with its offset (ISO 8601).
    public var plannedAt: String
    /// The batch's WhatsApp group (`delivery.group`), where a gateway posts it; null when the batch names none.
    public var group: String?
    /// The approved template this message goes as, when the recipient's 24-hour window is closed; null: free-form.
    public var template: Template?

    public struct Template: Sendable, Equatable, Codable {
        public var name: String
        public var language: String
        public var parameters: [String]

        public init(_ planned: PlannedTemplate) {
            name = planned.name
            language = planned.language
            parameters = planned.parameters
        }
    }

    public init(webhookID: String, message: PlannedMessage, recipients: [PhoneNumber], offset: Int, group: String? = nil) {
        self.group = group
        id = webhookID
        batch = message.batchID
        day = message.day
        item = message.itemKey
        kind = message.kind.rawValue
        audience = message.audience.description
        self.recipients = recipients.map(\.e164)
        text = message.text
        link = message.url
        filename = message.filename
        session = message.session
        plannedAt = KelasTimeZone.iso8601(message.date, message.localTime, offset: offset)
    }

    enum CodingKeys: String, CodingKey { case id, batch, day, item, kind, audience, recipients, text, link, filename, session, plannedAt, group, template }

    /// Absent values are written as `null`, so every event has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(batch, forKey: .batch)
        try container.encode(day, forKey: .day)
        try container.encode(item, forKey: .item)
        try container.encode(kind, forKey: .kind)
        try container.encode(audience, forKey: .audience)
        try container.encode(recipients, forKey: .recipients)
        try container.encode(text, forKey: .text)
        try container.encode(link, forKey: .link)
        try container.encode(filename, forKey: .filename)
        try container.encode(session, forKey: .session)
        try container.encode(plannedAt, forKey: .plannedAt)
        try container.encode(group, forKey: .group)
        try container.encode(template, forKey: .template)
    }

    /// Compact JSON with sorted keys: the exact bytes that are signed and sent.
    public func body() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// Where outbound messages go. Sends a group of messages (a sink may have several in flight) and reports, in order,
/// what happened to each.
public protocol OutboundSink: Sendable {
    /// A short name for logs and summaries (`console`, `jsonl:out.jsonl`, `webhook:https://…`), never a secret.
    var name: String { get }
    /// Whether free-form messages reach a person only within 24 h of their last message (the Cloud API): the
    /// dispatcher then sends a fan-out message as its template when the window is closed.
    var observesConversationWindow: Bool { get }
    func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport]
}

extension OutboundSink {
    public var observesConversationWindow: Bool { false }
}

/// What a sink reports for one message: the outcome, and how long the attempt took when it measured it.
public struct SendReport: Sendable, Equatable {
    public var outcome: SendOutcome
    public var latency: TimeInterval?
    /// The receiver said the recipient's 24-hour window is closed (Cloud API error 131047).
    public var windowClosed: Bool

    public init(_ outcome: SendOutcome, latency: TimeInterval? = nil, windowClosed: Bool = false) {
        self.outcome = outcome
        self.latency = latency
        self.windowClosed = windowClosed
    }
}

/// Prints each message instead of sending it: the dry run of `kelas run`.
public struct ConsoleSink: OutboundSink {
    public let name = "console"
    private let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.write = write
    }

    public func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
        for event in events {
            let what = [event.link, event.filename].compactMap { $0 }.map { "[\($0)] " }.joined()
            let text = event.text.replacingOccurrences(of: "\n", with: " ")
            write("\(event.plannedAt)  \(event.batch)  \(event.kind)  \(event.audience) (\(event.recipients.count))  \(what)\(text)")
        }
        return events.map { _ in SendReport(.status(200)) }
    }
}

/// Appends one JSON object per message to a file (created if needed).
public struct JSONLinesSink: OutboundSink {
    public let path: String
    public var name: String { "jsonl:\(path)" }

    public init(path: String) {
        self.path = path
    }

    public func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
        var outcomes: [SendReport] = []
        do {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    return events.map { _ in SendReport(.transportError("cannot create \(path)")) }
                }
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            for event in events {
                var line = try event.body()
                line.append(0x0A)
                try handle.write(contentsOf: line)
                outcomes.append(SendReport(.status(200)))
            }
            try handle.synchronize()
        } catch {
            // Nothing is known to have reached the file after a write error: every message is tried again.
            outcomes = Array(repeating: SendReport(.transportError("cannot write \(path): \(error.localizedDescription)")),
                             count: events.count)
        }
        return outcomes
    }
}
