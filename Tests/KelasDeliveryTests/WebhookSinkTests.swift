import Foundation
import Testing
import KelasCore
import KelasStore
@testable import KelasDelivery

@Suite("Webhook sink over libcurl, against a real server on 127.0.0.1")
struct WebhookSinkTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let now = Date(timeIntervalSince1970: 1_625_445_000)

    func events(_ count: Int) -> [OutboundEvent] {
        (0..<count).map { index in
            let message = PlannedMessage(
                id: "b:d1:item-\(index)", batchID: "b", itemKey: "item-\(index)", sequence: index, day: 1,
                date: LocalDate(year: 2021, month: 7, day: 5), localTime: LocalTime(hour: 7, minute: 30), sendAt: now,
                kind: .text, audience: .group, sender: nil, text: "Selamat pagi \(index)", url: nil, filename: nil, session: nil,
                flags: [], shiftReason: nil)
            return OutboundEvent(webhookID: "msg_b:d1:item-\(index)", message: message,
                                 recipients: [PhoneNumber(e164: "+6281234567110")], offset: 7 * 3600)
        }
    }

    @Test("signed POSTs, eight in flight; the receiver verifies each signature")
    func signedPosts() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let signer = try WebhookSigner(secret: Self.secret)
        // The signature carries the wall clock (here a fixed one), not the dispatcher's `now`, which may be virtual.
        let wall = Date(timeIntervalSince1970: 1_779_000_000)
        let sink = WebhookSink(url: server.url, signer: signer, wallClock: { wall })
        let reports = await sink.send(events(8), at: now)
        #expect(reports.map(\.outcome) == Array(repeating: .status(204), count: 8))
        #expect(reports.allSatisfy { ($0.latency ?? -1) >= 0 })
        let requests = server.requests
        #expect(requests.count == 8)
        for request in requests {
            let id = try #require(request.headers["webhook-id"])
            #expect(request.headers["webhook-timestamp"] == "1779000000")
            #expect(request.headers["content-type"] == "application/json")
            #expect(signer.verify(id: id, timestamp: 1_779_000_000, body: request.body,
                                  signatureHeader: request.headers["webhook-signature"] ?? ""))
            let event = try JSONDecoder().decode(OutboundEvent.self, from: request.body)
            #expect(event.id == id && event.plannedAt == "2021-07-05T07:30:00+07:00")
        }
        #expect(Set(requests.compactMap { $0.headers["webhook-id"] }).count == 8)
    }

    @Test("500 and 429 with Retry-After come back as statuses; a refused connection and a timeout as transport errors")
    func failures() async throws {
        let server = try TestHTTPServer { _, number in
            number == 0 ? .init(status: 500) : .init(status: 429, headers: ["Retry-After": "120"])
        }
        defer { server.stop() }
        let signer = try WebhookSigner(secret: Self.secret)
        let first = await WebhookSink(url: server.url, signer: signer).send(events(1), at: now)
        #expect(first.map(\.outcome) == [.status(500)])
        let second = await WebhookSink(url: server.url, signer: signer).send(events(1), at: now)
        #expect(second.map(\.outcome) == [.status(429, retryAfter: 120)])
        // A port nobody listens on: take one from a server and stop it.
        let closed = try TestHTTPServer()
        closed.stop()
        let refused = await WebhookSink(url: closed.url, signer: signer).send(events(1), at: now)
        guard case .transportError(let error) = refused.first?.outcome else { Issue.record("expected a transport error"); return }
        #expect(error.lowercased().contains("connect"))
        let silent = try TestHTTPServer { _, _ in nil }
        defer { silent.stop() }
        let timedOut = await WebhookSink(url: silent.url, signer: signer, timeout: 0.3).send(events(1), at: now)
        guard case .transportError(let timeout) = timedOut.first?.outcome else { Issue.record("expected a timeout"); return }
        #expect(timeout.lowercased().contains("timeout") || timeout.lowercased().contains("timed out"))
    }

    @Test("a round three in flight on reused transfers: each answer and its Retry-After come back to its own message")
    func window() async throws {
        // Odd items are refused with a 429 whose Retry-After is the item's number; even ones accepted.
        let server = try TestHTTPServer { request, _ in
            guard let event = try? JSONDecoder().decode(OutboundEvent.self, from: request.body),
                  let number = Int(event.item.dropFirst("item-".count)) else { return .init(status: 400) }
            return number % 2 == 0 ? .init(status: 200) : .init(status: 429, headers: ["Retry-After": String(number)])
        }
        defer { server.stop() }
        let sink = WebhookSink(url: server.url, signer: try WebhookSigner(secret: Self.secret))
        for _ in 0..<2 {
            let reports = await sink.send(events(30), at: now, inFlight: 3)
            let expected: [SendOutcome] = (0..<30).map { number in
                number % 2 == 0 ? SendOutcome.status(200) : SendOutcome.status(429, retryAfter: TimeInterval(number))
            }
            #expect(reports.map(\.outcome) == expected)
        }
        #expect(server.requests.count == 60)
    }

    @Test("a transfer handle reused across URLs, headers, bodies and timeouts carries nothing of one request into the next")
    func reusedHandles() async throws {
        let first = try TestHTTPServer()
        defer { first.stop() }
        let second = try TestHTTPServer()
        defer { second.stop() }
        let client = CurlClient()
        // One in flight: every request goes on the one handle the first made. Each names itself in a header that
        // only it carries, and its body differs in length (the third's is empty); the URL and timeout alternate.
        let requests = (0..<6).map { index in
            HTTPRequest(url: (index.isMultiple(of: 2) ? first : second).url + "/\(index)",
                        headers: [("x-request-\(index)", "yes"), ("x-number", String(index))],
                        body: Data(String(repeating: "b", count: index == 2 ? 0 : 100 - index * 10).utf8),
                        timeout: index.isMultiple(of: 3) ? 15 : 5)
        }
        for _ in 0..<2 {
            let responses = await client.perform(requests, inFlight: 1)
            #expect(responses.map(\.status) == Array(repeating: 204, count: 6))
        }
        let received = first.requests + second.requests
        #expect(received.count == 12)
        for request in received {
            let number = try #require(request.headers["x-number"].flatMap { Int($0) })
            #expect(request.path == "/kelas/\(number)")
            #expect(request.body == requests[number].body)
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["expect"] == nil)
            let own = request.headers.keys.filter { $0.hasPrefix("x-request-") }
            #expect(own == ["x-request-\(number)"])
        }
        #expect(first.requests.allSatisfy { Int($0.headers["x-number"] ?? "1").map { $0.isMultiple(of: 2) } == true })
    }

    @Test("the signed body is the JSON encoder's, byte for byte, whatever the text and fields hold")
    func bodyBytes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let texts = ["Selamat pagi, Bapak-bapak 🙏", "\"quoted\" and \\ back/slash", "lines\none\r\ttab\u{8}\u{C}",
                     "control \u{1} \u{1F} \u{7F} end", "", "é ü 中文 https://youtu.be/x?a=1&b=2"]
        for (index, text) in texts.enumerated() {
            var event = events(1)[0]
            event.text = text
            if index % 2 == 1 {
                event.link = "https://www.youtube.com/watch?v=\"x\""
                event.filename = "Modul Sesi 1.pdf"
                event.session = index
                event.group = "120363041234567890@g.us"
                event.template = .init(PlannedTemplate(name: "kelas_sesi_1", language: "id", parameters: ["Budi", text], reengagement: false))
                event.recipients = []
            }
            #expect(event.body() == (try encoder.encode(event)), "\(text)")
        }
    }

    @Test("Retry-After as an HTTP date")
    func retryAfterDate() {
        #expect(WebhookSink.retryAfter("Mon, 05 Jul 2021 00:32:00 GMT", now: now) == 120)
        #expect(WebhookSink.retryAfter("soon", now: now) == nil)
    }

    @Test("a week through the real dispatcher and sink: every message id reaches the receiver, retried 500s included")
    func endToEnd() async throws {
        // The receiver fails every third request with a 500: those are retried with the same webhook-id.
        let server = try TestHTTPServer { _, number in .init(status: number % 3 == 2 ? 500 : 200) }
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-webhook-\(UUID().uuidString)")
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        let batch = directory.appendingPathComponent("batch.yaml").path
        _ = try store.addBatch(try BatchFile.load(path: batch), source: batch, now: DispatcherTests.start)
        let sink = WebhookSink(url: server.url, signer: try WebhookSigner(secret: Self.secret))
        let summary = try await Dispatcher(store: store, sink: sink, policy: RetryPolicy(jitter: 0))
            .run(clock: VirtualClock(DispatcherTests.start), until: DispatcherTests.end)
        #expect(summary.sent == 27 && summary.retried > 0)
        let ids = server.requests.compactMap { $0.headers["webhook-id"] }
        #expect(Set(ids).count == 27 && ids.count == 27 + summary.retried)
        let attempts = try store.attempts(messageID: "gresik-2021-07:d1:tata-tertib")
        #expect(attempts.allSatisfy { $0.latency != nil })
    }
}
