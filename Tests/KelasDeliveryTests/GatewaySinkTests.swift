import Foundation
import Testing
import KelasCore
import KelasStore
@testable import KelasDelivery

@Suite("Group gateways (WAHA, Evolution API), against real servers on 127.0.0.1")
struct GatewaySinkTests {
    static let group = "120363012345678901@g.us"
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-gateway-\(UUID().uuidString)")

    func event(kind: ItemKind, text: String, url: String? = nil, filename: String? = nil, audience: Audience = .group,
               group: String? = GatewaySinkTests.group) -> OutboundEvent {
        let message = PlannedMessage(
            id: "b:d1:x", batchID: "b", itemKey: "x", sequence: 0, day: 1, date: LocalDate(year: 2021, month: 7, day: 5),
            localTime: LocalTime(hour: 7, minute: 30), sendAt: DispatcherTests.start, kind: kind, audience: audience, sender: nil,
            text: text, url: url, filename: filename, session: 1, flags: [], shiftReason: nil)
        let recipients = [PhoneNumber(e164: "+6281234567110"), PhoneNumber(e164: "+6281234567111")]
        return OutboundEvent(webhookID: "msg_b:d1:x", message: message, recipients: recipients, offset: 7 * 3600, group: group)
    }

    func request(_ event: OutboundEvent, _ gateway: GatewaySink.Gateway) throws -> (String, [String: Any]) {
        let (url, body) = try GatewaySink.request(for: event, gateway: gateway, base: "http://gw").get()
        return (url, try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any]))
    }

    @Test("WAHA shapes: text with link preview, a module by URL with its MIME type, a reminder mentioning the silent")
    func wahaShapes() throws {
        let waha = GatewaySink.Gateway.waha(session: "default")
        let (url, video) = try request(event(kind: .video, text: "Video sesi 1", url: "https://youtu.be/KELAS1"), waha)
        #expect(url == "http://gw/api/sendText")
        #expect(video["session"] as? String == "default" && video["chatId"] as? String == Self.group)
        #expect(video["text"] as? String == "Video sesi 1\n\nhttps://youtu.be/KELAS1" && video["linkPreview"] as? Bool == true)
        #expect(video["mentions"] == nil)

        let (fileURL, module) = try request(event(kind: .document, text: "Modul sesi 1", url: "https://example.org/m1.pdf",
                                                  filename: "modul-1.pdf"), waha)
        #expect(fileURL == "http://gw/api/sendFile" && module["caption"] as? String == "Modul sesi 1")
        let file = try #require(module["file"] as? [String: Any])
        #expect(file["url"] as? String == "https://example.org/m1.pdf" && file["filename"] as? String == "modul-1.pdf")
        #expect(file["mimetype"] as? String == "application/pdf")

        let (_, reminder) = try request(event(kind: .reminder, text: "Kami menunggu jawaban Bapak",
                                              audience: .nonResponders(discussion: "diskusi-sesi-1")), waha)
        #expect(reminder["text"] as? String == "Kami menunggu jawaban Bapak\n@6281234567110 @6281234567111")
        #expect(reminder["mentions"] as? [String] == ["6281234567110@c.us", "6281234567111@c.us"])
    }

    @Test("Evolution API shapes: sendText with mentioned numbers, sendMedia as a document, the instance in the path")
    func evolutionShapes() throws {
        let evolution = GatewaySink.Gateway.evolution(instance: "kelas-gresik")
        let (url, reminder) = try request(event(kind: .reminder, text: "Pengingat", audience: .nonResponders(discussion: "d")), evolution)
        #expect(url == "http://gw/message/sendText/kelas-gresik")
        #expect(reminder["number"] as? String == Self.group && reminder["mentioned"] as? [String] == ["6281234567110", "6281234567111"])
        #expect((reminder["text"] as? String)?.hasSuffix("@6281234567110 @6281234567111") == true)
        let (mediaURL, media) = try request(event(kind: .document, text: "Modul", url: "https://example.org/m2.docx", filename: "modul-2.docx"),
                                            evolution)
        #expect(mediaURL == "http://gw/message/sendMedia/kelas-gresik")
        #expect(media["mediatype"] as? String == "document" && media["media"] as? String == "https://example.org/m2.docx")
        #expect(media["fileName"] as? String == "modul-2.docx" && media["caption"] as? String == "Modul")
        #expect(media["mimetype"] as? String == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    }

    @Test("refused before any request: no group named, a message for one participant")
    func refusals() {
        let waha = GatewaySink.Gateway.waha(session: "default")
        guard case .failure(let none) = GatewaySink.request(for: event(kind: .text, text: "Halo", group: nil), gateway: waha, base: "http://gw")
        else { Issue.record("no group must be refused"); return }
        #expect(none.reason.contains("group: 120363…@g.us"))
        guard case .failure(let one) = GatewaySink.request(for: event(kind: .text, text: "Halo", audience: .participant(PhoneNumber(e164: "+62811"))),
                                                           gateway: waha, base: "http://gw")
        else { Issue.record("fan-out must be refused"); return }
        #expect(one.reason.contains("delivery.mode: group"))
    }

    @Test("answers: the gateway's id kept; a bad key failed with its variable; an unlinked session and a closed connection retried")
    func answers() {
        func response(_ status: Int, _ body: String) -> HTTPResponse {
            HTTPResponse(status: status, headers: [:], body: Data(body.utf8), error: nil, latency: 0.01)
        }
        let now = DispatcherTests.start
        let waha = GatewaySink.Gateway.waha(session: "default"), evolution = GatewaySink.Gateway.evolution(instance: "i")
        #expect(GatewaySink.outcome(of: response(201, #"{"id":"true_120363012345678901@g.us_3EB0A1"}"#), gateway: waha, now: now)
                == .status(201, wamid: "3EB0A1"))
        #expect(GatewaySink.outcome(of: response(200, #"{"id":{"fromMe":true,"_serialized":"true_g_3EB0A2"}}"#), gateway: waha, now: now)
                == .status(200, wamid: "3EB0A2"))
        #expect(GatewaySink.outcome(of: response(201, #"{"key":{"remoteJid":"g","fromMe":true,"id":"BAE5F1"},"status":"PENDING"}"#),
                                    gateway: evolution, now: now) == .status(201, wamid: "BAE5F1"))
        guard case .rejected(401, let key, false) = GatewaySink.outcome(of: response(401, #"{"message":"Unauthorized"}"#), gateway: waha, now: now)
        else { Issue.record("401 must fail"); return }
        #expect(key.contains("KELAS_WAHA_API_KEY") && key.contains("Unauthorized"))
        let unlinked = GatewaySink.outcome(of: response(422, #"{"error":"Session status is not as expected","session":"default","status":"SCAN_QR_CODE","expected":["WORKING"]}"#),
                                           gateway: waha, now: now)
        guard case .rejected(422, let scan, true) = unlinked else { Issue.record("an unlinked session is retried: \(unlinked)"); return }
        #expect(scan.contains("SCAN_QR_CODE") && scan.contains("scan the QR code"))
        let closed = GatewaySink.outcome(of: response(400, #"{"status":400,"error":"Bad Request","response":{"message":["Connection Closed"]}}"#),
                                         gateway: evolution, now: now)
        guard case .rejected(400, let why, true) = closed else { Issue.record("a closed connection is retried: \(closed)"); return }
        #expect(why.contains("Connection Closed"))
        guard case .rejected(404, let missing, false) = GatewaySink.outcome(
            of: response(404, #"{"status":404,"error":"Not Found","response":{"message":["The \"x\" instance does not exist"]}}"#),
            gateway: evolution, now: now) else { Issue.record("404 must fail"); return }
        #expect(missing.contains("instance does not exist") && missing.contains("delivery.instance"))
        #expect(GatewaySink.outcome(of: response(503, ""), gateway: waha, now: now) == .status(503))
    }

    /// A week of the example batch through one gateway on a local server: every request's path, key and group.
    func week(sink: String, extra: String, environment: [String: String], mode: String = "group",
              before: (KelasDatabase) throws -> Void = { _ in }, answer: @escaping @Sendable (String) -> String)
        async throws -> (requests: [TestHTTPServer.Request], store: KelasDatabase, summary: DispatchSummary) {
        let server = try TestHTTPServer { request, number in
            .init(status: 201, headers: ["Content-Type": "application/json"], body: Data(answer("\(number)").utf8))
        }
        defer { server.stop() }
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let batchFile = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: batchFile, encoding: .utf8).replacingOccurrences(
            of: "mode: group", with: "mode: \(mode)\n  sink: \(sink)http://127.0.0.1:\(server.port)\n  group: \(Self.group)\n\(extra)")
        try Data(text.utf8).write(to: batchFile)
        let loaded = try BatchFile.load(path: batchFile.path)
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(loaded, source: batchFile.path, now: DispatcherTests.start)
        #expect(try store.batch("gresik-2021-07")?.group == Self.group)
        try before(store)
        let sinks = SinkResolver(fallback: nil) { try $0.makeSink(environment: environment) }
        let dispatcher = Dispatcher(store: store, sinks: sinks, inFlight: 8)
        let summary = try await dispatcher.run(clock: VirtualClock(DispatcherTests.start), until: DispatcherTests.end)
        return (server.requests, store, summary)
    }

    @Test("a week to the group through WAHA: sendText and sendFile with the key and session; ids stored; reminders mention the silent")
    func wahaWeek() async throws {
        let (requests, store, summary) = try await week(sink: "waha:", extra: "  session: kelas", environment: ["KELAS_WAHA_API_KEY": "k-waha"]) {
            #"{"id":"true_120363012345678901@g.us_3EB0\#($0)"}"#
        }
        #expect(summary.failed == 0 && summary.dead == 0 && summary.sent == requests.count && summary.sent > 20)
        #expect(requests.allSatisfy { $0.headers["x-api-key"] == "k-waha" })
        #expect(Set(requests.map(\.path)) == ["/api/sendText", "/api/sendFile"])
        let bodies = try requests.map { try #require(try JSONSerialization.jsonObject(with: $0.body) as? [String: Any]) }
        #expect(bodies.allSatisfy { $0["chatId"] as? String == Self.group && $0["session"] as? String == "kelas" })
        // Nobody answered: each discussion's reminder names all 24 participants.
        let reminder = try #require(bodies.first { ($0["mentions"] as? [String])?.isEmpty == false })
        #expect((reminder["mentions"] as? [String])?.count == 24 && (reminder["text"] as? String)?.contains("@6281234567110") == true)
        let sent = try store.outbox(states: [.sent])
        #expect(Set(sent.compactMap(\.wamid)).count == sent.count)

        // Acks per participant come back on the WAHA webhook: receipts count each participant once, at their furthest.
        let first = try #require(sent.first)
        let wamid = try #require(first.wamid)
        func ack(_ digits: String, _ ack: Int) -> String {
            #"{"event":"message.ack","session":"kelas","timestamp":1625540400000,"payload":{"id":"true_120363012345678901@g.us_\#(wamid)_\#(digits)@c.us","from":"120363012345678901@g.us","participant":"\#(digits)@c.us","fromMe":true,"ack":\#(ack)}}"#
        }
        let acks = [ack("6281234567110", 2), ack("6281234567110", 3), ack("6281234567111", 4), ack("6281234567112", 2), ack("6281234567113", 1)]
        _ = try store.ingest(GatewayPayload.decode(Data(acks.joined(separator: "\n").utf8), format: .waha, file: "acks.jsonl"),
                             source: "test", now: DispatcherTests.end)
        let receipts = try #require(try store.receipts(batchID: "gresik-2021-07")[first.message.id])
        #expect(receipts.delivered == 3 && receipts.read == 2 && receipts.played == 1)
        #expect(receipts.description == "delivered to 3, read by 2, played by 1")

        // Send, then quote: on Saturday 10:00 both the action plan (rtl) and the post-test are open. Ahmad's group reply
        // quoting the id WAHA gave our rtl post counts for rtl; Budi's, quoting nothing, for the latest open, the post-test.
        let rtl = try #require(sent.first { $0.message.itemKey == "rtl" })
        let rtlID = try #require(rtl.wamid)
        func reply(_ id: String, _ digits: String, _ text: String, quoting: String?) -> String {
            let quoted = quoting.map { #","replyTo":{"id":"\#($0)","participant":"6281234567000@c.us","body":"RTL"}"# } ?? ""
            return #"{"event":"message","session":"kelas","payload":{"id":"false_120363012345678901@g.us_\#(id)_\#(digits)@c.us","timestamp":1625886000,"from":"120363012345678901@g.us","fromMe":false,"participant":"\#(digits)@c.us","body":"\#(text)","hasMedia":false\#(quoted)}}"#
        }
        let replies = [reply("R1", "6281234567110", "Rencana saya: membantu istri berjualan", quoting: rtlID),
                       reply("R2", "6281234567111", "1 S, 2 TS, 3 S", quoting: nil)]
        let saturday = Date(timeIntervalSince1970: 1_625_886_000) // 2021-07-10 10:00 WIB
        _ = try store.ingest(GatewayPayload.decode(Data(replies.joined(separator: "\n").utf8), format: .waha, file: "replies.jsonl"),
                             source: "test", now: saturday)
        let grid = try store.status(batchID: "gresik-2021-07", now: saturday.addingTimeInterval(60))
        func state(_ digits: String, _ key: String) -> PromptState? {
            guard let column = grid.columns.firstIndex(where: { $0.key == key }) else { return nil }
            return grid.rows.first { $0.phone == PhoneNumber(e164: "+" + digits) }?.states[column]
        }
        #expect(state("6281234567110", "rtl") == .replied && state("6281234567110", "post-test") == .pending)
        #expect(state("6281234567111", "rtl") == .pending && state("6281234567111", "post-test") == .replied)
    }

    @Test("a week to the group through Evolution API: the instance in each path, the apikey header")
    func evolutionWeek() async throws {
        let (requests, _, summary) = try await week(sink: "evolution:", extra: "  instance: kelas-gresik",
                                                    environment: ["KELAS_EVOLUTION_API_KEY": "k-evo"]) {
            #"{"key":{"remoteJid":"120363012345678901@g.us","fromMe":true,"id":"BAE5\#($0)"},"status":"PENDING"}"#
        }
        #expect(summary.failed == 0 && summary.sent == requests.count && summary.sent > 20)
        #expect(requests.allSatisfy { $0.headers["apikey"] == "k-evo" })
        #expect(Set(requests.map(\.path)) == ["/message/sendText/kelas-gresik", "/message/sendMedia/kelas-gresik"])
    }

    @Test("opt-out: STOP in the group takes Budi out of every reminder's mentions; MULAI would bring him back; BERHENTI is also read")
    func optOutInGroup() async throws {
        let budi = PhoneNumber(e164: "+6281234567111"), cahyo = PhoneNumber(e164: "+6281234567112")
        let (requests, store, _) = try await week(sink: "waha:", extra: "", environment: ["KELAS_WAHA_API_KEY": "k"], before: { store in
            _ = try store.ingest(batchID: "gresik-2021-07", source: "test", now: DispatcherTests.start) { insert in
                try insert(InboundMessage(id: "w.stop", phone: budi, author: "Budi", sentAt: DispatcherTests.start.addingTimeInterval(-600),
                                          kind: .text, text: " stop! "))
                try insert(InboundMessage(id: "w.berhenti", phone: cahyo, author: "Cahyo", sentAt: DispatcherTests.start.addingTimeInterval(-500),
                                          kind: .text, text: "Berhenti"))
                try insert(InboundMessage(id: "w.mulai", phone: cahyo, author: "Cahyo", sentAt: DispatcherTests.start.addingTimeInterval(-400),
                                          kind: .text, text: "MULAI"))
            }
        }) { #"{"id":"x\#($0)"}"# }
        let bodies = try requests.map { try #require(try JSONSerialization.jsonObject(with: $0.body) as? [String: Any]) }
        let mentions = bodies.compactMap { $0["mentions"] as? [String] }
        #expect(!mentions.isEmpty && mentions.allSatisfy { $0.count == 23 && !$0.contains("6281234567111@c.us") && $0.contains("6281234567112@c.us") })
        let states = try store.optOuts(batchID: "gresik-2021-07")
        #expect(states.keys.sorted { $0.e164 < $1.e164 } == [budi] && states[budi]?.how == "wrote stop!")
        // An admin records Budi's opt-in; the opt-out words of a batch file replace the defaults.
        try store.setOptOut(batchID: "gresik-2021-07", participant: "Budi Santoso", optedOut: false, note: nil, now: DispatcherTests.end)
        #expect(try store.optOuts(batchID: "gresik-2021-07").isEmpty)
        #expect(OptOutWords.default.meaning(of: "Stop.") == true && OptOutWords.default.meaning(of: "stop dulu ya") == nil)
        #expect(OptOutWords.default.meaning(of: " keluar ") == true && OptOutWords.default.meaning(of: "Start") == false)
    }

    @Test("opt-out in a fan-out batch: the opted-out participant's 1:1 messages are skipped with the reason")
    func optOutFanOut() async throws {
        let server = try TestHTTPServer { _, number in
            .init(status: 200, body: Data(#"{"messages":[{"id":"wamid.O\#(number)"}]}"#.utf8))
        }
        defer { server.stop() }
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let batchFile = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: batchFile, encoding: .utf8).replacingOccurrences(
            of: "mode: group", with: "mode: fanout\n  sink: whatsapp-cloud:106540352242922\n  api: http://127.0.0.1:\(server.port)/v21.0\n  #")
            + "opt-out: { stop: [STOP, CUKUP], start: [LANJUT] }\n"
        try Data(text.utf8).write(to: batchFile)
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(try BatchFile.load(path: batchFile.path), source: batchFile.path, now: DispatcherTests.start)
        let budi = PhoneNumber(e164: "+6281234567111")
        _ = try store.ingest(batchID: "gresik-2021-07", source: "test", now: DispatcherTests.start) { insert in
            try insert(InboundMessage(id: "w.cukup", phone: budi, author: "Budi", sentAt: DispatcherTests.start, kind: .text, text: "Cukup"))
        }
        let sinks = SinkResolver(fallback: nil) { try $0.makeSink(environment: ["KELAS_WHATSAPP_TOKEN": "t"]) }
        _ = try await Dispatcher(store: store, sinks: sinks, inFlight: 8).run(clock: VirtualClock(DispatcherTests.start), until: DispatcherTests.end)
        let his = try store.outbox().filter { $0.message.audience == .participant(budi) }
        #expect(!his.isEmpty && his.allSatisfy { $0.state == .skipped && $0.lastError?.contains("opted out (wrote Cukup)") == true })
        #expect(try store.outbox(states: [.sent]).count > 100)
        #expect(!server.requests.contains { String(decoding: $0.body, as: UTF8.self).contains("6281234567111") })
    }

    @Test("batch files: a gateway needs a group (and Evolution an instance); a bad group id and a stray session are errors at their line")
    func batchFiles() throws {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let batchFile = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: batchFile, encoding: .utf8).replacingOccurrences(
            of: "mode: group", with: "mode: group\n  sink: evolution:http://127.0.0.1:8080\n  group: 12345@s.whatsapp.net\n  session: x\n  #")
        try Data(text.utf8).write(to: batchFile)
        do {
            _ = try BatchFile.load(path: batchFile.path)
            Issue.record("must fail")
        } catch {
            let messages = error.diagnostics.map(\.description).joined(separator: "\n")
            #expect(messages.contains("`group` must be a WhatsApp group id"), "\(messages)")
            #expect(messages.contains("the evolution sink needs the instance linked to the phone"), "\(messages)")
            #expect(messages.contains("`session` only applies to `sink: waha:…`"), "\(messages)")
            #expect(messages.contains("the evolution gateway posts to one WhatsApp group"), "\(messages)")
        }
        #expect(DeliverySettings.isGroupID("120363012345678901@g.us") && DeliverySettings.isGroupID("6281234567000-1625445600@g.us"))
        #expect(!DeliverySettings.isGroupID("@g.us") && !DeliverySettings.isGroupID("6281234@c.us"))
    }
}
