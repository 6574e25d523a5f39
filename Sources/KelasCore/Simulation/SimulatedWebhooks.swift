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
    public func webhookPayloads() -> [SimulatedPayload] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
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
