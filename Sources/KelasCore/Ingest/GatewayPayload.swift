import Foundation

/// The webhook formats Kelas reads: the Cloud API's, Kelas events, and the two group gateways'.
public enum WebhookFormat: String, Sendable, CaseIterable {
    case cloud, waha, evolution
}

/// WhatsApp's ids as the gateways write them: `628…@c.us` / `628…@s.whatsapp.net` a person, `…@g.us` a group,
/// `…@lid` a hidden per-group id.
public enum WhatsAppID {
    /// The phone behind a person id (`6281234567110@c.us` → `+6281234567110`); nil for a group, a lid or anything else.
    public static func phone(_ jid: String?) -> PhoneNumber? {
        guard let jid, let at = jid.firstIndex(of: "@") else { return nil }
        let domain = jid[jid.index(after: at)...]
        guard domain == "c.us" || domain == "s.whatsapp.net" else { return nil }
        let user = jid[..<at].split(separator: ":").first.map(String.init) ?? ""   // a device suffix, `628…:12@s.whatsapp.net`
        guard !user.isEmpty, user.allSatisfy(\.isNumber) else { return nil }
        return try? PhoneNumber.parse("+" + user).get()
    }

    /// The hidden id of a `…@lid` sender.
    public static func lid(_ jid: String?) -> String? {
        guard let jid, jid.hasSuffix("@lid") else { return nil }
        return jid
    }

    public static func isGroup(_ jid: String?) -> Bool { jid?.hasSuffix("@g.us") ?? false }

    /// A message id in the short form every source shares: WAHA serialises ids as `true_<chat>_<id>` (and
    /// `…_<participant>` in groups); the gateway's raw id, WhatsApp's own, is the third part.
    public static func shortMessageID(_ id: String) -> String {
        let parts = id.split(separator: "_", omittingEmptySubsequences: false)
        if parts.count >= 3, parts[0] == "true" || parts[0] == "false" { return String(parts[2]) }
        return id
    }
}

/// Reads WAHA and Evolution API webhook bodies (one document, an array, or JSON lines) into the same inbound messages
/// and delivery statuses as the Cloud API's. Our own messages (`fromMe`) are skipped; unknown events are counted and
/// ignored; a message without what Kelas needs is an error at file:line naming the field.
public enum GatewayPayload {
    public static func decode(_ data: Data, format: WebhookFormat, file: String) throws -> WebhookContent {
        switch format {
        case .cloud: return try WebhookPayload.decode(data, file: file)
        case .waha, .evolution:
            var content = WebhookContent()
            try WebhookPayload.documents(data) { document, line in
                let location = SourceLocation(file: file, line: line ?? 1, column: 1)
                let json: Any
                do { json = try JSONSerialization.jsonObject(with: document) } catch {
                    throw problem(location, Phrase("payload.notJSON", ["problem": error.localizedDescription]), format)
                }
                let envelopes: [Any] = (json as? [Any]) ?? [json]
                for (index, envelope) in envelopes.enumerated() {
                    guard let object = envelope as? [String: Any] else {
                        throw problem(location, Phrase("payload.notObject", ["index": String(index + 1)]), format)
                    }
                    content.payloads += 1
                    if format == .waha { try waha(object, at: location, into: &content) } else { try evolution(object, at: location, into: &content) }
                }
            }
            return content
        }
    }

    static func problem(_ location: SourceLocation, _ message: Phrase, _ format: WebhookFormat) -> ValidationFailure {
        let shape = format == .waha ? "{\"event\": \"message\", \"session\": \"default\", \"payload\": {…}}"
            : "{\"event\": \"messages.upsert\", \"instance\": \"…\", \"data\": {…}}"
        return ValidationFailure([Diagnostic(.error, location, message, fix: Phrase("payload.gatewayFix", ["gateway": format.rawValue, "shape": shape]))])
    }

    /// A voice note's length in whole seconds (a number or numeric text, 0 to a day); nil when absent or not one.
    static func seconds(_ value: Any?) -> Int? {
        guard let text = string(value), let seconds = Double(text), seconds.isFinite, (0...86_400).contains(seconds) else { return nil }
        return Int(seconds.rounded())
    }

    static func string(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        if let number = value as? NSNumber { return number.stringValue }
        return nil
    }

    static func time(_ value: Any?, at location: SourceLocation, path: String, _ format: WebhookFormat) throws -> Date {
        guard let text = string(value) ?? string((value as? [String: Any])?["low"]) else {
            throw problem(location, Phrase("payload.missing", ["path": path]), format)
        }
        guard let date = WebhookPayload.unixTime(text, milliseconds: true) else {
            throw problem(location, Phrase("payload.timestampMs", ["path": path, "found": text]), format)
        }
        return date
    }

    static func kind(mimetype: String?, voiceFlag: Bool) -> InboundMessage.Kind {
        if voiceFlag { return .voice }
        guard let mimetype = mimetype?.lowercased() else { return .media }
        if mimetype.hasPrefix("audio/ogg") || mimetype.hasPrefix("audio/opus") { return .voice }
        if mimetype.hasPrefix("audio/") { return .audio }
        if mimetype.hasPrefix("image/webp") { return .sticker }
        if mimetype.hasPrefix("image/") { return .image }
        if mimetype.hasPrefix("video/") { return .video }
        return .document
    }

    static func ackState(_ value: Any?) -> DeliveryStatus.State? {
        switch string(value)?.uppercased() {
        case "1", "SERVER_ACK", "SERVER": .sent
        case "2", "DELIVERY_ACK", "DEVICE": .delivered
        case "3", "READ": .read
        case "4", "PLAYED": .played
        case "-1", "ERROR": .failed
        default: nil
        }
    }

    // MARK: WAHA

    static func waha(_ envelope: [String: Any], at location: SourceLocation, into content: inout WebhookContent) throws {
        let event = string(envelope["event"]) ?? ""
        guard let payload = envelope["payload"] as? [String: Any] else {
            if event.isEmpty { throw problem(location, Phrase("payload.notWAHA"), .waha) }
            return
        }
        switch event {
        case "message", "message.any":
            guard (payload["fromMe"] as? Bool) != true else { return }
            guard let id = string(payload["id"]) else { throw problem(location, Phrase("payload.missing", ["path": "payload.id"]), .waha) }
            let data = payload["_data"] as? [String: Any] ?? [:]
            let chat = string(payload["from"])
            let group = WhatsAppID.isGroup(chat) ? chat : nil
            // In a group the sender is `participant` (NOWEB, GOWS) or `author` (WEBJS); 1:1, it is `from`.
            let sender = group == nil ? chat : string(payload["participant"]) ?? string(payload["author"]) ?? string(data["author"])
            let key = data["key"] as? [String: Any] ?? [:]
            let alternate = string(key["participantAlt"]) ?? string(key["participantPn"]) ?? string(data["participantAlt"])
            let media = payload["media"] as? [String: Any]
            let hasMedia = (payload["hasMedia"] as? Bool) ?? (media != nil)
            let message = data["message"] as? [String: Any]
            let audio = message?["audioMessage"] as? [String: Any]
            let voice = string(data["type"]) == "ptt" || (audio?["ptt"] as? Bool) == true
            let kind: InboundMessage.Kind = voice ? .voice : hasMedia ? Self.kind(mimetype: string(media?["mimetype"]), voiceFlag: false) : .text
            let body = string(payload["body"]).flatMap { $0.isEmpty ? nil : $0 }
            let mentions = ((data["mentionedJidList"] as? [Any]) ?? (contextInfo(message)?["mentionedJid"] as? [Any]) ?? [])
                .compactMap { WhatsAppID.phone(string($0) ?? string(($0 as? [String: Any])?["_serialized"])) }
            let quoted = string((payload["replyTo"] as? [String: Any])?["id"]) ?? string(payload["replyTo"])
            content.messages.append(InboundMessage(
                id: WhatsAppID.shortMessageID(id), phone: WhatsAppID.phone(sender) ?? WhatsAppID.phone(alternate),
                author: string(data["notifyName"]) ?? string(data["pushName"]) ?? string(payload["notifyName"]) ?? sender ?? "?",
                sentAt: try time(payload["timestamp"], at: location, path: "payload.timestamp", .waha), kind: kind,
                text: kind == .text || kind.isMedia ? body : nil, quoting: quoted.map(WhatsAppID.shortMessageID), groupID: group,
                mentions: mentions, lid: WhatsAppID.lid(sender) ?? WhatsAppID.lid(alternate), viaGateway: true,
                seconds: Self.seconds(audio?["seconds"] ?? data["duration"])))
        case "message.ack":
            guard let id = string(payload["id"]), let state = ackState(payload["ack"]) ?? ackState(payload["ackName"]) else { return }
            let chat = string(payload["from"]) ?? string(payload["to"])
            let recipient = string(payload["participant"]) ?? chat ?? "?"
            content.statuses.append(DeliveryStatus(
                messageID: WhatsAppID.shortMessageID(id), recipient: WhatsAppID.phone(recipient)?.e164 ?? recipient, state: state,
                at: try time(payload["timestamp"] ?? envelope["timestamp"], at: location, path: "timestamp", .waha)))
        default:
            return
        }
    }

    static func contextInfo(_ message: [String: Any]?) -> [String: Any]? {
        guard let message else { return nil }
        if let info = message["contextInfo"] as? [String: Any] { return info }
        for value in message.values { if let info = (value as? [String: Any])?["contextInfo"] as? [String: Any] { return info } }
        return nil
    }

    // MARK: Evolution API

    /// When an ack happened: `data.messageTimestamp`, else the envelope's `date_time` (ISO 8601).
    static func updateTime(_ data: [String: Any], _ envelope: [String: Any], at location: SourceLocation) throws -> Date {
        if data["messageTimestamp"] != nil { return try time(data["messageTimestamp"], at: location, path: "data.messageTimestamp", .evolution) }
        guard let text = string(envelope["date_time"]) else {
            throw problem(location, Phrase("payload.ackTime"), .evolution)
        }
        guard let date = KelasTimeZone.instant(reading: text, fractions: true) else {
            throw problem(location, Phrase("payload.notISO", ["path": "date_time", "found": text]), .evolution)
        }
        return date
    }

    static func evolution(_ envelope: [String: Any], at location: SourceLocation, into content: inout WebhookContent) throws {
        let event = (string(envelope["event"]) ?? "").lowercased().replacingOccurrences(of: "_", with: ".")
        guard let raw = envelope["data"] else {
            if event.isEmpty { throw problem(location, Phrase("payload.notEvolution"), .evolution) }
            return
        }
        let items: [[String: Any]] = (raw as? [[String: Any]]) ?? [(raw as? [String: Any]) ?? [:]]
        for data in items {
            switch event {
            case "messages.upsert":
                guard let key = data["key"] as? [String: Any] else { throw problem(location, Phrase("payload.missing", ["path": "data.key"]), .evolution) }
                guard (key["fromMe"] as? Bool) != true else { continue }
                guard let id = string(key["id"]) else { throw problem(location, Phrase("payload.missing", ["path": "data.key.id"]), .evolution) }
                let chat = string(key["remoteJid"])
                let group = WhatsAppID.isGroup(chat) ? chat : nil
                let sender = group == nil ? chat : string(key["participant"]) ?? string(data["participant"])
                let alternate = string(key["participantAlt"]) ?? string(key["participantPn"]) ?? string(key["senderPn"])
                let message = data["message"] as? [String: Any] ?? [:]
                let info = (data["contextInfo"] as? [String: Any]) ?? contextInfo(message)
                var kind = InboundMessage.Kind.other
                var text: String?
                var seconds: Int?
                if let conversation = string(message["conversation"]) {
                    kind = .text; text = conversation
                } else if let extended = message["extendedTextMessage"] as? [String: Any] {
                    kind = .text; text = string(extended["text"])
                } else if let audio = message["audioMessage"] as? [String: Any] {
                    kind = (audio["ptt"] as? Bool) == true ? .voice : Self.kind(mimetype: string(audio["mimetype"]), voiceFlag: false)
                    seconds = Self.seconds(audio["seconds"])
                } else if let image = message["imageMessage"] as? [String: Any] {
                    kind = .image; text = string(image["caption"])
                } else if let video = message["videoMessage"] as? [String: Any] {
                    kind = .video; text = string(video["caption"])
                } else if let document = message["documentMessage"] as? [String: Any] {
                    kind = .document; text = string(document["caption"])
                } else if message["stickerMessage"] != nil {
                    kind = .sticker
                } else if let reaction = message["reactionMessage"] as? [String: Any] {
                    kind = .reaction; text = string(reaction["text"])
                } else {
                    switch string(data["messageType"]) {
                    case "conversation", "extendedTextMessage": kind = .text
                    case "audioMessage": kind = .media
                    default: kind = .other
                    }
                }
                let mentions = ((info?["mentionedJid"] as? [Any]) ?? []).compactMap { WhatsAppID.phone(string($0)) }
                content.messages.append(InboundMessage(
                    id: id, phone: WhatsAppID.phone(sender) ?? WhatsAppID.phone(alternate), author: string(data["pushName"]) ?? sender ?? "?",
                    sentAt: try time(data["messageTimestamp"], at: location, path: "data.messageTimestamp", .evolution), kind: kind,
                    text: text, quoting: string(info?["stanzaId"]), groupID: group, mentions: mentions,
                    lid: WhatsAppID.lid(sender) ?? WhatsAppID.lid(alternate), viaGateway: true, seconds: seconds))
            case "messages.update":
                guard let id = string(data["keyId"]) ?? string((data["key"] as? [String: Any])?["id"]),
                      let state = ackState(data["status"]) else { continue }
                let recipient = string(data["participant"]) ?? string(data["remoteJid"]) ?? "?"
                content.statuses.append(DeliveryStatus(
                    messageID: id, recipient: WhatsAppID.phone(recipient)?.e164 ?? recipient, state: state,
                    at: try updateTime(data, envelope, at: location)))
            default:
                continue
            }
        }
    }
}
