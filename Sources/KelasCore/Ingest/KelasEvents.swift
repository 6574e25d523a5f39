import Foundation

/// Inbound events in Kelas's own JSON, for gateways that are not the WhatsApp Cloud API (`POST /webhooks/kelas`):
/// one event object or an array of them.
///
/// ```json
/// {"type": "message", "id": "gw-81724", "from": "+6281234567001", "name": "Budi", "at": "2021-07-06T09:14:00+07:00",
///  "kind": "voice", "text": null, "quoting": "msg_gresik-2021-07:d2:diskusi-sesi-1", "mentions": []}
/// {"type": "status", "message": "msg_gresik-2021-07:d2:diskusi-sesi-1", "recipient": "+6281234567001",
///  "state": "delivered", "at": "2021-07-06T09:00:04+07:00"}
/// ```
/// `kind` is one of `InboundMessage.Kind` (text, voice, audio, image, video, document, sticker, reaction, …); a text's
/// `@628…` mentions are read like a Cloud API payload's when `mentions` is left out. `message` of a status is the id
/// Kelas sent the message with (its `webhook-id`), or the gateway's own id if it stored it.
public enum KelasEvents {
    public static func decode(_ data: Data, file: String) throws -> WebhookContent {
        let decoder = JSONDecoder()
        let location = SourceLocation(file: file, line: 1, column: 1)
        let events: [Event]
        do {
            if data.first(where: { !WebhookPayload.isSpace($0) }) == UInt8(ascii: "[") {
                events = try decoder.decode([Event].self, from: data)
            } else {
                events = [try decoder.decode(Event.self, from: data)]
            }
        } catch let error as DecodingError {
            throw problem(location, WebhookPayload.describe(error))
        }
        var content = WebhookContent()
        content.payloads = 1
        for (index, event) in events.enumerated() {
            let path = events.count == 1 ? "" : "[\(index)]."
            guard let at = event.at.flatMap({ KelasTimeZone.instant(reading: $0, fractions: true) }) else {
                throw problem(location, event.at.map { Phrase("events.at", ["path": path + "at", "found": $0]) }
                              ?? Phrase("payload.missing", ["path": path + "at"]))
            }
            switch event.type {
            case "message":
                guard let id = event.id, let from = event.from else { throw problem(location, Phrase("events.message", ["first": path + "id", "second": path + "from"])) }
                guard case .success(let phone) = PhoneNumber.parse(from) else {
                    throw problem(location, Phrase("events.phone", ["path": path + "from", "found": from]))
                }
                let kindText = event.kind ?? "text"
                guard let kind = InboundMessage.Kind(rawValue: kindText) else {
                    throw problem(location, Phrase("payload.oneOf", ["path": path + "kind", "found": kindText,
                                                                     "values": InboundMessage.Kind.allCases.map(\.rawValue).joined(separator: ", ")]))
                }
                let mentions = try event.mentions.map { list in
                    try list.map { text -> PhoneNumber in
                        guard case .success(let phone) = PhoneNumber.parse(text) else {
                            throw problem(location, Phrase("events.mention", ["path": path + "mentions", "found": text]))
                        }
                        return phone
                    }
                } ?? (kind == .text ? event.text.map(PhoneNumber.mentions(in:)) ?? [] : [])
                content.messages.append(InboundMessage(id: id, phone: phone, author: event.name ?? phone.e164, sentAt: at, kind: kind,
                                                       text: event.text, quoting: event.quoting, groupID: event.group, mentions: mentions))
            case "status":
                guard let message = event.message else { throw problem(location, Phrase("events.status", ["path": path + "message"])) }
                let stateText = event.state ?? ""
                guard let state = DeliveryStatus.State(rawValue: stateText) else {
                    throw problem(location, Phrase("payload.oneOf", ["path": path + "state", "found": stateText,
                                                                     "values": DeliveryStatus.State.allCases.map(\.rawValue).joined(separator: ", ")]))
                }
                content.statuses.append(DeliveryStatus(messageID: message, recipient: event.recipient ?? "", state: state, at: at,
                                                       errorCode: event.error?.code, errorTitle: event.error?.title))
            default:
                throw problem(location, event.type.map { Phrase("payload.oneOf", ["path": path + "type", "found": $0, "values": "message, status"]) }
                              ?? Phrase("payload.missing", ["path": path + "type"]))
            }
        }
        return content
    }

    static func problem(_ location: SourceLocation, _ message: Phrase) -> ValidationFailure {
        ValidationFailure([Diagnostic(.error, location, message, fix: Phrase("events.format"))])
    }

    struct Event: Decodable {
        var type: String?
        var id: String?
        var from: String?
        var name: String?
        var at: String?
        var kind: String?
        var text: String?
        var quoting: String?
        var group: String?
        var mentions: [String]?
        var message: String?
        var recipient: String?
        var state: String?
        var error: ErrorInfo?
        struct ErrorInfo: Decodable { var code: Int?; var title: String? }
    }
}
