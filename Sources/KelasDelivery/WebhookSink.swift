import Foundation

/// POSTs each message as a signed Standard Webhooks event (see `OutboundEvent` for the JSON, `WebhookSigner` for the
/// headers), several transfers in flight through libcurl's multi interface.
public final class WebhookSink: OutboundSink, @unchecked Sendable {
    public let url: String
    public let timeout: TimeInterval
    private let signer: WebhookSigner
    private let client = CurlClient()
    /// The time the signature carries: the wall clock, which the receiver checks it against — not the dispatcher's
    /// `now`, which is virtual in a live simulation or a rehearsal (`kelas run --once --now`).
    private let wallClock: @Sendable () -> Date

    public var name: String { "webhook:\(url)" }

    public init(url: String, signer: WebhookSigner, timeout: TimeInterval = 15, wallClock: @escaping @Sendable () -> Date = { Date() }) {
        self.url = url
        self.signer = signer
        self.timeout = timeout
        self.wallClock = wallClock
    }

    public func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
        await send(events, at: now, inFlight: events.count)
    }

    public func send(_ events: [OutboundEvent], at now: Date, inFlight: Int) async -> [SendReport] {
        var requests: [HTTPRequest] = []
        let signedAt = Int(wallClock().timeIntervalSince1970)
        for event in events {
            let body = event.body()
            requests.append(HTTPRequest(url: url, headers: signer.headers(id: event.id, timestamp: signedAt, body: body),
                                        body: body, timeout: timeout))
        }
        return await client.perform(requests, inFlight: inFlight).map { response in
            guard let status = response.status else {
                return SendReport(.transportError(response.error ?? "no response"), latency: response.latency)
            }
            return SendReport(.status(status, retryAfter: Self.retryAfter(response.headers["retry-after"], now: now)),
                              latency: response.latency)
        }
    }

    /// `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ value: String?, now: Date) -> TimeInterval? {
        guard let value else { return nil }
        if let seconds = TimeInterval(value), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}
