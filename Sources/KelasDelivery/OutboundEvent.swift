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

    /// Compact JSON with sorted keys: the exact bytes that are signed and sent — what `JSONEncoder` writes with
    /// `.sortedKeys` and `.withoutEscapingSlashes` (a test holds the two equal), written directly: the encoder's
    /// containers and dynamic casts cost more than the rest of preparing a message.
    public func body() -> Data {
        var out = JSONBytes(capacity: 320 + text.utf8.count + recipients.count * 18)
        out.key("audience", first: true); out.string(audience)
        out.key("batch"); out.string(batch)
        out.key("day"); out.number(day)
        out.key("filename"); out.string(filename)
        out.key("group"); out.string(group)
        out.key("id"); out.string(id)
        out.key("item"); out.string(item)
        out.key("kind"); out.string(kind)
        out.key("link"); out.string(link)
        out.key("plannedAt"); out.string(plannedAt)
        out.key("recipients"); out.strings(recipients)
        out.key("session"); out.number(session)
        out.key("template")
        if let template {
            out.key("language", first: true, open: true); out.string(template.language)
            out.key("name"); out.string(template.name)
            out.key("parameters"); out.strings(template.parameters)
            out.close()
        } else {
            out.null()
        }
        out.key("text"); out.string(text)
        out.close()
        return Data(out.bytes)
    }
}

/// JSON written byte by byte, escaped as `JSONEncoder` escapes (slashes left as they are).
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// `"name":` — after `{` for the first key of an object (`open` writes the brace), after `,` otherwise.
    mutating func key(_ name: StaticString, first: Bool = false, open: Bool = false) {
        if first {
            if open || bytes.isEmpty { bytes.append(UInt8(ascii: "{")) }
        } else {
            bytes.append(UInt8(ascii: ","))
        }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func close() { bytes.append(UInt8(ascii: "}")) }

    mutating func null() { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    mutating func number(_ value: Int?) {
        guard let value else { return null() }
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func string(_ value: String?) {
        guard var value else { return null() }
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8 { text in
            var start = 0
            for (index, byte) in text.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
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
    /// The same with at most `inFlight` of them under way at once. A sink that sends over the network starts the next
    /// as soon as one ends; the default sends them in groups of `inFlight`.
    func send(_ events: [OutboundEvent], at now: Date, inFlight: Int) async -> [SendReport]
}

extension OutboundSink {
    public var observesConversationWindow: Bool { false }

    public func send(_ events: [OutboundEvent], at now: Date, inFlight: Int) async -> [SendReport] {
        var reports: [SendReport] = []
        reports.reserveCapacity(events.count)
        for start in stride(from: 0, to: events.count, by: max(1, inFlight)) {
            reports += await send(Array(events[start..<min(start + max(1, inFlight), events.count)]), at: now)
        }
        return reports
    }
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
                var line = event.body()
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
