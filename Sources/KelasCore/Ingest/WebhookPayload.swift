import Foundation

/// The messages and statuses of WhatsApp Cloud API webhook payloads.
public struct WebhookContent: Sendable, Hashable {
    public var payloads = 0
    public var messages: [InboundMessage] = []
    public var statuses: [DeliveryStatus] = []

    public init() {}

    /// Adds another payload's content after this one's.
    public mutating func append(_ other: WebhookContent) {
        payloads += other.payloads
        messages += other.messages
        statuses += other.statuses
    }
}

/// Reads WhatsApp Cloud API webhook payloads: one JSON document (an object or an array of them), or JSON lines.
///
/// Unknown fields are ignored, so newer payloads keep working; a payload that lacks what Kelas needs is an error
/// naming the file, the line and the field.
public enum WebhookPayload {
    public static func decode(_ data: Data, file: String) throws -> WebhookContent {
        var content = WebhookContent()
        try documents(data) { document, line in try decodeDocument(document, file: file, line: line, into: &content) }
        return content
    }

    /// The JSON documents of a payload file: one document (an object or an array), or JSON lines (with their numbers).
    static func documents(_ data: Data, _ each: (Data, Int?) throws -> Void) throws {
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let nonBlank = lines.enumerated().filter { !$0.element.allSatisfy(Self.isSpace) }
        // JSON lines when the first non-blank line is a whole JSON value by itself and others follow.
        if nonBlank.count > 1, let first = nonBlank.first, (try? JSONSerialization.jsonObject(with: Data(first.element))) != nil {
            for (index, line) in nonBlank { try each(Data(line), index + 1) }
        } else {
            try each(data, nil)
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }

    private static func decodeDocument(_ data: Data, file: String, line: Int?, into content: inout WebhookContent) throws {
        let decoder = JSONDecoder()
        let location = SourceLocation(file: file, line: line ?? 1, column: 1)
        let envelopes: [Envelope]
        do {
            if data.first(where: { !isSpace($0) }) == UInt8(ascii: "[") {
                envelopes = try decoder.decode([Envelope].self, from: data)
            } else {
                envelopes = [try decoder.decode(Envelope.self, from: data)]
            }
        } catch let error as DecodingError {
            throw problem(location, describe(error))
        }
        for envelope in envelopes {
            guard let entries = envelope.entry else {
                throw ValidationFailure([Diagnostic(.error, location, Phrase("payload.noEntry"),
                                                    fix: Phrase("payload.noEntry.fix", ["shape": "{\"object\": \"whatsapp_business_account\", \"entry\": [...]}"]))])
            }
            content.payloads += 1
            for change in entries.flatMap({ $0.changes ?? [] }) {
                guard let value = change.value else { continue }
                var names: [String: String] = [:]
                for contact in value.contacts ?? [] { if let id = contact.waId, let name = contact.profile?.name { names[id] = name } }
                for (index, message) in (value.messages ?? []).enumerated() {
                    content.messages.append(try message.inbound(names: names, at: location, path: "messages[\(index)]"))
                }
                for (index, status) in (value.statuses ?? []).enumerated() {
                    content.statuses.append(try status.delivery(at: location, path: "statuses[\(index)]"))
                }
            }
        }
    }

    /// A decoding error as a location and a sentence naming the field, e.g. "`entry[0].changes` must be a list".
    static func describe(_ error: DecodingError) -> Phrase {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("") { text, key in
                if let index = key.intValue { return text + "[\(index)]" }
                return text + (text.isEmpty ? "" : ".") + snakeCase(key.stringValue)
            }
        }
        switch error {
        case .typeMismatch(let type, let context):
            return Phrase("payload.wrongType", ["path": path(context.codingPath), "type": "\(type)"])
        case .valueNotFound(_, let context):
            return Phrase("payload.null", ["path": path(context.codingPath)])
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return Phrase("payload.missing", ["path": (parent.isEmpty ? "" : parent + ".") + snakeCase(key.stringValue)])
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return Phrase("payload.notJSON", ["problem": underlying ?? context.debugDescription])
        @unknown default:
            return Phrase("payload.unreadable", ["problem": "\(error)"])
        }
    }

    static func snakeCase(_ key: String) -> String {
        key.reduce(into: "") { text, character in
            if character.isUppercase { text += "_" + character.lowercased() } else { text.append(character) }
        }
    }

    static func problem(_ location: SourceLocation, _ message: Phrase) -> ValidationFailure {
        ValidationFailure([Diagnostic(.error, location, message, fix: Phrase("payload.cloudFix"))])
    }

    static func date(_ timestamp: String, at location: SourceLocation, path: String) throws -> Date {
        guard let date = unixTime(timestamp) else {
            throw problem(location, Phrase("payload.timestamp", ["path": path + ".timestamp", "found": timestamp]))
        }
        return date
    }

    /// Unix seconds between 2000 and 2100: anything else is not a WhatsApp message's time (and a huge number would
    /// overflow the calendar arithmetic of the tracker). Milliseconds (a gateway's envelope) are read as such.
    static func unixTime(_ text: String, milliseconds: Bool = false) -> Date? {
        guard var seconds = Double(text), seconds.isFinite else { return nil }
        if milliseconds && seconds > 100_000_000_000 { seconds /= 1000 }
        guard seconds >= 946_684_800, seconds < 4_102_444_800 else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    // The parts of the payload Kelas reads (and the simulator writes). Field names follow the Cloud API: a snake-case
    // name has its coding key spelled out (a key strategy converts every key of every payload, which cost a fifth of
    // reading one); a field left nil is not written.
    struct Envelope: Codable { var object: String?; var entry: [Entry]? }
    struct Entry: Codable { var id: String?; var changes: [Change]? }
    struct Change: Codable { var field: String?; var value: Value? }
    struct Value: Codable {
        var messagingProduct: String?
        var metadata: Metadata?
        var contacts: [Contact]?
        var messages: [Message]?
        var statuses: [Status]?

        enum CodingKeys: String, CodingKey {
            case messagingProduct = "messaging_product", metadata, contacts, messages, statuses
        }
    }
    struct Metadata: Codable {
        var displayPhoneNumber: String?
        var phoneNumberId: String?

        enum CodingKeys: String, CodingKey { case displayPhoneNumber = "display_phone_number", phoneNumberId = "phone_number_id" }
    }
    struct Contact: Codable {
        var waId: String?
        var profile: Profile?

        enum CodingKeys: String, CodingKey { case waId = "wa_id", profile }
    }
    struct Profile: Codable { var name: String? }
    struct Text: Codable { var body: String? }
    struct Media: Codable {
        var id: String?
        var mimeType: String? = nil
        var voice: Bool?
        var caption: String? = nil
        var filename: String? = nil

        enum CodingKeys: String, CodingKey { case id, mimeType = "mime_type", voice, caption, filename }
    }
    struct Reaction: Codable {
        var messageId: String?
        var emoji: String?

        enum CodingKeys: String, CodingKey { case messageId = "message_id", emoji }
    }
    struct Context: Codable { var id: String?; var from: String? }
    struct ErrorInfo: Codable { var code: Int?; var title: String?; var message: String? }

    struct Message: Codable {
        var from: String
        var id: String
        var timestamp: String
        var type: String
        var text: Text?
        var audio: Media?
        var voice: Media?
        var image: Media?
        var video: Media?
        var document: Media?
        var sticker: Media?
        var reaction: Reaction?
        var context: Context? = nil
        var groupId: String? = nil

        enum CodingKeys: String, CodingKey {
            case from, id, timestamp, type, text, audio, voice, image, video, document, sticker, reaction, context, groupId = "group_id"
        }

        func inbound(names: [String: String], at location: SourceLocation, path: String) throws -> InboundMessage {
            let sentAt = try WebhookPayload.date(timestamp, at: location, path: path)
            let kind: InboundMessage.Kind
            var body: String?
            var quoting = context?.id
            switch type {
            case "text": kind = .text; body = text?.body
            case "audio": kind = audio?.voice == true ? .voice : .audio
            case "voice": kind = .voice
            case "image": kind = .image; body = image?.caption
            case "video": kind = .video; body = video?.caption
            case "document": kind = .document; body = document?.caption ?? document?.filename
            case "sticker": kind = .sticker
            case "reaction":
                kind = .reaction; body = reaction?.emoji
                quoting = reaction?.messageId ?? quoting
            default: kind = .other; body = text?.body
            }
            let phone = try? PhoneNumber.parse("+" + from).get()
            // A group message's text carries its mentions as `@628…`, as exports do.
            return InboundMessage(id: id, phone: phone, author: names[from] ?? from, sentAt: sentAt, kind: kind, text: body,
                                  quoting: quoting, groupID: groupId, mentions: kind == .text ? body.map(PhoneNumber.mentions(in:)) ?? [] : [])
        }
    }

    struct Status: Codable {
        var id: String
        var status: String
        var timestamp: String
        var recipientId: String?
        var errors: [ErrorInfo]?

        enum CodingKeys: String, CodingKey { case id, status, timestamp, recipientId = "recipient_id", errors }

        func delivery(at location: SourceLocation, path: String) throws -> DeliveryStatus {
            guard let state = DeliveryStatus.State(rawValue: status) else {
                throw WebhookPayload.problem(location, Phrase("payload.oneOf", ["path": path + ".status", "found": status,
                                                                              "values": DeliveryStatus.State.allCases.map(\.rawValue).joined(separator: ", ")]))
            }
            let error = errors?.first
            return DeliveryStatus(messageID: id, recipient: recipientId ?? "", state: state,
                                  at: try WebhookPayload.date(timestamp, at: location, path: path),
                                  errorCode: error?.code, errorTitle: error?.title ?? error?.message)
        }
    }
}
