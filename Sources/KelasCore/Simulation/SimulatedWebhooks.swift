import Foundation

/// One WhatsApp Cloud API webhook payload of a simulated week: what WhatsApp would POST when a member writes.
public struct SimulatedPayload: Sendable, Hashable {
    public var at: Date
    /// The message's id in the payload (`wamid.sim.<batch>.<n>`, `n` its place in the week's messages).
    public var id: String
    /// The JSON, compact with sorted keys: feed it to `WebhookPayload.decode` like a real POST body.
    public var body: Data
    public var role: SimulatedMessage.Role
}

extension SimulatedWeek {
    /// What the group's members said, as Cloud API webhook payloads (one message each, in time order): participants'
    /// answers and voice notes, trainers' replies with their `@628…` mentions. The trainers' posts of the plan are not
    /// among them: in live mode the dispatcher sends those.
    public func webhookPayloads(format: WebhookFormat = .cloud, group: String? = nil) -> [SimulatedPayload] {
        if format != .cloud { return gatewayPayloads(format: format, group: group ?? batch.delivery.group ?? Self.standInGroup(batch.id)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return messages.enumerated().compactMap { index, message -> SimulatedPayload? in
            guard message.plannedID == nil else { return nil }
            let id = "wamid.sim.\(batch.id).\(index + 1)"
            let from = String(message.phone.digits)
            let posted = WebhookPayload.Message(
                from: from, id: id, timestamp: String(Int(message.at.timeIntervalSince1970)), type: message.isVoice ? "audio" : "text",
                text: message.isVoice ? nil : .init(body: message.text),
                audio: message.isVoice ? .init(id: "sim-media-\(index + 1)", mimeType: "audio/ogg; codecs=opus", voice: true) : nil)
            let payload = WebhookPayload.Envelope(object: "whatsapp_business_account", entry: [.init(id: "kelas-simulator", changes: [
                .init(field: "messages", value: .init(messagingProduct: "whatsapp",
                                                      metadata: .init(displayPhoneNumber: "kelas simulator", phoneNumberId: "simulated"),
                                                      contacts: [.init(waId: from, profile: .init(name: message.name))],
                                                      messages: [posted]))])])
            // Encoding plain strings and numbers cannot fail; an empty body would be refused by the decoder, not lost silently.
            let body = (try? encoder.encode(payload)) ?? Data()
            return SimulatedPayload(at: message.at, id: id, body: body, role: message.role)
        }
    }
}

extension SimulatedWeek {
    /// A made-up group id for a rehearsal through a stand-in gateway, when the batch names none: stable per batch.
    public static func standInGroup(_ batchID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in batchID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "120363" + String(format: "%012llu", hash % 1_000_000_000_000) + "@g.us"
    }

    /// What the group's members said, as a WAHA (`message`) or Evolution API (`messages.upsert`) gateway posts it from
    /// the group: the group in `from` / `key.remoteJid`, the sender in `participant`, voice notes as OGG/Opus push-to-talk,
    /// mentions as JIDs.
    func gatewayPayloads(format: WebhookFormat, group: String) -> [SimulatedPayload] {
        messages.enumerated().compactMap { index, message -> SimulatedPayload? in
            guard message.plannedID == nil else { return nil }
            let id = "SIM\(index + 1)"
            let sender = "\(message.phone.digits)@c.us"
            let mentioned = message.mentions.map { "\($0.digits)@c.us" }
            let seconds = Int(message.at.timeIntervalSince1970)
            let envelope: [String: Any]
            if format == .waha {
                var payload: [String: Any] = [
                    "id": "false_\(group)_\(id)_\(sender)", "timestamp": seconds, "from": group, "fromMe": false,
                    "participant": sender, "body": message.isVoice ? "" : message.text, "hasMedia": message.isVoice,
                ]
                var data: [String: Any] = ["notifyName": message.name]
                if message.isVoice {
                    payload["media"] = ["mimetype": "audio/ogg; codecs=opus", "url": "http://standin/api/files/\(id).oga"]
                    data["type"] = "ptt"
                }
                if !mentioned.isEmpty { data["mentionedJidList"] = mentioned }
                payload["_data"] = data
                envelope = ["event": "message", "session": "default", "payload": payload]
            } else {
                var content: [String: Any] = message.isVoice
                    ? ["audioMessage": ["ptt": true, "mimetype": "audio/ogg; codecs=opus", "seconds": message.voiceSeconds ?? 0]]
                    : ["conversation": message.text]
                if !mentioned.isEmpty, !message.isVoice {
                    content = ["extendedTextMessage": ["text": message.text, "contextInfo": ["mentionedJid": mentioned]]]
                }
                envelope = ["event": "messages.upsert", "instance": "kelas", "data": [
                    "key": ["remoteJid": group, "fromMe": false, "id": id, "participant": sender.replacingOccurrences(of: "@c.us", with: "@s.whatsapp.net")],
                    "pushName": message.name, "message": content, "messageTimestamp": seconds,
                ] as [String: Any]]
            }
            let body = (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return SimulatedPayload(at: message.at, id: id, body: body, role: message.role)
        }
    }

    /// The read receipts a gateway would post for a message the group received at `sentAt` (its id as the gateway gave
    /// it): delivered a minute later to each participant still in the week that day; read by those who wrote in the
    /// group after it (within a day), just before they wrote. Deterministic, from the week's own messages.
    public func receipts(for messageID: String, sentAt: Date, format: WebhookFormat, group: String) -> [SimulatedPayload] {
        let offset = batch.timeZone.secondsFromGMT(for: sentAt)
        let day = KelasTimeZone.local(sentAt, offset: offset).day - batch.start.daysSinceEpoch + 1
        let dropped = Dictionary(outcomes.map { ($0.phone, $0.droppedOnDay) }, uniquingKeysWith: { first, _ in first })
        var receipts: [SimulatedPayload] = []
        for person in batch.participants {
            if let gone = dropped[person.phone] ?? nil, gone <= day { continue }
            var states: [(String, Date)] = [("DEVICE", sentAt.addingTimeInterval(60))]
            if let reply = messages.first(where: { $0.phone == person.phone && $0.at > sentAt && $0.at <= sentAt.addingTimeInterval(86_400) }) {
                states.append(("READ", max(sentAt.addingTimeInterval(61), reply.at.addingTimeInterval(-60))))
            }
            for (state, at) in states {
                let seconds = Int(at.timeIntervalSince1970)
                let participant = "\(person.phone.digits)@c.us"
                let envelope: [String: Any] = format == .waha
                    ? ["event": "message.ack", "session": "default", "payload": [
                        "id": "true_\(group)_\(messageID)_\(participant)", "from": group, "participant": participant,
                        "ack": state == "READ" ? 3 : 2, "ackName": state, "timestamp": seconds] as [String: Any]]
                    : ["event": "messages.update", "instance": "kelas", "data": [
                        "keyId": messageID, "remoteJid": group, "participant": participant.replacingOccurrences(of: "@c.us", with: "@s.whatsapp.net"),
                        "status": state == "READ" ? "READ" : "DELIVERY_ACK", "fromMe": true, "messageTimestamp": seconds] as [String: Any]]
                let body = (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                receipts.append(SimulatedPayload(at: at, id: "\(messageID).\(person.phone.digits).\(state)", body: body, role: .participant))
            }
        }
        return receipts
    }
}
