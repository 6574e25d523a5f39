import Foundation
import KelasCore

/// Posts a batch's messages into its WhatsApp group (`delivery.group`) through a gateway driving a linked phone —
/// WAHA or Evolution API (request shapes in `shared/channels.md`, from each project's documentation). One request per
/// message: text (a YouTube link as text with its preview), a module by URL as a document with its file name, and a
/// reminder with the silent participants @-mentioned (their numbers in the text, as WhatsApp needs to render a
/// mention). The id the gateway returns is kept like a wamid, so acks and quoting replies find the message.
public final class GatewaySink: OutboundSink, @unchecked Sendable {
    public enum Gateway: Sendable, Equatable {
        case waha(session: String)
        case evolution(instance: String)

        var label: String {
            switch self {
            case .waha: "waha"
            case .evolution: "evolution"
            }
        }

        /// The header the API key goes in.
        var keyHeader: String {
            switch self {
            case .waha: "X-Api-Key"
            case .evolution: "apikey"
            }
        }

        /// The environment variable with the gateway's API key.
        var keyVariable: String {
            switch self {
            case .waha: "KELAS_WAHA_API_KEY"
            case .evolution: "KELAS_EVOLUTION_API_KEY"
            }
        }
    }

    public let gateway: Gateway
    public let base: String
    public let timeout: TimeInterval
    private let apiKey: String
    private let client = CurlClient()

    public var name: String { "\(gateway.label):\(base)" }

    public init(gateway: Gateway, base: String, apiKey: String, timeout: TimeInterval = 15) {
        self.gateway = gateway
        self.base = base.trimmingSuffix("/")
        self.apiKey = apiKey
        self.timeout = timeout
    }

    public func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
        await send(events, at: now, inFlight: events.count)
    }

    public func send(_ events: [OutboundEvent], at now: Date, inFlight: Int) async -> [SendReport] {
        await client.deliver(events, inFlight: inFlight, prepare: { event in
            Self.request(for: event, gateway: gateway, base: base).map { url, body in
                HTTPRequest(url: url, headers: [(gateway.keyHeader, apiKey)], body: body, timeout: timeout)
            }
        }, outcome: { Self.outcome(of: $0, gateway: gateway, now: now) })
    }

    // MARK: Requests

    /// The MIME type of a module by its file name: what WhatsApp shows and opens it with.
    static func mimeType(_ filename: String?) -> String {
        switch (filename.map { ($0 as NSString).pathExtension.lowercased() }) ?? "" {
        case "pdf": "application/pdf"
        case "doc": "application/msword"
        case "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "ppt": "application/vnd.ms-powerpoint"
        case "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case "mp4": "video/mp4"
        case "jpg", "jpeg": "image/jpeg"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }

    /// The digits of an E.164 number (`+62812…` → `62812…`).
    static func digits(_ e164: String) -> String { String(e164.drop { $0 == "+" }) }

    /// The URL and JSON body that deliver `event` to its group through `gateway`, or why it cannot go this way.
    public static func request(for event: OutboundEvent, gateway: Gateway, base: String) -> Result<(String, Data), SendRefusal> {
        guard let group = event.group else {
            return .failure(SendRefusal(reason: "batch \(event.batch) names no WhatsApp group for the \(gateway.label) gateway: add "
                                    + "`group: 120363…@g.us` under `delivery` in its file and `kelas batch add` it again"))
        }
        if event.audience.hasPrefix("participant:") {
            return .failure(SendRefusal(reason: "the \(gateway.label) gateway posts to the batch's group, not to one participant; "
                                    + "plan batch \(event.batch) with `delivery.mode: group`"))
        }
        // A reminder names those still silent: their numbers in the text and in the mentions.
        let mentioned = event.audience.hasPrefix("non-responders:") ? event.recipients.map(digits) : []
        var text = event.text
        if let link = event.link, event.kind != "document", !text.contains(link) { text += text.isEmpty ? link : "\n\n" + link }
        if !mentioned.isEmpty { text += "\n" + mentioned.map { "@" + $0 }.joined(separator: " ") }
        let preview = text.contains("https://") || text.contains("http://")
        var body: [String: Any]
        var path: String
        switch (gateway, event.kind, event.link) {
        case (.waha(let session), "document", let link?):
            path = "/api/sendFile"
            body = ["session": session, "chatId": group, "caption": text,
                    "file": ["mimetype": mimeType(event.filename), "filename": event.filename ?? (link as NSString).lastPathComponent, "url": link]]
        case (.waha(let session), _, _):
            path = "/api/sendText"
            body = ["session": session, "chatId": group, "text": text, "linkPreview": preview]
            if !mentioned.isEmpty { body["mentions"] = mentioned.map { $0 + "@c.us" } }
        case (.evolution(let instance), "document", let link?):
            path = "/message/sendMedia/" + instance
            body = ["number": group, "mediatype": "document", "mimetype": mimeType(event.filename),
                    "fileName": event.filename ?? (link as NSString).lastPathComponent, "caption": text, "media": link]
        case (.evolution(let instance), _, _):
            path = "/message/sendText/" + instance
            body = ["number": group, "text": text, "linkPreview": preview]
            if !mentioned.isEmpty { body["mentioned"] = mentioned }
        }
        do {
            let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
            return .success((base.trimmingSuffix("/") + path, data))
        } catch {
            return .failure(SendRefusal(reason: "cannot encode the request: \(error)"))
        }
    }

    // MARK: Responses

    /// The id a gateway gave the sent message: WAHA's `id` (a string, or `_serialized` in an object), or `key.id`
    /// (Evolution API, and WAHA's NOWEB engine) — in the short form acks and quoting replies carry.
    static func messageID(_ object: [String: Any]) -> String? {
        let id = (object["id"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            ?? (object["id"] as? [String: Any])?["_serialized"] as? String
            ?? (object["key"] as? [String: Any])?["id"] as? String
        return id.map(WhatsAppID.shortMessageID)
    }

    /// The gateway's own words: `error`, `message`, or `response.message` (a string or a list).
    static func gatewayMessage(_ object: [String: Any]?) -> String? {
        guard let object else { return nil }
        func text(_ value: Any?) -> String? {
            if let string = value as? String, !string.isEmpty { return string }
            if let list = value as? [Any] { return list.compactMap { $0 as? String }.joined(separator: "; ") }
            return nil
        }
        if let message = text((object["response"] as? [String: Any])?["message"]) { return message }
        if let message = text(object["message"]) { return message }
        if let error = object["error"] as? [String: Any] { return text(error["message"]) }
        return text(object["error"])
    }

    /// What a gateway's answer means for the message.
    static func outcome(of response: HTTPResponse, gateway: Gateway, now: Date) -> SendOutcome {
        guard let status = response.status else { return .transportError(response.error ?? "no response") }
        let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        if (200..<300).contains(status) { return .status(status, wamid: object.flatMap(messageID)) }
        let said = gatewayMessage(object).map { ": \($0)" } ?? ""
        let lowered = said.lowercased()
        switch status {
        case 401, 403:
            return .rejected(status: status, reason: "the \(gateway.label) gateway refused the API key (HTTP \(status))\(said); set "
                             + "\(gateway.keyVariable) to the key it was started with", retry: false)
        case 422 where object?["status"] is String:
            // WAHA: the session is not WORKING (STARTING, SCAN_QR_CODE, FAILED, STOPPED).
            let state = object?["status"] as? String ?? "?"
            let session = object?["session"] as? String ?? "?"
            return .rejected(status: status, reason: "WAHA session `\(session)` is \(state), not WORKING: the phone is not linked or "
                             + "still starting (scan the QR code in WAHA's dashboard); tried again later", retry: true)
        case 404:
            return .rejected(status: status, reason: "the \(gateway.label) gateway has no such route, session or instance (HTTP 404)\(said); "
                             + "check the URL and `delivery.\(gatewayKey(gateway))`", retry: false)
        default:
            // Evolution API answers 400 / 500 "Connection Closed" while its instance is not connected.
            if lowered.contains("connection closed") || lowered.contains("not connected") || lowered.contains("disconnected") {
                return .rejected(status: status, reason: "the \(gateway.label) gateway's phone is not connected (HTTP \(status))\(said); "
                                 + "tried again later", retry: true)
            }
            if status == 408 || status == 429 || status >= 500 {
                return .status(status, retryAfter: WebhookSink.retryAfter(response.headers["retry-after"], now: now))
            }
            return .rejected(status: status, reason: "the \(gateway.label) gateway refused the message (HTTP \(status))\(said)", retry: false)
        }
    }

    static func gatewayKey(_ gateway: Gateway) -> String {
        switch gateway {
        case .waha: "session"
        case .evolution: "instance"
        }
    }
}
