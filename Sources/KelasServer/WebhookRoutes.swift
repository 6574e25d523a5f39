import Crypto
import Foundation
import Hummingbird
import KelasCore
import KelasDelivery
import KelasStore
import NIOCore

/// The inbound webhooks. Each POST is checked (signature, size, readable JSON), stored durably in the inbox (POSTs
/// arriving together share one commit: `WebhookCommitter`), answered 200, and applied by the `InboxApplier` through the same ingest as `kelas ingest webhook`.
struct WebhookRoutes {
    let server: KelasServer

    func add(to router: Router<BasicRequestContext>) {
        router.get("/webhooks/whatsapp") { request, _ in try handshake(request) }
        router.post("/webhooks/whatsapp") { request, _ in try await whatsapp(request) }
        router.post("/webhooks/kelas") { request, _ in try await kelas(request) }
        router.post("/webhooks/waha") { request, _ in try await waha(request) }
        router.post("/webhooks/evolution") { request, _ in try await evolution(request) }
    }

    /// WAHA: `X-Webhook-Hmac` is the HMAC-SHA512 of the raw body with the key configured on the session's webhook.
    func waha(_ request: Request) async throws -> Response {
        let endpoint = "waha"
        guard let key = server.configuration.wahaWebhookKey else {
            return try answer(endpoint, .serviceUnavailable, "set KELAS_WAHA_WEBHOOK_KEY to the HMAC key of WAHA's webhook to receive it\n")
        }
        guard let body = try await collect(request) else { return try tooLarge(endpoint) }
        guard let signature = request.header("x-webhook-hmac") else {
            return try answer(endpoint, .unauthorized, "missing X-Webhook-Hmac (set the webhook's hmac key in WAHA)\n")
        }
        guard constantTimeEqual(signature.lowercased(), hmacHex(SHA512.self, key: key, body)) else {
            return try answer(endpoint, .unauthorized, "X-Webhook-Hmac does not match the body\n")
        }
        return try await store(endpoint, body, deliveryID: request.header("x-webhook-request-id"), format: .waha)
    }

    /// Evolution API: the shared token in the `X-Kelas-Token` header set on the instance's webhook.
    func evolution(_ request: Request) async throws -> Response {
        let endpoint = "evolution"
        guard let token = server.configuration.evolutionWebhookToken else {
            return try answer(endpoint, .serviceUnavailable, "set KELAS_EVOLUTION_WEBHOOK_TOKEN to the token in the webhook's X-Kelas-Token header\n")
        }
        guard let body = try await collect(request) else { return try tooLarge(endpoint) }
        guard let given = request.header("x-kelas-token") else {
            return try answer(endpoint, .unauthorized, "missing X-Kelas-Token (set it in the webhook's headers: POST /webhook/set/{instance})\n")
        }
        guard constantTimeEqual(given, token) else { return try answer(endpoint, .unauthorized, "X-Kelas-Token does not match\n") }
        return try await store(endpoint, body, deliveryID: nil, format: .evolution)
    }

    /// A verified gateway body: read once (400 with the reason when it cannot be), stored in the inbox, answered.
    func store(_ endpoint: String, _ body: Data, deliveryID: String?, format: WebhookFormat) async throws -> Response {
        let content: WebhookContent
        do { content = try GatewayPayload.decode(body, format: format, file: "body") } catch {
            return try answer(endpoint, .badRequest, reason(error))
        }
        let stored = try await keep(content, endpoint, body, deliveryID: deliveryID)
        return try answer(endpoint, .ok, stored ? "stored\n" : "already stored\n")
    }

    /// Stores a body read as `content` (answered only after its commit), hands what was read to the applier and wakes it.
    func keep(_ content: WebhookContent, _ endpoint: String, _ body: Data, deliveryID: String?) async throws -> Bool {
        let stored = try await server.committer.keep(ReceivedWebhook(endpoint: endpoint, deliveryID: deliveryID, body: body,
                                                                     receivedAt: server.configuration.now()))
        if stored {
            server.applier.decoded.keep(content, endpoint: endpoint, body: body)
            server.applier.notify()
        }
        return stored
    }

    /// Meta's verification: `hub.mode=subscribe`, our verify token, and the challenge echoed back as it came.
    func handshake(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let expected = server.configuration.verifyToken else {
            return try answer("whatsapp-handshake", .serviceUnavailable,
                              "the handshake needs KELAS_WHATSAPP_VERIFY_TOKEN set to the token given in Meta's dashboard\n")
        }
        guard query.get("hub.mode") == "subscribe", let token = query.get("hub.verify_token"),
              constantTimeEqual(token, expected), let challenge = query.get("hub.challenge") else {
            return try answer("whatsapp-handshake", .forbidden, "hub.mode must be subscribe and hub.verify_token the configured token\n")
        }
        return try answer("whatsapp-handshake", .ok, challenge)
    }

    func whatsapp(_ request: Request) async throws -> Response {
        let endpoint = "whatsapp"
        guard let secret = server.configuration.appSecret else {
            return try answer(endpoint, .serviceUnavailable, "set KELAS_WHATSAPP_APP_SECRET to the Meta app secret to receive webhooks\n")
        }
        guard let body = try await collect(request) else { return try tooLarge(endpoint) }
        guard let header = request.header("x-hub-signature-256"), header.hasPrefix("sha256=") else {
            return try answer(endpoint, .unauthorized, "missing X-Hub-Signature-256\n")
        }
        guard constantTimeEqual(String(header.dropFirst(7)).lowercased(), hmacHex(key: secret, body)) else {
            return try answer(endpoint, .unauthorized, "X-Hub-Signature-256 does not match the body\n")
        }
        let content: WebhookContent
        do { content = try WebhookPayload.decode(body, file: "body") } catch {
            return try answer(endpoint, .badRequest, reason(error))
        }
        _ = try await keep(content, endpoint, body, deliveryID: nil)
        return try answer(endpoint, .ok, "stored\n")
    }

    /// Standard Webhooks: `webhook-id`, `webhook-timestamp` (within the tolerance), `webhook-signature`.
    func kelas(_ request: Request) async throws -> Response {
        let endpoint = "kelas"
        guard let secret = server.configuration.webhookSecret, let signer = try? WebhookSigner(secret: secret) else {
            return try answer(endpoint, .serviceUnavailable, "set KELAS_WEBHOOK_SECRET (whsec_…) to receive Kelas events\n")
        }
        guard let body = try await collect(request) else { return try tooLarge(endpoint) }
        guard let id = request.header("webhook-id"), let stamp = request.header("webhook-timestamp").flatMap(Int.init),
              let signature = request.header("webhook-signature") else {
            return try answer(endpoint, .unauthorized, "missing webhook-id, webhook-timestamp or webhook-signature\n")
        }
        let skew = abs(server.configuration.wall().timeIntervalSince1970 - Double(stamp))
        guard skew <= server.configuration.tolerance else {
            return try answer(endpoint, .unauthorized, "webhook-timestamp is \(Int(skew)) s from this server's clock (at most "
                              + "\(Int(server.configuration.tolerance)) s)\n")
        }
        guard signer.verify(id: id, timestamp: stamp, body: body, signatureHeader: signature) else {
            return try answer(endpoint, .unauthorized, "webhook-signature does not match\n")
        }
        let content: WebhookContent
        do { content = try KelasEvents.decode(body, file: "body") } catch {
            return try answer(endpoint, .badRequest, reason(error))
        }
        let stored = try await keep(content, endpoint, body, deliveryID: id)
        return try answer(endpoint, .ok, stored ? "stored\n" : "already stored\n")
    }

    /// The body, or nil when it is larger than allowed.
    func collect(_ request: Request) async throws -> Data? {
        do {
            let buffer = try await request.body.collect(upTo: server.configuration.maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            return nil
        }
    }

    func tooLarge(_ endpoint: String) throws -> Response {
        try answer(endpoint, .contentTooLarge, "the body is over \(server.configuration.maxBodyBytes) bytes\n")
    }

    func answer(_ endpoint: String, _ status: HTTPResponse.Status, _ body: String) throws -> Response {
        server.metrics.request(endpoint, status)
        return try text(body, status: status)
    }

    /// The decoder's sentence (`body:1:1: error: … — fix`), for a 400.
    func reason(_ error: any Error) -> String {
        if let failure = error as? ValidationFailure { return failure.diagnostics.map(\.description).joined(separator: "\n") + "\n" }
        return "\(error)\n"
    }
}

extension Request {
    /// A header's value by its lower-case name.
    func header(_ name: String) -> String? { headers.first { $0.name.canonicalName == name }?.value }
}
