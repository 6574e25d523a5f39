import Foundation
import Testing
import KelasCore
import KelasStore
@testable import KelasDelivery

@Suite("WhatsApp Cloud API sink, against a real server on 127.0.0.1")
struct CloudSinkTests {
    static let phoneNumberID = "106540352242922"
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-cloud-\(UUID().uuidString)")

    func event(kind: ItemKind, text: String, url: String? = nil, filename: String? = nil,
               audience: Audience = .participant(PhoneNumber(e164: "+6281234567110"))) -> OutboundEvent {
        let message = PlannedMessage(
            id: "b:d1:x", batchID: "b", itemKey: "x", sequence: 0, day: 1, date: LocalDate(year: 2021, month: 7, day: 5),
            localTime: LocalTime(hour: 7, minute: 30), sendAt: DispatcherTests.start, kind: kind, audience: audience, sender: nil,
            text: text, url: url, filename: filename, session: 1, flags: [], shiftReason: nil)
        let recipients = audience == .group ? [PhoneNumber(e164: "+6281234567110"), PhoneNumber(e164: "+6281234567111")]
            : [PhoneNumber(e164: "+6281234567110")]
        return OutboundEvent(webhookID: "msg_b:d1:x", message: message, recipients: recipients, offset: 7 * 3600)
    }

    func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("request shapes: a YouTube link as text with preview, a module as a document with its filename, other video by link")
    func requestShapes() throws {
        let youtube = try json(WhatsAppCloudSink.request(
            for: event(kind: .video, text: "Tonton video sesi 1", url: "https://www.youtube.com/watch?v=KELAS-SESI-1"), to: "+6281234567110"))
        #expect(youtube["messaging_product"] as? String == "whatsapp" && youtube["to"] as? String == "6281234567110")
        #expect(youtube["type"] as? String == "text")
        let text = try #require(youtube["text"] as? [String: Any])
        #expect(text["preview_url"] as? Bool == true)
        #expect(text["body"] as? String == "Tonton video sesi 1\n\nhttps://www.youtube.com/watch?v=KELAS-SESI-1")

        let module = try json(WhatsAppCloudSink.request(
            for: event(kind: .document, text: "Modul sesi 1", url: "https://example.org/m1.pdf", filename: "modul-1.pdf"), to: "+6281234567110"))
        #expect(module["type"] as? String == "document" && module["text"] == nil)
        let document = try #require(module["document"] as? [String: Any])
        #expect(document["link"] as? String == "https://example.org/m1.pdf")
        #expect(document["filename"] as? String == "modul-1.pdf" && document["caption"] as? String == "Modul sesi 1")

        let clip = try json(WhatsAppCloudSink.request(for: event(kind: .video, text: "Klip", url: "https://example.org/klip.mp4"), to: "+62811"))
        #expect(clip["type"] as? String == "video")
        #expect((clip["video"] as? [String: Any])?["link"] as? String == "https://example.org/klip.mp4")

        let plain = try json(WhatsAppCloudSink.request(for: event(kind: .discussion, text: "Apa arti gender?"), to: "+62811"))
        #expect((plain["text"] as? [String: Any])?["preview_url"] as? Bool == false)
    }

    @Test("Cloud API answers: the wamid on success; rate limits retried; a closed 24 h window and a bad token failed with why")
    func answers() {
        func response(_ status: Int, _ body: String) -> HTTPResponse {
            HTTPResponse(status: status, headers: [:], body: Data(body.utf8), error: nil, latency: 0.01)
        }
        let now = DispatcherTests.start
        #expect(WhatsAppCloudSink.outcome(of: response(200, #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.A1"}]}"#), now: now)
                == .status(200, wamid: "wamid.A1"))
        let window = WhatsAppCloudSink.outcome(of: response(400, #"{"error":{"message":"Re-engagement message","code":131047}}"#), now: now)
        guard case .rejected(400, let reason, false) = window else { Issue.record("131047 must fail: \(window)"); return }
        #expect(reason.contains("131047") && reason.contains("template"))
        let pair = WhatsAppCloudSink.outcome(of: response(400, #"{"error":{"message":"Rate limit hit","code":131056}}"#), now: now)
        guard case .rejected(400, _, true) = pair else { Issue.record("131056 must be retried: \(pair)"); return }
        let token = WhatsAppCloudSink.outcome(of: response(401, #"{"error":{"message":"Invalid OAuth access token","code":190}}"#), now: now)
        guard case .rejected(401, let why, false) = token else { Issue.record("190 must fail: \(token)"); return }
        #expect(why.contains("KELAS_WHATSAPP_TOKEN"))
        #expect(WhatsAppCloudSink.outcome(of: response(503, "upstream down"), now: now) == .status(503))
        // Through the policy: the rate limit is retried, the closed window is not.
        var random = SplitMix64(seed: 1)
        #expect(RetryPolicy().decide(attempt: 1, outcome: pair, now: now, random: &random) != .failed(""))
        if case .failed = RetryPolicy().decide(attempt: 1, outcome: window, now: now, random: &random) {} else {
            Issue.record("a closed window is not retried")
        }
    }

    @Test("the resolver gives each batch its own sink (two Cloud API specs with one phone id stay apart), made once per spec")
    func resolverKeepsBatchesApart() throws {
        let first = ScriptedSink(), second = ScriptedSink()
        let made = Counter()
        let resolver = SinkResolver(fallback: nil) { spec in
            made.increment()
            if case .whatsappCloud(_, let api) = spec, api.contains(":1/") { return first }
            return second
        }
        let a = BatchSink.spec(.whatsappCloud(phoneNumberID: "1", api: "http://127.0.0.1:1/v21.0"))
        let b = BatchSink.spec(.whatsappCloud(phoneNumberID: "1", api: "http://127.0.0.1:2/v21.0"))
        #expect(try resolver.resolve(batchID: "a", batchSink: a).get().sink as? ScriptedSink === first)
        #expect(try resolver.resolve(batchID: "b", batchSink: b).get().sink as? ScriptedSink === second)
        #expect(try resolver.resolve(batchID: "a2", batchSink: a).get().sink as? ScriptedSink === first)
        #expect(made.value == 2)
        // No sink named and no fallback: an error naming the batch and the fix, never the console.
        guard case .failure(let none) = resolver.resolve(batchID: "c", batchSink: .unset) else { Issue.record("c has no sink"); return }
        #expect(none.description.contains("batch c names no delivery.sink"))
    }

    @Test("a message to the whole group is refused with the fix, without a request")
    func groupRefused() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let sink = WhatsAppCloudSink(phoneNumberID: Self.phoneNumberID, token: "t", api: "http://127.0.0.1:\(server.port)/v21.0")
        let reports = await sink.send([event(kind: .text, text: "Halo", audience: .group)], at: DispatcherTests.start)
        guard case .rejected(nil, let reason, false) = reports.first?.outcome else { Issue.record("\(reports)"); return }
        #expect(reason.contains("delivery.mode: fanout"))
        #expect(server.requests.isEmpty)
    }

    @Test("a fan-out week: one request per participant with the bearer token, wamids stored, statuses and quoting replies matched")
    func fanOutWeek() async throws {
        let server = try TestHTTPServer { _, number in
            .init(status: 200, headers: ["Content-Type": "application/json"],
                  body: Data(#"{"messaging_product":"whatsapp","contacts":[],"messages":[{"id":"wamid.T\#(number)"}]}"#.utf8))
        }
        defer { server.stop() }
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let batchFile = directory.appendingPathComponent("batch.yaml")
        let api = "http://127.0.0.1:\(server.port)/v21.0"
        let text = try String(contentsOf: batchFile, encoding: .utf8)
            .replacingOccurrences(of: "mode: group", with: "mode: fanout\n  sink: whatsapp-cloud:\(Self.phoneNumberID)\n  api: \(api)")
        try Data(text.utf8).write(to: batchFile)
        let loaded = try BatchFile.load(path: batchFile.path)
        #expect(loaded.batch.delivery.sink == .whatsappCloud(phoneNumberID: Self.phoneNumberID, api: api))
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(loaded, source: batchFile.path, now: DispatcherTests.start)
        let stored = try #require(try store.batch("gresik-2021-07"))
        #expect(stored.sink == .spec(try #require(loaded.batch.delivery.sink)))

        // Budi answers the first discussion before its reminder: his reminder is skipped, the 23 others go.
        let budi = PhoneNumber(e164: "+6281234567111")
        _ = try store.ingest(batchID: "gresik-2021-07", source: "test", now: DispatcherTests.start) { insert in
            try insert(InboundMessage(id: "wamid.B1", phone: budi, author: "Budi", sentAt: Date(timeIntervalSince1970: 1_625_537_400), kind: .voice))
        }
        let sinks = SinkResolver(fallback: nil) { try $0.makeSink(environment: ["KELAS_WHATSAPP_TOKEN": "test-token"]) }
        let dispatcher = Dispatcher(store: store, sinks: sinks, inFlight: 16)
        let summary = try await dispatcher.run(clock: VirtualClock(DispatcherTests.start), until: DispatcherTests.end)
        let requests = server.requests
        #expect(summary.failed == 0 && summary.dead == 0 && summary.expired == 0)
        #expect(requests.count == summary.sent && summary.skipped >= 1)
        #expect(requests.allSatisfy { $0.path == "/v21.0/\(Self.phoneNumberID)/messages" })
        #expect(requests.allSatisfy { $0.headers["authorization"] == "Bearer test-token" })
        let bodies = try requests.map { try json($0.body) }
        let reminders = try store.outbox().filter { $0.message.itemKey == "pengingat-sesi-1" }
        #expect(reminders.count == 24)
        let budiReminder = try #require(reminders.first { $0.message.audience == .participant(budi) })
        #expect(budiReminder.state == .skipped)
        #expect(reminders.filter { $0.state == .sent }.count == 23)
        #expect(!bodies.contains { $0["to"] as? String == "6281234567111" && (($0["text"] as? [String: Any])?["body"] as? String)?
                    .contains("Pengingat") == true })
        #expect(bodies.contains { $0["type"] as? String == "document" })

        // Every sent message has its own wamid.
        let sent = try store.outbox(states: [.sent])
        #expect(sent.count == summary.sent && Set(sent.compactMap(\.wamid)).count == sent.count)

        // A status webhook about one of them is matched to it.
        let first = try #require(sent.first)
        let wamid = try #require(first.wamid)
        let recipient = try #require(first.message.audience.participant)
        let status = """
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
        "metadata":{"display_phone_number":"6281234567000","phone_number_id":"\(Self.phoneNumberID)"},
        "statuses":[{"id":"\(wamid)","status":"read","timestamp":"1625445600","recipient_id":"\(recipient.digits)"}]}}]}]}
        """
        _ = try store.ingest(WebhookPayload.decode(Data(status.utf8), file: "status.json"), source: "test", now: DispatcherTests.end)
        #expect(try store.deliveryStatuses(messageID: first.message.id).map(\.state) == ["read"])

        // Replies quote the wamid: on Saturday 10:00 both the action plan (rtl) and the post-test are open. A reply
        // quoting our rtl message counts for rtl; one without a quote for the latest open prompt, the post-test.
        let ahmad = PhoneNumber(e164: "+6281234567110")
        let rtl = try #require(sent.first { $0.message.itemKey == "rtl" && $0.message.audience == .participant(ahmad) })
        let saturday = Date(timeIntervalSince1970: 1_625_886_000) // 2021-07-10 10:00 WIB
        _ = try store.ingest(batchID: "gresik-2021-07", source: "test", now: saturday) { insert in
            try insert(InboundMessage(id: "wamid.R1", phone: ahmad, author: "Ahmad", sentAt: saturday, kind: .text, text: "Rencana saya…",
                                      quoting: rtl.wamid))
            try insert(InboundMessage(id: "wamid.R2", phone: budi, author: "Budi", sentAt: saturday, kind: .text, text: "Jawaban saya…"))
        }
        let grid = try store.status(batchID: "gresik-2021-07", now: saturday.addingTimeInterval(60))
        func state(_ phone: PhoneNumber, _ key: String) -> PromptState? {
            guard let column = grid.columns.firstIndex(where: { $0.key == key }) else { return nil }
            return grid.rows.first { $0.phone == phone }?.states[column]
        }
        #expect(state(ahmad, "rtl") == .replied && state(ahmad, "post-test") == .pending)
        #expect(state(budi, "rtl") == .pending && state(budi, "post-test") == .replied)
    }
}

extension Audience {
    var participant: PhoneNumber? {
        if case .participant(let phone) = self { return phone }
        return nil
    }
}

/// A thread-safe count.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
