import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KelasCore
@testable import KelasDelivery
import KelasStore
import Testing
@testable import KelasServer

/// `kelas serve` through Hummingbird's test client: webhooks, auth, pages, metrics, against a real SQLite store.
@Suite("kelas serve", .timeLimit(.minutes(1)))
struct ServerTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-serve-\(UUID().uuidString)")
    static let appSecret = "meta-app-secret-0123456789"
    static let webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let admin = "admin-token-42"
    /// 2021-07-06 10:00 WIB: day 2 of the example batch.
    static let now = Date(timeIntervalSince1970: 1_625_540_400)

    func server(maxBody: Int = 1 << 20) throws -> KelasServer {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        let file = directory.appendingPathComponent("batch.yaml").path
        _ = try store.addBatch(try BatchFile.load(path: file), source: file, now: Self.now.addingTimeInterval(-2 * 86_400))
        var configuration = ServerConfiguration(adminToken: Self.admin, appSecret: Self.appSecret, verifyToken: "verify-me",
                                                webhookSecret: Self.webhookSecret)
        configuration.maxBodyBytes = maxBody
        configuration.now = { Self.now }
        configuration.wall = { Self.now }
        return KelasServer(store: store, configuration: configuration)
    }

    /// A Cloud API payload: `from` (digits) writes `text` at `at`, message id `id`.
    static func payload(id: String, from: String = "6281234567111", text: String = "Menurut saya gender itu peran", at: Date = now) -> Data {
        Data("""
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",\
        "contacts":[{"wa_id":"\(from)","profile":{"name":"Budi"}}],"messages":[{"from":"\(from)","id":"\(id)",\
        "timestamp":"\(Int(at.timeIntervalSince1970))","type":"text","text":{"body":"\(text)"}}]}}]}]}
        """.utf8)
    }

    static func hubSignature(_ body: Data, secret: String = appSecret) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    static func header(_ name: String) -> HTTPField.Name {
        HTTPField.Name(name) ?? .contentType
    }

    func post(_ client: any TestClientProtocol, _ body: Data, signature: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let signature { headers[Self.header("X-Hub-Signature-256")] = signature }
        return try await client.execute(uri: "/webhooks/whatsapp", method: .post, headers: headers, body: ByteBuffer(data: body))
    }

    @Test("a chart's whole percentage is the text %.0f writes (half to even), for every tenth from -10 to 1000 and the halves")
    func wholePercents() {
        let values = (-100...10_000).map { Double($0) / 10 } + [0.5, 1.5, 2.5, 86.5, 87.5, 99.5, -0.4, -0.0, 1e15, .infinity]
        let wrong = values.filter { Dashboard.wholePercent($0) != String(format: "%.0f", $0) }
        #expect(wrong.isEmpty, "\(wrong.prefix(5).map { "\($0) → \(Dashboard.wholePercent($0))" })")
    }

    @Test("the Cloud API handshake echoes the challenge for the right token only")
    func handshake() async throws {
        let app = try server().application()
        try await app.test(.router) { client in
            let good = try await client.execute(uri: "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444",
                                                method: .get)
            #expect(good.status == .ok && String(buffer: good.body) == "1158201444")
            let wrong = try await client.execute(uri: "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", method: .get)
            #expect(wrong.status == .forbidden)
        }
    }

    @Test("signed payloads are stored, answered 200 and applied; unsigned, wrongly signed, oversize and malformed ones are refused")
    func whatsappWebhook() async throws {
        let server = try server(maxBody: 4096)
        try await server.application().test(.router) { client in
            let body = Self.payload(id: "wamid.S1")
            #expect(try await post(client, body, signature: nil).status == .unauthorized)
            #expect(try await post(client, body, signature: Self.hubSignature(body, secret: "another secret")).status == .unauthorized)
            #expect(try await post(client, body, signature: "sha256=00").status == .unauthorized)
            let big = Data(repeating: UInt8(ascii: " "), count: 5000) + body
            #expect(try await post(client, big, signature: Self.hubSignature(big)).status == .contentTooLarge)
            let broken = Data("{\"object\": \"whatsapp_business_account\", \"entry\": [".utf8)
            let refused = try await post(client, broken, signature: Self.hubSignature(broken))
            #expect(refused.status == .badRequest && String(buffer: refused.body).contains("not valid JSON"))
            let missing = Data("{\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"from\":\"6281234567111\",\"id\":\"x\",\"type\":\"text\"}]}}]}]}".utf8)
            let noTime = try await post(client, missing, signature: Self.hubSignature(missing))
            #expect(noTime.status == .badRequest && String(buffer: noTime.body).contains("timestamp` is missing"))

            // Still serving: the good payload, twice (WhatsApp retries), is stored twice and counted once.
            #expect(try await post(client, body, signature: Self.hubSignature(body)).status == .ok)
            #expect(try await post(client, body, signature: Self.hubSignature(body)).status == .ok)
        }
        // The applier ran beside the requests and drained the inbox when the server stopped.
        let stats = try server.store.inboxStats()
        #expect(stats.pending == 0 && stats.received == 2)
        let status = try server.store.status(batchID: "gresik-2021-07", now: Self.now)
        let budi = try #require(status.rows.first { $0.phone.e164 == "+6281234567111" })
        #expect(budi.states.contains(.replied))
        #expect(status.rows.flatMap(\.states).count { $0 == .replied } == 1)
    }

    @Test("WAHA (X-Webhook-Hmac, HMAC-SHA512) and Evolution API (X-Kelas-Token): good stored and applied to the batch naming the group; bad and missing refused")
    func gatewayWebhooks() async throws {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let file = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "mode: group", with: "mode: group\n  group: 120363012345678901@g.us\n  #")
        try Data(text.utf8).write(to: file)
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(try BatchFile.load(path: file.path), source: file.path, now: Self.now.addingTimeInterval(-2 * 86_400))
        var configuration = ServerConfiguration(adminToken: Self.admin)
        configuration.wahaWebhookKey = "waha-hmac-key"
        configuration.evolutionWebhookToken = "evo-token"
        configuration.now = { Self.now }
        configuration.wall = { Self.now }
        let server = KelasServer(store: store, configuration: configuration)
        let waha = Data(#"{"id":"evt_1","event":"message","session":"default","payload":{"id":"false_120363012345678901@g.us_3EB0X1_6281234567111@c.us","timestamp":1625540400,"from":"120363012345678901@g.us","fromMe":false,"participant":"6281234567111@c.us","body":"Jawaban saya","hasMedia":false}}"#.utf8)
        let evolution = Data(#"{"event":"messages.upsert","instance":"i","data":{"key":{"remoteJid":"120363012345678901@g.us","fromMe":false,"id":"BAE5X2","participant":"6281234567112@s.whatsapp.net"},"pushName":"Cahyo","message":{"audioMessage":{"ptt":true}},"messageTimestamp":1625540460}}"#.utf8)
        let hmac = HMAC<SHA512>.authenticationCode(for: waha, using: SymmetricKey(data: Data("waha-hmac-key".utf8)))
            .map { String(format: "%02x", $0) }.joined()
        try await server.application().test(.router) { client in
            func send(_ path: String, _ body: Data, _ headers: [String: String]) async throws -> HTTPResponse.Status {
                var fields: HTTPFields = [.contentType: "application/json"]
                for (name, value) in headers { fields[Self.header(name)] = value }
                return try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(data: body)).status
            }
            let answer1 = try await send("/webhooks/waha", waha, [:])
            #expect(answer1 == .unauthorized)
            let answer2 = try await send("/webhooks/waha", waha, ["X-Webhook-Hmac": String(repeating: "0", count: 128)])
            #expect(answer2 == .unauthorized)
            let answer3 = try await send("/webhooks/waha", waha, ["X-Webhook-Hmac": hmac, "X-Webhook-Hmac-Algorithm": "sha512"])
            #expect(answer3 == .ok)
            let answer4 = try await send("/webhooks/evolution", evolution, [:])
            #expect(answer4 == .unauthorized)
            let answer5 = try await send("/webhooks/evolution", evolution, ["X-Kelas-Token": "wrong"])
            #expect(answer5 == .unauthorized)
            let answer6 = try await send("/webhooks/evolution", evolution, ["X-Kelas-Token": "evo-token"])
            #expect(answer6 == .ok)
            let broken = Data(#"{"event":"messages.upsert","data":{"message":{}}}"#.utf8)
            let answer7 = try await send("/webhooks/evolution", broken, ["X-Kelas-Token": "evo-token"])
            #expect(answer7 == .badRequest)
        }
        let status = try server.store.status(batchID: "gresik-2021-07", now: Self.now)
        let states = Dictionary(uniqueKeysWithValues: status.rows.map { ($0.phone.e164, $0.states) })
        #expect(states["+6281234567111"]?.contains(.replied) == true)
        #expect(states["+6281234567112"]?.contains(.voiceNote) == true)
        // Without the key or token configured, the endpoints say which variable to set.
        try await self.server().application().test(.router) { client in
            let response = try await client.execute(uri: "/webhooks/waha", method: .post, body: ByteBuffer(data: waha))
            #expect(response.status == .serviceUnavailable && String(buffer: response.body).contains("KELAS_WAHA_WEBHOOK_KEY"))
        }
    }

    @Test("Kelas events: Standard Webhooks signature within five minutes; a repeated webhook-id is stored once")
    func kelasWebhook() async throws {
        let server = try server()
        let signer = try WebhookSigner(secret: Self.webhookSecret)
        let body = Data("""
        [{"type":"message","id":"gw-1","from":"+6281234567112","at":"2021-07-06T09:30:00+07:00","kind":"voice"},
         {"type":"status","message":"msg_gresik-2021-07:d2:diskusi-sesi-1","recipient":"+6281234567112","state":"read","at":"2021-07-06T09:05:00+07:00"}]
        """.utf8)
        @Sendable func headers(id: String, at: Date, signature: String? = nil) -> HTTPFields {
            let stamp = Int(at.timeIntervalSince1970)
            var fields: HTTPFields = [.contentType: "application/json"]
            fields[Self.header("webhook-id")] = id
            fields[Self.header("webhook-timestamp")] = String(stamp)
            fields[Self.header("webhook-signature")] = signature ?? signer.signature(id: id, timestamp: stamp, body: body)
            return fields
        }
        try await server.application().test(.router) { client in
            let first = try await client.execute(uri: "/webhooks/kelas", method: .post, headers: headers(id: "evt_1", at: Self.now),
                                                 body: ByteBuffer(data: body))
            #expect(first.status == .ok && String(buffer: first.body) == "stored\n")
            let again = try await client.execute(uri: "/webhooks/kelas", method: .post, headers: headers(id: "evt_1", at: Self.now),
                                                 body: ByteBuffer(data: body))
            #expect(again.status == .ok && String(buffer: again.body) == "already stored\n")
            let stale = try await client.execute(uri: "/webhooks/kelas", method: .post,
                                                 headers: headers(id: "evt_2", at: Self.now.addingTimeInterval(-600)), body: ByteBuffer(data: body))
            #expect(stale.status == .unauthorized && String(buffer: stale.body).contains("600 s from this server's clock"))
            let forged = try await client.execute(uri: "/webhooks/kelas", method: .post,
                                                  headers: headers(id: "evt_3", at: Self.now, signature: "v1,AAAA"), body: ByteBuffer(data: body))
            #expect(forged.status == .unauthorized)
        }
        let stats = try server.store.inboxStats()
        #expect(stats.received == 1 && stats.pending == 0)
        let status = try server.store.status(batchID: "gresik-2021-07", now: Self.now)
        #expect(status.rows.first { $0.phone.e164 == "+6281234567112" }?.states.contains(.voiceNote) == true)
        #expect(try server.store.deliveryStatuses(messageID: "gresik-2021-07:d2:diskusi-sesi-1").map(\.state) == ["read"])
    }

    @Test("admin pages need the token: 401 for a client, the login form for a browser; bearer and the login cookie let in")
    func auth() async throws {
        let app = try server().application()
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/", method: .get).status == .unauthorized)
            let browser = try await client.execute(uri: "/report", method: .get, headers: [.accept: "text/html"])
            #expect(browser.status == .seeOther && browser.headers[.location] == "/login")
            #expect(try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer wrong"]).status == .unauthorized)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.authorization: "Bearer \(Self.admin)"]).status == .ok)

            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let bad = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=guess"))
            #expect(bad.status == .unauthorized)
            let good = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=\(Self.admin)"))
            #expect(good.status == .seeOther)
            let cookie = try #require(good.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            #expect(cookie.hasPrefix("kelas_session=") && !cookie.contains(Self.admin))
            #expect(try await client.execute(uri: "/batches/gresik-2021-07", method: .get, headers: [.cookie: cookie]).status == .ok)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: "kelas_session=forged"]).status == .unauthorized)
            // Health and metrics are open; nothing else is.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/etc/passwd", method: .get).status == .notFound)
        }
    }

    @Test("pages show what `kelas report` says for the same store, and never a participant's whole number")
    func pages() async throws {
        let server = try server()
        // Some answers, a voice note and a trainer's take-up, through the webhook path.
        let payloads = ["6281234567110", "6281234567111", "6281234567113"].enumerated().map { index, digits in
            Self.payload(id: "wamid.P\(index)", from: digits, at: Self.now.addingTimeInterval(-1800))
        }
        let bearer: HTTPFields = [.authorization: "Bearer \(Self.admin)", .acceptLanguage: "en-GB,en;q=0.9"]
        try await server.application().test(.router) { client in
            for body in payloads { #expect(try await post(client, body, signature: Self.hubSignature(body)).status == .ok) }
            try server.applier.applyPending()
            let report = try server.store.report(by: .batch, now: Self.now)
            let row = try #require(report.rows.first)
            let overview = String(buffer: try await client.execute(uri: "/", method: .get, headers: bearer).body)
            #expect(overview.contains("<td class=\"n\">\(row.registered)</td>"))
            #expect(overview.contains("<td class=\"n\">\(row.active) <small>"))
            #expect(overview.contains("\(row.completed) <small>(\(String(format: "%.1f", row.completedPercent))%)</small>"))
            #expect(overview.contains("day 2 of 7") && overview.contains("<svg class=\"chart\""))
            for grouping in [ReportGrouping.district, .programme, .trainer] {
                let csv = try await client.execute(uri: "/report.csv?by=\(grouping.rawValue)", method: .get, headers: bearer)
                #expect(String(buffer: csv.body) == ReportRenderer.csv(try server.store.report(by: grouping, now: Self.now)))
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            }

            let page = String(buffer: try await client.execute(uri: "/batches/gresik-2021-07", method: .get, headers: bearer).body)
            #expect(page.contains("+62 812-****-7111") && page.contains("class=\"s replied\""))
            for participant in try server.store.participants(batchID: "gresik-2021-07") {
                #expect(!page.contains(participant.e164) && !page.contains(String(participant.digits)))
            }
            #expect(page.contains("Today&#39;s plan (Tuesday 6 July 2021)"))
            let missing = try await client.execute(uri: "/batches/nope", method: .get, headers: bearer)
            #expect(missing.status == .notFound)
        }
    }

    @Test("/metrics: webhook requests by answer, outbox states, the inbox and its lag, in Prometheus text")
    func metrics() async throws {
        let server = try server()
        try await server.application().test(.router) { client in
            let body = Self.payload(id: "wamid.M1")
            _ = try await post(client, body, signature: Self.hubSignature(body))
            _ = try await post(client, body, signature: nil)
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains("kelas_webhook_requests_total{endpoint=\"whatsapp\",status=\"200\"} 1"))
            #expect(text.contains("kelas_webhook_requests_total{endpoint=\"whatsapp\",status=\"401\"} 1"))
            #expect(text.contains("kelas_outbox_messages{state=\"queued\"} 27.0"))
            #expect(text.contains("kelas_outbox_messages{state=\"sent\"} 0.0"))
            #expect(text.contains("# TYPE kelas_inbox_pending gauge"))
            #expect(text.contains("# TYPE kelas_ingest_lag_seconds gauge"))
        }
    }

    @Test("with a dispatcher the server runs the send loop: a past week's messages expire instead of going out late")
    func dispatches() async throws {
        let server = try server()
        let sink = ConsoleSink { _ in }
        // The loop's clock is injected: the week after the batch, whatever today is. The test waits on the loop's
        // first round (reported through `rounds`), not on a timer.
        let (rounds, report) = AsyncStream.makeStream(of: DispatchSummary.self)
        let after = Self.now.addingTimeInterval(7 * 86_400)
        let app = server.application(dispatcher: Dispatcher(store: server.store, sink: sink), clock: ScaledClock(start: after, speed: 1),
                                     rounds: { report.yield($0) })
        try await app.test(.router) { client in
            var expired = 0
            for await round in rounds {
                expired += round.expired
                if round.next == nil { break }
            }
            #expect(expired == 27)
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains("kelas_outbox_messages{state=\"expired\"} 27.0"))
            #expect(text.contains("kelas_outbox_messages{state=\"sent\"} 0.0"))
        }
    }

    @Test("a stored payload that cannot be applied is quarantined, counted on /metrics, and does not hold up the next")
    func quarantine() async throws {
        let server = try server()
        // A body stored by an older Kelas that this one's decoder refuses, then a good payload.
        try server.store.enqueueWebhook(endpoint: "whatsapp", deliveryID: nil, body: Data(#"{"entry":"#.utf8), receivedAt: Self.now)
        try server.store.enqueueWebhook(endpoint: "whatsapp", deliveryID: nil, body: Self.payload(id: "wamid.Q2"), receivedAt: Self.now)
        #expect(try server.applier.applyPending() == 2)
        #expect(try server.store.inboxStats().pending == 0)
        #expect(try server.store.status(batchID: "gresik-2021-07", now: Self.now).active == 1)
        try await server.application().test(.router) { client in
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains("kelas_inbox_quarantined 1.0"), "\(text)")
            #expect(text.contains("kelas_inbox_quarantined_total 1"))
        }
    }

    @Test("a message whose batch names no sink shows on the batch page as held, with the reason")
    func heldOnDashboard() async throws {
        let server = try server()
        // As `kelas serve` sends: each batch's own sink, no console fallback.
        let round = try await Dispatcher(store: server.store, sinks: SinkResolver(fallback: nil)).runOnce(now: Self.now)
        #expect(round.held > 0 && round.sent == 0)
        try await server.application().test(.router) { client in
            let page = String(buffer: try await client.execute(uri: "/batches/gresik-2021-07", method: .get,
                                                               headers: [.authorization: "Bearer \(Self.admin)"]).body)
            #expect(page.contains("class=\"out held\"") && page.contains("names no delivery.sink"))
        }
    }

    @Test("the batch page lists who opted out, masked, with how")
    func optOutsOnDashboard() async throws {
        let server = try server()
        try server.store.setOptOut(batchID: "gresik-2021-07", participant: "Budi Santoso", optedOut: true, note: "by phone", now: Self.now)
        try await server.application().test(.router) { client in
            let page = String(buffer: try await client.execute(uri: "/batches/gresik-2021-07", method: .get,
                                                               headers: [.authorization: "Bearer \(Self.admin)", .acceptLanguage: "en"]).body)
            #expect(page.contains("<h2>Opted out (1)</h2>") && page.contains("Budi Santoso") && page.contains("recorded by an admin: by phone"))
            #expect(!page.contains("+6281234567111"))
            // The reports page has the column, counted in the denominator as `kelas report` counts them.
            let report = String(buffer: try await client.execute(uri: "/report", method: .get,
                                                                 headers: [.authorization: "Bearer \(Self.admin)", .acceptLanguage: "en"]).body)
            #expect(report.contains("<th>Opted out</th>"))
            let cells = ReportRenderer.cells(try server.store.report(by: .district, now: Self.now).total)
            #expect(cells.last == "1" && report.contains(cells.map { "<td class=\"n\">\($0)</td>" }.joined()))
        }
    }

    @Test("pages speak Indonesian first: the browser's Accept-Language, the switch (remembered in a cookie), dates and numbers in each form")
    func languages() async throws {
        let server = try server()
        let bearer: HTTPFields = [.authorization: "Bearer \(Self.admin)"]
        try await server.application().test(.router) { client in
            let plain = try await client.execute(uri: "/batches/gresik-2021-07", method: .get, headers: bearer)
            let page = String(buffer: plain.body)
            #expect(page.contains("<html lang=\"id\">") && page.contains("Rencana hari ini (Selasa, 6 Juli 2021)") && page.contains("hari ke-2 dari 7"))
            #expect(page.contains(">English</a>") && plain.headers[.contentLanguage] == "id")
            var english = bearer
            english[.acceptLanguage] = "en-US,en;q=0.9"
            let asked = String(buffer: try await client.execute(uri: "/", method: .get, headers: english).body)
            #expect(asked.contains("<html lang=\"en\">") && asked.contains("<h1>Batches</h1>") && asked.contains(">Bahasa Indonesia</a>"))
            // The switch wins over the browser, and is remembered.
            let switched = try await client.execute(uri: "/report?lang=id", method: .get, headers: english)
            #expect(String(buffer: switched.body).contains("<h1>Laporan</h1>"))
            let cookie = try #require(switched.headers[.setCookie])
            #expect(cookie.contains("kelas_lang=id") && cookie.contains("HttpOnly"))
            var remembered = english
            remembered[.cookie] = "kelas_lang=id"
            let again = String(buffer: try await client.execute(uri: "/", method: .get, headers: remembered).body)
            #expect(again.contains("<h1>Angkatan</h1>") && again.contains("Menunggu fasilitator"))
            let login = String(buffer: try await client.execute(uri: "/login", method: .get, headers: [.acceptLanguage: "id"]).body)
            #expect(login.contains("Token admin") && login.contains(">Masuk</button>"))
        }
    }

    /// A second batch on the same days, with its own trainers: Iva is not one of them.
    func addOtherBatch(_ server: KelasServer) throws {
        let file = directory.appendingPathComponent("other.yaml")
        let text = try String(contentsOf: directory.appendingPathComponent("batch.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "id: gresik-2021-07", with: "id: tuban-2021-07")
            .replacingOccurrences(of: "+6281234567001", with: "+6281234567004").replacingOccurrences(of: "0812-3456-7002", with: "0812-3456-7005")
        try Data(text.utf8).write(to: file)
        _ = try server.store.addBatch(try BatchFile.load(path: file.path), source: file.path, now: Self.now.addingTimeInterval(-2 * 86_400))
    }

    static let iva = "+6281234567001"

    @Test("a trainer's one-time link: a session of their own; /today shows their batch only, full numbers to call; marks need the CSRF token; revoked is revoked")
    func trainerAccess() async throws {
        let server = try server()
        // A voice note answering the open discussion, with its length as a gateway gives it (stored before a second
        // batch with the same participants' numbers makes a 1:1 message ambiguous).
        var content = WebhookContent()
        content.messages = [InboundMessage(id: "voice-42", phone: PhoneNumber(e164: "+6281234567111"), author: "Budi",
                                           sentAt: Self.now, kind: .voice, seconds: 42)]
        _ = try server.store.ingest(content, source: "test", now: Self.now)
        try addOtherBatch(server)
        let secret = AccessTokens.secret()
        _ = try server.store.addTrainerAccess(phone: "0812-3456-7001", linkHash: AccessTokens.hash(secret), expiresAt: Self.now.addingTimeInterval(86_400),
                                              now: Self.now)
        #expect(throws: StoreError.self) {
            try server.store.addTrainerAccess(phone: "+6281234567110", linkHash: "x", expiresAt: Self.now, now: Self.now)
        }
        // Only the hash is stored.
        #expect(try server.store.accessList(now: Self.now).first?.linkPending == true)
        try await server.application().test(.router) { client in
            let signIn = try await client.execute(uri: "/signin/\(secret)", method: .get, headers: [.acceptLanguage: "id"])
            #expect(signIn.status == .seeOther && signIn.headers[.location] == "/today")
            let setCookie = try #require(signIn.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && !setCookie.contains(secret))
            let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
            // The link works once.
            #expect(try await client.execute(uri: "/signin/\(secret)", method: .get).status == .forbidden)

            let headers: HTTPFields = [.cookie: cookie, .acceptLanguage: "id"]
            let today = String(buffer: try await client.execute(uri: "/today", method: .get, headers: headers).body)
            #expect(today.contains("Diskusi terbuka") && today.contains("Budi Santoso 🎤 0:42"), "\(today)")
            #expect(today.contains("<h1>Hari ini</h1>") && today.contains("Masuk sebagai Iva Hasanah"))
            #expect(today.contains("Pelatihan Adil Gender") && !today.contains("tuban-2021-07"))
            #expect(today.contains("Perlu ditelepon") && today.contains("href=\"tel:+6281234567110\""))
            let csrf = try #require(today.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.output.1) })
            // Admin pages are not a trainer's.
            #expect(try await client.execute(uri: "/", method: .get, headers: headers).status == .forbidden)

            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            func post(_ uri: String, _ body: String) async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: form, body: ByteBuffer(string: body))
            }
            let mark = "batch=gresik-2021-07&phone=%2B6281234567110&session=1&kind=phoned&note=sakit+flu"
            #expect(try await post("/today/mark", mark).status == .forbidden) // no CSRF token
            #expect(try await post("/today/mark", mark + "&csrf=wrong").status == .forbidden)
            #expect(try await post("/today/mark", mark.replacingOccurrences(of: "gresik", with: "tuban") + "&csrf=\(csrf)").status == .forbidden)
            #expect(try await post("/today/mark", mark + "&csrf=\(csrf)").status == .seeOther)
            let marks = try server.store.marks(batchID: "gresik-2021-07", since: Self.now.addingTimeInterval(-86_400))
            #expect(marks.count == 1 && marks.first?.kind == .phoned && marks.first?.note == "sakit flu")
            let after = String(buffer: try await client.execute(uri: "/today", method: .get, headers: headers).body)
            #expect(after.contains("Ditandai hari ini") && after.contains("Sudah ditelepon"))
            // Undo takes it back.
            let id = try #require(marks.first?.id)
            #expect(try await post("/today/undo", "batch=gresik-2021-07&mark=\(id)&csrf=\(csrf)").status == .seeOther)
            #expect(try server.store.marks(batchID: "gresik-2021-07", since: Self.now.addingTimeInterval(-86_400)).isEmpty)

            // Revoked: the session stops working at once.
            try server.store.revokeAccess(Self.iva, now: Self.now)
            let revoked = try await client.execute(uri: "/today", method: .get, headers: headers)
            #expect(revoked.status == .seeOther && revoked.headers[.location] == "/login")
            #expect(try await post("/today/mark", mark + "&csrf=\(csrf)").status == .unauthorized)
        }
    }

    static func multipart(_ fields: [(String, String?, Data)], boundary: String = "----kelas-test-7f3a") -> (HTTPFields, ByteBuffer) {
        var body = Data()
        for (name, filename, data) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"".utf8)
            if let filename { body += Data("; filename=\"\(filename)\"\r\nContent-Type: text/plain".utf8) }
            body += Data("\r\n\r\n".utf8) + data + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(data: body))
    }

    @Test("/today: the day's chat export uploaded from the phone goes through the same ingest as kelas ingest chat; CSRF and batch checked")
    func uploadExport() async throws {
        let server = try server()
        let secret = AccessTokens.secret()
        _ = try server.store.addTrainerAccess(phone: Self.iva, linkHash: AccessTokens.hash(secret), expiresAt: Self.now.addingTimeInterval(3600), now: Self.now)
        let export = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/ingest/android-id.txt"))
        try await server.application().test(.router) { client in
            let signIn = try await client.execute(uri: "/signin/\(secret)", method: .get)
            let cookie = try #require(signIn.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let page = String(buffer: try await client.execute(uri: "/today", method: .get, headers: [.cookie: cookie]).body)
            #expect(page.contains("enctype=\"multipart/form-data\"") && page.contains("Unggah ekspor chat hari ini"))
            let csrf = try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.output.1) })
            func upload(_ fields: [(String, String?, Data)]) async throws -> TestResponse {
                var (headers, body) = Self.multipart(fields)
                headers[.cookie] = cookie
                headers[.acceptLanguage] = "id"
                return try await client.execute(uri: "/today/upload", method: .post, headers: headers, body: body)
            }
            let batch = ("batch", nil as String?, Data("gresik-2021-07".utf8))
            #expect(try await upload([batch, ("export", "chat.txt", export)]).status == .forbidden)
            let done = try await upload([("csrf", nil, Data(csrf.utf8)), batch, ("export", "WhatsApp Chat.txt", export)])
            let text = String(buffer: done.body)
            #expect(done.status == .ok && text.contains("pesan dibaca") && text.contains("baru"), "\(text)")
            let added = try #require(text.firstMatch(of: /\), (\d+) baru/).map { Int($0.output.1) ?? 0 })
            #expect(added > 0)
            // The same export again adds nothing; a file that is no export is said so.
            #expect(String(buffer: try await upload([("csrf", nil, Data(csrf.utf8)), batch, ("export", "chat.txt", export)]).body).contains(", 0 baru"))
            let junk = try await upload([("csrf", nil, Data(csrf.utf8)), batch, ("export", "notes.txt", Data("just some notes\n".utf8))])
            #expect(junk.status == .unprocessableContent)
            let plain = try await client.execute(uri: "/today/upload", method: .post,
                                                 headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "csrf=\(csrf)"))
            #expect(plain.status == .badRequest)
        }
    }

    @Test("scheduling from the browser: errors beside their field or as participants.csv:14; nothing kept until right; then the files are written, downloadable, valid, and the batch is in the store")
    func scheduleBatch() async throws {
        let base = try server()
        var settings = base.configuration
        settings.workspace = directory.appendingPathComponent("batches").path
        let configuration = settings
        let server = KelasServer(store: base.store, configuration: configuration)
        let csv = ExampleWorkspace.files["participants.csv"] ?? ""
        var rows = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let good = rows.joined(separator: "\n")
        rows[13] = "Rahmat Hidayat,0812-ABC-7199,Gresik,,"
        let bad = rows.joined(separator: "\n")
        try await server.application().test(.router) { client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let login = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=\(Self.admin)"))
            let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let page = String(buffer: try await client.execute(uri: "/schedule", method: .get, headers: [.cookie: cookie, .acceptLanguage: "id"]).body)
            #expect(page.contains("Jadwalkan angkatan") && page.contains("name=\"participants\"") && page.contains("value=\"2021-07-12\""))
            let csrf = try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.output.1) })
            func fields(_ start: String, _ participants: String, csrf token: String? = csrf) -> [(String, String?, Data)] {
                var list: [(String, String?, Data)] = [
                    ("name", nil, Data("Pelatihan Adil Gender — Tuban angkatan 1".utf8)), ("id", nil, Data("tuban-2021-08".utf8)),
                    ("programme", nil, Data("WEE".utf8)), ("district", nil, Data("Tuban".utf8)), ("start", nil, Data(start.utf8)),
                    ("timezone", nil, Data("Asia/Jakarta".utf8)), ("language", nil, Data("id".utf8)), ("curriculum", nil, Data("adil-gender".utf8)),
                    ("mode", nil, Data("group".utf8)), ("sink", nil, Data()),
                    ("trainers", nil, Data("Iva Hasanah, +6281234567001\r\nWinoto, 0812-3456-7002".utf8)),
                    ("admin", nil, Data("Rumi, +6281234567003".utf8)), ("participants", "peserta.csv", Data(participants.utf8)),
                ]
                if let token { list.insert(("csrf", nil, Data(token.utf8)), at: 0) }
                return list
            }
            func post(_ fields: [(String, String?, Data)]) async throws -> TestResponse {
                var (headers, body) = Self.multipart(fields)
                headers[.cookie] = cookie
                headers[.acceptLanguage] = "en"
                return try await client.execute(uri: "/schedule", method: .post, headers: headers, body: body)
            }
            #expect(try await post(fields("2021-08-02", good, csrf: nil)).status == .forbidden)
            // A bad participant row and a date that is no date: each beside its field; nothing kept.
            let refused = try await post(fields("2021-02-30", bad))
            let text = String(buffer: refused.body)
            #expect(refused.status == .unprocessableContent)
            #expect(text.contains("participants.csv:14:") && text.contains("0812-ABC-7199"), "\(text)")
            #expect(text.contains("label class=\"field invalid\"><span>Start date"))
            #expect(try server.store.batch("tuban-2021-08") == nil)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: configuration.workspace))?.isEmpty ?? true)
            // Fixed: written, added, downloadable, and what the form wrote `kelas validate` accepts.
            let done = try await post(fields("2021-08-02", good))
            #expect(done.status == .created, "\(String(buffer: done.body))")
            let stored = try #require(try server.store.batch("tuban-2021-08"))
            #expect(stored.district == "Tuban" && stored.participants == 24)
            let written = URL(fileURLWithPath: configuration.workspace).appendingPathComponent("tuban-2021-08/batch.yaml").path
            #expect(Validator.validate(paths: [written]).errorCount == 0)
            let download = try await client.execute(uri: "/schedule/files/tuban-2021-08/participants.csv", method: .get, headers: [.cookie: cookie])
            #expect(download.status == .ok && String(buffer: download.body) == good)
            #expect(try await client.execute(uri: "/schedule/files/..%2Fetc/batch.yaml", method: .get, headers: [.cookie: cookie]).status == .notFound)
            // The same id again is refused.
            #expect(try await post(fields("2021-08-02", good)).status == .conflict)
        }
    }

    @Test("admin sign-in starts a revocable session (never a cookie derived from the token); sign-out ends it; failed sign-ins are rate-limited")
    func adminSessions() async throws {
        let server = try server()
        try await server.application().test(.router) { client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let first = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=\(Self.admin)"))
            let second = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=\(Self.admin)"))
            let one = try #require(first.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let two = try #require(second.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            #expect(one != two)
            let page = String(buffer: try await client.execute(uri: "/today", method: .get, headers: [.cookie: one, .acceptLanguage: "en"]).body)
            let csrf = try #require(page.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.output.1) })
            // An admin sees every batch on /today, numbers masked.
            #expect(page.contains("+62 812-****-7110") && !page.contains("tel:"))
            #expect(try await client.execute(uri: "/logout", method: .post, headers: [.cookie: one, .contentType: "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: "csrf=\(csrf)")).status == .seeOther)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: one]).status == .unauthorized)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: two]).status == .ok)

            for _ in 0..<20 {
                #expect(try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=guess")).status == .unauthorized)
            }
            let limited = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=\(Self.admin)"))
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
            #expect(try await client.execute(uri: "/signin/anything", method: .get).status == .tooManyRequests)
        }
    }

    /// A WAHA whose phone is not linked: every send answered as WAHA answers it (422, the session's state).
    struct UnlinkedWAHA: OutboundSink {
        let name = "waha:unlinked"
        func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
            let answer = KelasDelivery.HTTPResponse(status: 422, headers: [:], body: Data(#"{"error":"Session status is not as expected","session":"default","status":"SCAN_QR_CODE","expected":["WORKING"]}"#.utf8),
                                      error: nil, latency: 0.01)
            return events.map { _ in SendReport(GatewaySink.outcome(of: answer, gateway: .waha(session: "default"), now: now)) }
        }
    }

    @Test("a gateway whose phone is not linked: messages retried, and a banner on the overview and the batch page says why and what to do")
    func disconnectedBanner() async throws {
        let server = try server()
        let round = try await Dispatcher(store: server.store, sink: UnlinkedWAHA()).runOnce(now: Self.now)
        #expect(round.retried > 0 && round.sent == 0)
        let problems = try server.store.deliveryProblems()
        #expect(problems.count == 1 && problems.first?.messages == round.retried)
        try await server.application().test(.router) { client in
            for uri in ["/", "/batches/gresik-2021-07"] {
                let page = String(buffer: try await client.execute(uri: uri, method: .get,
                                                                   headers: [.authorization: "Bearer \(Self.admin)", .acceptLanguage: "en"]).body)
                #expect(page.contains("class=\"banner\"") && page.contains("held up"), "\(uri)")
                #expect(page.contains("SCAN_QR_CODE, not WORKING") && page.contains("scan the QR code"), "\(uri)")
            }
        }
        // Once they go, the banner goes.
        let later = Self.now.addingTimeInterval(3600)
        _ = try await Dispatcher(store: server.store, sink: ScriptedOK(), wall: { later }).run(clock: VirtualClock(later), until: later.addingTimeInterval(600))
        #expect(try server.store.deliveryProblems().isEmpty)
    }

    struct ScriptedOK: OutboundSink {
        let name = "ok"
        func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] { events.map { _ in SendReport(.status(200)) } }
    }

    @Test("the results pages: the programme and a batch, Indonesian by default, English on request, behind the token")
    func resultsPages() async throws {
        let server = try server()
        let bearer: HTTPFields = [.authorization: "Bearer \(Self.admin)"]
        try await server.application().test(.router) { client in
            #expect(try await client.execute(uri: "/results", method: .get).status == .unauthorized)
            let programme = String(buffer: try await client.execute(uri: "/results", method: .get, headers: bearer).body)
            #expect(programme.contains("Laporan hasil program") && programme.contains("Peserta terdaftar") && programme.contains("<td>24</td>"))
            let batch = try await client.execute(uri: "/batches/gresik-2021-07/results?lang=en", method: .get, headers: bearer)
            #expect(batch.status == .ok && String(buffer: batch.body).contains("Registered participants"))
            #expect(try await client.execute(uri: "/batches/nope/results", method: .get, headers: bearer).status == .notFound)
            let page = String(buffer: try await client.execute(uri: "/batches/gresik-2021-07", method: .get, headers: bearer).body)
            #expect(page.contains("href=\"/batches/gresik-2021-07/results\""))
        }
    }

    @Test("the login form's body is read as a browser encodes it")
    func formDecoding() {
        #expect(DashboardRoutes.formValue("token", in: "token=a%2Bb+c%26d&x=1") == "a+b c&d")
        #expect(DashboardRoutes.formValue("token", in: "x=1") == nil)
    }

    @Test("participants' numbers are masked as +62 812-****-7001")
    func masking() throws {
        #expect(PhoneNumber(e164: "+6281234567001").masked == "+62 812-****-7001")
        #expect(PhoneNumber(e164: "+12025550123").masked == "+1 202-****-0123")
    }
}
