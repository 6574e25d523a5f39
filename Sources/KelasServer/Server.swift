import Crypto
import Foundation
import Hummingbird
import KelasCore
import KelasDelivery
import KelasStore
import Logging
import NIOPosix
import Prometheus
import ServiceLifecycle

/// What `kelas serve` needs to know: the secrets (from the environment, never from a file) and the limits.
public struct ServerConfiguration: Sendable {
    /// Admin pages need this token: `Authorization: Bearer …`, or a login form that sets a session cookie.
    public var adminToken: String
    /// The Meta app secret: `X-Hub-Signature-256` of `POST /webhooks/whatsapp` is the HMAC-SHA256 of the body with it.
    public var appSecret: String?
    /// The token Meta's dashboard was given, echoed back in the `GET /webhooks/whatsapp` handshake.
    public var verifyToken: String?
    /// The `whsec_…` secret that signs `POST /webhooks/kelas` (Standard Webhooks).
    public var webhookSecret: String?
    /// The key WAHA signs its webhooks with: `X-Webhook-Hmac` is the HMAC-SHA512 of the body (`KELAS_WAHA_WEBHOOK_KEY`).
    public var wahaWebhookKey: String?
    /// The token Evolution API sends in the `X-Kelas-Token` header set on its webhook (`KELAS_EVOLUTION_WEBHOOK_TOKEN`).
    public var evolutionWebhookToken: String?
    /// Bodies above this are refused with 413.
    public var maxBodyBytes = 1 << 20
    /// How far a Standard Webhooks timestamp may be from the server's clock.
    public var tolerance: TimeInterval = 300
    /// The clock of the pages ("day 3 of 7", today's plan) and of the inbox; `KELAS_NOW` in rehearsals, injected in tests.
    public var now: @Sendable () -> Date = { Date() }
    /// The wall clock, which a sender's signature timestamp is checked against (a rehearsal's `now` is not); injected in tests.
    public var wall: @Sendable () -> Date = { Date() }
    /// The indicators of the results pages (`kelas serve --indicators FILE`).
    public var indicators: [Indicator] = Indicator.defaults
    /// Session cookies are `Secure` (sent over TLS only): set when the server is reached over https (it is also set per
    /// request behind a proxy that says `X-Forwarded-Proto: https`).
    public var secureCookies = false
    /// Where batches scheduled from the browser are written (a folder per batch): `$KELAS_WORKSPACE`, else `batches`.
    public var workspace = "batches"

    public init(adminToken: String, appSecret: String? = nil, verifyToken: String? = nil, webhookSecret: String? = nil) {
        self.adminToken = adminToken
        self.appSecret = appSecret
        self.verifyToken = verifyToken
        self.webhookSecret = webhookSecret
    }

    /// The secrets from the environment: KELAS_ADMIN_TOKEN, KELAS_WHATSAPP_APP_SECRET, KELAS_WHATSAPP_VERIFY_TOKEN,
    /// KELAS_WEBHOOK_SECRET. Without an admin token, a random one is made (and `generatedToken` says so).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> (configuration: ServerConfiguration, generatedToken: Bool) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let token = value("KELAS_ADMIN_TOKEN")
        let configuration = ServerConfiguration(
            adminToken: token ?? Self.randomToken(), appSecret: value("KELAS_WHATSAPP_APP_SECRET"),
            verifyToken: value("KELAS_WHATSAPP_VERIFY_TOKEN"), webhookSecret: value("KELAS_WEBHOOK_SECRET"))
        var gateways = configuration
        gateways.wahaWebhookKey = value("KELAS_WAHA_WEBHOOK_KEY")
        if let workspace = value("KELAS_WORKSPACE") { gateways.workspace = workspace }
        gateways.evolutionWebhookToken = value("KELAS_EVOLUTION_WEBHOOK_TOKEN")
        return (gateways, token == nil)
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// The counters and gauges of `/metrics`, in one Prometheus registry (no global state: each server has its own).
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    public init() {}

    func request(_ endpoint: String, _ status: HTTPResponse.Status) {
        registry.makeCounter(name: "kelas_webhook_requests_total", labels: [("endpoint", endpoint), ("status", String(status.code))],
                             help: "Webhook requests by endpoint and answer").increment()
    }

    func applied(_ summary: InboxApplySummary) {
        registry.makeCounter(name: "kelas_inbox_applied_total", help: "Webhook payloads applied to the store").increment(by: Int64(summary.applied))
        registry.makeCounter(name: "kelas_inbound_messages_total", help: "New inbound messages stored")
            .increment(by: Int64(summary.ingest.messagesAdded))
        registry.makeGauge(name: "kelas_inbox_last_apply_lag_seconds", help: "Longest wait, received to applied, in the last apply")
            .set(summary.lag)
        registry.makeCounter(name: "kelas_inbox_quarantined_total", help: "Webhook payloads put aside because they could not be applied")
            .increment(by: Int64(summary.quarantined))
    }

    /// The text of `/metrics`, with the store's figures read now.
    func render(store: KelasDatabase, now: Date) throws -> String {
        let counts = try store.outboxCounts()
        for state in OutboxItem.State.allCases {
            registry.makeGauge(name: "kelas_outbox_messages", labels: [("state", state.rawValue)],
                               help: "Planned messages by outbox state (sent, failed, dead, …)").set(Double(counts[state] ?? 0))
        }
        let inbox = try store.inboxStats()
        registry.makeGauge(name: "kelas_inbox_pending", help: "Webhook payloads received, not yet applied").set(Double(inbox.pending))
        registry.makeGauge(name: "kelas_inbox_quarantined", help: "Webhook payloads waiting for an admin (kelas inbox list)")
            .set(Double(inbox.quarantined))
        registry.makeGauge(name: "kelas_ingest_lag_seconds", help: "Age of the oldest payload not yet applied (0: none waiting)")
            .set(inbox.oldestPending.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        return registry.emitToString()
    }
}

/// Applies the webhook inbox in the background: woken after each stored payload, it applies everything waiting in
/// one transaction (so a burst becomes a few large ingests). At start it applies what a previous run left; at
/// shutdown it drains.
public final class InboxApplier: Service, Sendable {
    let store: KelasDatabase
    let metrics: ServerMetrics
    let now: @Sendable () -> Date
    let logger: Logger
    /// What the routes already read from the bodies they stored.
    let decoded = DecodedWebhooks()
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(store: KelasDatabase, metrics: ServerMetrics, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.now = now
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func notify() { wake.yield() }

    /// Reads a stored body by the endpoint it came to.
    public static func decode(endpoint: String, body: Data) throws -> WebhookContent {
        switch endpoint {
        case "kelas": try KelasEvents.decode(body, file: "POST /webhooks/kelas")
        case "waha": try GatewayPayload.decode(body, format: .waha, file: "POST /webhooks/waha")
        case "evolution": try GatewayPayload.decode(body, format: .evolution, file: "POST /webhooks/evolution")
        default: try WebhookPayload.decode(body, file: "POST /webhooks/whatsapp")
        }
    }

    /// Applies until nothing waits; returns how many payloads it applied.
    @discardableResult
    public func applyPending() throws -> Int {
        var total = 0
        while true {
            let summary = try store.applyInbox(now: now()) { endpoint, body in
                try decoded.take(endpoint: endpoint, body: body) ?? Self.decode(endpoint: endpoint, body: body)
            }
            if summary.applied == 0 { break }
            if summary.quarantined > 0 {
                logger.warning("webhook payloads quarantined: see `kelas inbox list`", metadata: ["count": "\(summary.quarantined)"])
            }
            metrics.applied(summary)
            total += summary.applied
        }
        return total
    }

    public func run() async throws {
        await apply()
        for await _ in wakeups.cancelOnGracefulShutdown() { await apply() }
        await apply()
    }

    /// Applies on NIO's threads for blocking work (SQLite), not on the cooperative pool the requests share.
    private func apply() async {
        do { _ = try await NIOThreadPool.singleton.runIfActive { try self.applyPending() } } catch {
            logger.error("applying webhooks failed; they stay in the inbox: \(error)")
        }
    }
}

/// The dispatcher loop of `kelas serve`: like `kelas run`, but never done — it looks for new messages at least every
/// `poll` seconds, and stops at shutdown (messages in flight finish). `rounds` hears every round (tests wait on it).
public struct DispatchService: Service {
    let dispatcher: Dispatcher
    let poll: TimeInterval
    let clock: any DispatchClock
    let logger: Logger
    let rounds: @Sendable (DispatchSummary) -> Void

    public init(dispatcher: Dispatcher, poll: TimeInterval = 30, clock: any DispatchClock = SystemClock(), logger: Logger,
                rounds: @escaping @Sendable (DispatchSummary) -> Void = { _ in }) {
        self.dispatcher = dispatcher
        self.poll = poll
        self.clock = clock
        self.logger = logger
        self.rounds = rounds
    }

    /// Sleeps at most `poll` at a time, so a batch added meanwhile is seen.
    struct PollingClock: DispatchClock {
        let base: any DispatchClock
        let poll: TimeInterval
        func now() -> Date { base.now() }
        func sleep(until date: Date) async throws {
            try await base.sleep(until: min(date, base.now().addingTimeInterval(poll)))
        }
    }

    public func run() async throws {
        let dispatcher = self.dispatcher, logger = self.logger, rounds = self.rounds
        let clock = PollingClock(base: self.clock, poll: poll)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await dispatcher.run(clock: clock) { round in
                        if round.isEventful { logger.info("dispatch: \(round.description)") }
                        rounds(round)
                    }
                } catch {
                    logger.error("dispatch failed, trying again in \(Int(poll)) s: \(error)")
                }
                // Nothing queued: look again after a poll.
                try? await clock.sleep(until: clock.now().addingTimeInterval(poll))
            }
        }
    }
}

/// `kelas serve`: the routes, the inbox applier, optionally the dispatcher.
public struct KelasServer: Sendable {
    public let store: KelasDatabase
    public let configuration: ServerConfiguration
    public let metrics = ServerMetrics()
    public let applier: InboxApplier
    /// Stores webhook bodies in groups, one durable commit per group.
    let committer: WebhookCommitter
    /// Page bodies that depend on nothing but the store's contents, by store version.
    /// Rendered page bodies by language and scope, for the store's newest version.
    let pages = StoreVersionCache<String, String>()
    /// Failed sign-ins, shared by every route of this server.
    let limiter = SignInLimiter()
    let logger: Logger

    public init(store: KelasDatabase, configuration: ServerConfiguration, logger: Logger = Logger(label: "kelas.serve")) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        applier = InboxApplier(store: store, metrics: metrics, now: configuration.now, logger: logger)
        committer = WebhookCommitter(store: store) { work in try await NIOThreadPool.singleton.runIfActive(work) }
    }

    /// The application: the routes, the applier, and the dispatcher loop when one is given (not with `--no-dispatch`).
    public func application(host: String = "127.0.0.1", port: Int = 8080, dispatcher: Dispatcher? = nil,
                            clock: any DispatchClock = SystemClock(), poll: TimeInterval = 30,
                            rounds: @escaping @Sendable (DispatchSummary) -> Void = { _ in },
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let services: [any Service] = [applier] + (dispatcher.map {
            [DispatchService(dispatcher: $0, poll: poll, clock: clock, logger: logger, rounds: rounds)]
        } ?? [])
        return Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "kelas"),
                    services: services,
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { _, _ in
            try text(try metrics.render(store: store, now: configuration.now()), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        WebhookRoutes(server: self).add(to: router)
        DashboardRoutes(server: self, limiter: limiter).add(to: router)
        return router
    }
}

extension KelasServer {
    /// Runs blocking work — every store call: SQLite waits on locks and the disk — on NIO's pool of threads for blocking
    /// work, never on the cooperative threads that every request, the applier and the dispatcher share.
    func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}

/// A response with a body and its content type.
func text(_ body: String, status: HTTPResponse.Status = .ok, type: String = "text/plain; charset=utf-8",
          headers extra: HTTPFields = [:]) throws -> Response {
    var headers = extra
    headers[.contentType] = type
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
}

/// Equal strings, compared in time that does not depend on where they differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let left = Array(a.utf8), right = Array(b.utf8)
    guard left.count == right.count else { return false }
    return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}

/// Lower-case hex of HMAC-SHA256(key, data).
func hmacHex<H: HashFunction>(_ hash: H.Type = SHA256.self, key: String, _ data: Data) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    for byte in HMAC<H>.authenticationCode(for: data, using: SymmetricKey(data: Data(key.utf8))) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: hex, as: UTF8.self)
}
