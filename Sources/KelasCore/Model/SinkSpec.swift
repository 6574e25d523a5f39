import Foundation

/// Where a batch's messages go: the `delivery.sink` of a batch file, or `kelas run --sink`. Holds no secret: the
/// webhook secret and the Cloud API token come from the environment when the sink is made.
public enum SinkSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Print what would be sent (the dry run).
    case console
    /// Append one JSON object per message to a file.
    case jsonl(path: String)
    /// POST a signed Standard Webhooks event to a gateway.
    case webhook(url: String)
    /// The WhatsApp Cloud API: one `/messages` request per participant from this business phone number.
    case whatsappCloud(phoneNumberID: String, api: String)
    /// WAHA, the open-source WhatsApp HTTP API, on a phone linked to its `session`: posts to the batch's group.
    case waha(url: String, session: String)
    /// Evolution API on a phone linked to its `instance`: posts to the batch's group.
    case evolution(url: String, instance: String)

    /// The Cloud API's base URL unless a batch file or `--api` says otherwise.
    public static let defaultCloudAPI = "https://graph.facebook.com/v21.0"
    /// The forms `kelas run --sink` and `delivery.sink` accept.
    public static let forms = ["console", "jsonl:FILE", "webhook:URL", "whatsapp-cloud:PHONE_NUMBER_ID", "waha:URL", "evolution:URL"]
    /// WAHA's session unless `delivery.session` names another.
    public static let defaultWAHASession = "default"

    /// Parses `console`, `jsonl:FILE`, `webhook:URL`, `whatsapp-cloud:PHONE_NUMBER_ID`, `waha:URL` or
    /// `evolution:URL`; nil when it is none of them (see `problem(_:)` for why). A WAHA session defaults to `default`;
    /// an Evolution instance has no default (`delivery.instance`, or `KELAS_EVOLUTION_INSTANCE` for `--sink`).
    public init?(_ text: String, api: String? = nil, session: String? = nil, instance: String? = nil) {
        guard Self.problem(text) == nil else { return nil }
        if text.hasPrefix("waha:") {
            self = .waha(url: String(text.dropFirst(5)).trimmingTrailingSlashes, session: session ?? Self.defaultWAHASession)
        } else if text.hasPrefix("evolution:") {
            self = .evolution(url: String(text.dropFirst(10)).trimmingTrailingSlashes, instance: instance ?? "")
        } else if text == "console" {
            self = .console
        } else if text.hasPrefix("jsonl:") {
            self = .jsonl(path: String(text.dropFirst(6)))
        } else if text.hasPrefix("webhook:") {
            self = .webhook(url: String(text.dropFirst(8)))
        } else {
            self = .whatsappCloud(phoneNumberID: String(text.dropFirst(15)), api: api ?? Self.defaultCloudAPI)
        }
    }

    /// What is wrong with a sink text, or nil when it is valid.
    public static func problem(_ text: String) -> Phrase? {
        if text == "console" { return nil }
        if text.hasPrefix("jsonl:") { return text.count > 6 ? nil : Phrase("sink.jsonl") }
        if text.hasPrefix("webhook:") {
            let url = text.dropFirst(8)
            return url.hasPrefix("http://") || url.hasPrefix("https://") ? nil : Phrase("sink.webhook")
        }
        for (prefix, example) in [("waha:", "waha:http://127.0.0.1:3000"), ("evolution:", "evolution:https://evo.example.org")]
            where text.hasPrefix(prefix) {
            let url = text.dropFirst(prefix.count)
            return url.hasPrefix("http://") || url.hasPrefix("https://") ? nil : Phrase("sink.gateway", ["prefix": prefix, "example": example])
        }
        if text.hasPrefix("whatsapp-cloud:") {
            let id = text.dropFirst(15)
            return !id.isEmpty && id.allSatisfy(\.isNumber) ? nil : Phrase("sink.cloud")
        }
        return Phrase("sink.unknown", ["sink": text, "forms": forms.joined(separator: ", ")])
    }

    /// The text form, as `--sink` takes it (the Cloud API base URL is not part of it).
    public var description: String {
        switch self {
        case .console: "console"
        case .jsonl(let path): "jsonl:\(path)"
        case .webhook(let url): "webhook:\(url)"
        case .whatsappCloud(let id, _): "whatsapp-cloud:\(id)"
        case .waha(let url, _): "waha:\(url)"
        case .evolution(let url, _): "evolution:\(url)"
        }
    }

    /// Whether the sink posts into a WhatsApp group by its id (`delivery.group`), through a phone-linked gateway.
    public var isGateway: Bool {
        switch self {
        case .waha, .evolution: true
        default: false
        }
    }

    /// Whether the sink can deliver to a WhatsApp group as one message; the Cloud API cannot (fan out instead).
    public var reachesGroups: Bool {
        if case .whatsappCloud = self { return false }
        return true
    }
}

extension String {
    var trimmingTrailingSlashes: String {
        var text = self
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
