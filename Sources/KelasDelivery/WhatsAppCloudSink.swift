import Foundation
import KelasCore

/// Sends through the WhatsApp Cloud API: `POST {api}/{phone-number-id}/messages`, one request per participant, with
/// the bearer token from the environment. The API cannot host a 20–100 person group, so a message to the whole group is
/// refused with the fix (plan the batch with `delivery.mode: fanout`).
///
/// Request shapes: a YouTube link (and any text) goes as `type: text` with `preview_url` on when it holds a link —
/// WhatsApp shows the video's preview; another video by `video.link` with a caption; a module as `document.link` with
/// its `filename` and a caption. The `wamid` the API returns is handed back, so later status webhooks and replies
/// that quote the message can be matched to it.
public final class WhatsAppCloudSink: OutboundSink, @unchecked Sendable {
    public let api: String
    public let phoneNumberID: String
    public let timeout: TimeInterval
    private let token: String
    private let client = CurlClient()

    public var name: String { "whatsapp-cloud:\(phoneNumberID)" }
    public var observesConversationWindow: Bool { true }
    public var endpoint: String { api.trimmingSuffix("/") + "/" + phoneNumberID + "/messages" }

    public init(phoneNumberID: String, token: String, api: String = SinkSpec.defaultCloudAPI, timeout: TimeInterval = 15) {
        self.phoneNumberID = phoneNumberID
        self.token = token
        self.api = api
        self.timeout = timeout
    }

    public func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
        await send(events, at: now, inFlight: events.count)
    }

    public func send(_ events: [OutboundEvent], at now: Date, inFlight: Int) async -> [SendReport] {
        await client.deliver(events, inFlight: inFlight, prepare: { event in
            guard event.audience.hasPrefix("participant:") || event.audience.hasPrefix("non-responders:"), event.recipients.count == 1 else {
                return .failure(SendRefusal(reason: Self.groupRefusal(event)))
            }
            do {
                let body = try Self.request(for: event, to: event.recipients[0])
                return .success(HTTPRequest(url: endpoint, headers: [("Authorization", "Bearer \(token)")], body: body, timeout: timeout))
            } catch {
                return .failure(SendRefusal(reason: "cannot encode the request: \(error)"))
            }
        }, report: { response in
            let outcome = Self.outcome(of: response, now: now)
            return SendReport(outcome, windowClosed: Self.errorCode(of: response) == Self.windowClosedCode)
        })
    }

    /// The Cloud API's answer when the recipient's 24-hour window is closed.
    public static let windowClosedCode = 131047

    static func errorCode(of response: HTTPResponse) -> Int? {
        guard let status = response.status, !(200..<300).contains(status) else { return nil }
        return (try? JSONDecoder().decode(Reply.self, from: response.body))?.error?.code
    }

    static func groupRefusal(_ event: OutboundEvent) -> String {
        "the Cloud API cannot post to a WhatsApp group (\(event.recipients.count) recipients); "
            + "set `delivery.mode: fanout` in batch \(event.batch)'s file and `kelas batch add` it again"
    }

    // MARK: Request shapes

    struct Message: Encodable {
        struct Text: Encodable {
            var preview_url: Bool
            var body: String
        }
        struct Media: Encodable {
            var link: String
            var caption: String?
            var filename: String?
        }
        struct Template: Encodable {
            struct Language: Encodable { var code: String }
            struct Component: Encodable {
                var type = "body"
                var parameters: [Parameter]
            }
            struct Parameter: Encodable {
                var type = "text"
                var text: String
            }
            var name: String
            var language: Language
            var components: [Component]?
        }
        var messaging_product = "whatsapp"
        var recipient_type = "individual"
        var to: String
        var type: String
        var text: Text?
        var video: Media?
        var document: Media?
        var template: Template?
    }

    /// The JSON body of the `/messages` request that delivers `event` to `recipient` (E.164).
    public static func request(for event: OutboundEvent, to recipient: String) throws -> Data {
        let to = String(recipient.drop { $0 == "+" })
        var message: Message
        if let template = event.template {
            // The window is closed: the approved template goes, its body variables filled in order.
            let parameters = template.parameters.map { Message.Template.Parameter(text: $0) }
            message = Message(to: to, type: "template", template: Message.Template(
                name: template.name, language: .init(code: template.language),
                components: parameters.isEmpty ? nil : [.init(parameters: parameters)]))
            return try encode(message)
        }
        switch (event.kind, event.link) {
        case ("document", let link?):
            message = Message(to: to, type: "document",
                              document: Message.Media(link: link, caption: event.text.isEmpty ? nil : event.text, filename: event.filename))
        case ("video", let link?) where !CurriculumItem.isYouTube(link):
            message = Message(to: to, type: "video", video: Message.Media(link: link, caption: event.text.isEmpty ? nil : event.text))
        default:
            // A YouTube link is sent as text: WhatsApp previews it (the Cloud API cannot send it as video media).
            var body = event.text
            if let link = event.link, !body.contains(link) { body += body.isEmpty ? link : "\n\n" + link }
            message = Message(to: to, type: "text",
                              text: Message.Text(preview_url: body.contains("https://") || body.contains("http://"), body: body))
        }
        return try encode(message)
    }

    private static func encode(_ message: Message) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(message)
    }

    // MARK: Responses

    struct Reply: Decodable {
        struct Sent: Decodable { var id: String }
        struct Failure: Decodable {
            var message: String?
            var code: Int?
            var error_data: Details?
        }
        struct Details: Decodable { var details: String? }
        var messages: [Sent]?
        var error: Failure?
    }

    /// Cloud API error codes that a later attempt can get past: rate limits and temporary outages.
    static let retryableCodes: Set<Int> = [1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004]

    /// What an answer of the Cloud API means for the message.
    static func outcome(of response: HTTPResponse, now: Date) -> SendOutcome {
        guard let status = response.status else { return .transportError(response.error ?? "no response") }
        let reply = try? JSONDecoder().decode(Reply.self, from: response.body)
        let retryAfter = WebhookSink.retryAfter(response.headers["retry-after"], now: now)
        if (200..<300).contains(status) {
            guard let wamid = reply?.messages?.first?.id else {
                return .rejected(status: status, reason: "the Cloud API accepted the request but returned no message id", retry: true)
            }
            return .status(status, wamid: wamid)
        }
        guard let failure = reply?.error, let code = failure.code else {
            // No Cloud API error body (a proxy, an outage): judge by the HTTP status alone.
            return .status(status, retryAfter: retryAfter)
        }
        var reason = "Cloud API error \(code): \(failure.message ?? "no message")"
        if let details = failure.error_data?.details, !details.isEmpty { reason += " — \(details)" }
        switch code {
        case windowClosedCode: reason += " (more than 24 h since the participant last wrote: only an approved template reaches them; "
            + "name one with `template:` on the curriculum item or `delivery.template` in the batch file)"
        case 131056: reason += " (pair rate limit: too many messages to this participant; tried again later)"
        case 190: reason += " (the access token in KELAS_WHATSAPP_TOKEN is invalid or expired)"
        default: break
        }
        let retry = retryableCodes.contains(code) || status == 429 || status >= 500
        return .rejected(status: status, reason: reason, retry: retry)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
