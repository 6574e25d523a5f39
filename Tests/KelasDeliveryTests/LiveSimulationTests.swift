import Foundation
import Testing
import KelasCore
import KelasStore
@testable import KelasDelivery

/// Live mode: a simulated week through the real dispatcher, a real sink, and webhook payloads fed back.
@Suite("Live simulation")
struct LiveSimulationTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-live-\(UUID().uuidString)")

    func week(seed: UInt64 = 7, _ edit: (String) -> String = { $0 }) throws -> SimulatedWeek {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let file = directory.appendingPathComponent("batch.yaml")
        try Data(edit(try String(contentsOf: file, encoding: .utf8)).utf8).write(to: file)
        let loaded = try BatchFile.load(path: file.path)
        return Simulator(batch: loaded.batch, curriculum: loaded.curriculum, seed: seed).run()
    }

    func store() throws -> KelasDatabase { try KelasDatabase(path: directory.appendingPathComponent("live.sqlite").path) }

    @Test("a week through the webhook sink over loopback: every post sent once, the replies fed back, the statuses the simulation's")
    func webhookWeek() async throws {
        let week = try week()
        let server = try TestHTTPServer()
        defer { server.stop() }
        let store = try store()
        let sink = WebhookSink(url: server.url, signer: try WebhookSigner(secret: WebhookSinkTests.secret))
        let live = LiveSimulation(week: week, store: store, dispatcher: Dispatcher(store: store, sink: sink), source: "live test")
        let first = try #require(try live.prepare())
        let days = Locked<[Int]>([])
        let result = try await live.run(clock: VirtualClock(first)) { progress in days.withLock { $0.append(progress.day) } }

        // The store ends where the simulation did, participant by participant (discussed needs the trainers'
        // @-mentions read from the payloads' text; phoned needs the calls' marks).
        #expect(try live.mismatches() == [])
        let states = week.states.values.flatMap(\.values)
        #expect(states.contains(.discussed) && states.contains(.voiceNote) && states.contains(.missed))

        // Every planned post the simulation's trainers made went through the sink, once; reminders to a prompt
        // everyone had answered were skipped, as the simulated trainers left them out.
        let posted = week.messages.compactMap(\.plannedID)
        let sent = try store.outbox(states: [.sent], batchID: week.batch.id).map(\.message.id)
        #expect(Set(sent) == Set(posted))
        #expect(result.delivery.sent == posted.count && result.delivery.failed == 0)
        #expect(server.requests.count == posted.count)
        let skipped = try store.outbox(states: [.skipped], batchID: week.batch.id)
        #expect(skipped.count == week.plan.count - posted.count && skipped.allSatisfy { $0.message.remindsOf != nil })
        #expect(try store.outbox(states: [.queued, .claimed, .failed, .dead, .expired], batchID: week.batch.id).isEmpty)

        // What members said came back as one payload per message, through the webhook decoder and ingest.
        #expect(result.payloads == week.messages.count { $0.plannedID == nil })
        #expect(result.replies == week.messages.count { $0.role == .participant })
        #expect(result.calls == week.calls.count { $0.reached })
        #expect(days.withLock { $0.first == 1 && $0.last == 7 && $0 == $0.sorted() })
    }

    @Test("a rehearsal through a stand-in gateway (WAHA, Evolution API): posts to the group, members' messages and read receipts back as the gateway's webhooks, the simulation's statuses", arguments: [WebhookFormat.waha, .evolution])
    func gatewayWeek(_ format: WebhookFormat) async throws {
        let week = try week()
        #expect(week.batch.delivery.group == nil)
        let server = try TestHTTPServer { request, number in
            let body = (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]) ?? [:]
            let chat = (body["chatId"] ?? body["number"]) as? String ?? ""
            let answer = format == .waha ? #"{"id":"true_\#(chat)_STANDIN\#(number)_6281234567000@c.us"}"#
                : #"{"key":{"remoteJid":"\#(chat)","fromMe":true,"id":"STANDIN\#(number)"},"status":"PENDING"}"#
            return .init(status: 201, headers: ["Content-Type": "application/json"], body: Data(answer.utf8))
        }
        defer { server.stop() }
        let store = try store()
        let base = "http://127.0.0.1:\(server.port)"
        let sink = format == .waha ? GatewaySink(gateway: .waha(session: "default"), base: base, apiKey: "k")
            : GatewaySink(gateway: .evolution(instance: "kelas"), base: base, apiKey: "k")
        let live = LiveSimulation(week: week, store: store, dispatcher: Dispatcher(store: store, sink: sink), source: "gateway rehearsal",
                                  format: format)
        let group = try #require(live.group)
        #expect(group == SimulatedWeek.standInGroup(week.batch.id) && DeliverySettings.isGroupID(group))
        let first = try #require(try live.prepare())
        #expect(try store.batch(week.batch.id)?.group == group)
        let result = try await live.run(clock: VirtualClock(first))

        // Every post went to the group through the gateway's own routes; what came back was routed by the group.
        #expect(try live.mismatches() == [])
        let posted = week.messages.compactMap(\.plannedID)
        #expect(result.delivery.sent == posted.count && result.delivery.failed == 0 && server.requests.count == posted.count)
        let bodies = try server.requests.map { try #require(try JSONSerialization.jsonObject(with: $0.body) as? [String: Any]) }
        #expect(bodies.allSatisfy { (($0["chatId"] ?? $0["number"]) as? String) == group })
        let paths = Set(server.requests.map(\.path))
        #expect(paths == (format == .waha ? ["/api/sendText", "/api/sendFile"] : ["/message/sendText/kelas", "/message/sendMedia/kelas"]))
        #expect(result.replies == week.messages.count { $0.role == .participant })

        // Read receipts per participant: each post delivered to everyone still in the week, read by those who wrote after it.
        let receipts = try store.receipts(batchID: week.batch.id)
        let sent = try store.outbox(states: [.sent], batchID: week.batch.id)
        #expect(result.receipts > 0 && receipts.count == sent.count)
        let firstPost = try #require(sent.min { ($0.sentAt ?? .distantFuture) < ($1.sentAt ?? .distantFuture) })
        let opening = try #require(receipts[firstPost.message.id])
        #expect(opening.delivered == week.batch.participants.count)
        #expect(opening.read > 0 && opening.read <= opening.delivered)
    }

    @Test("a fan-out batch: one message per participant, reminders only to those still silent, the same statuses")
    func fanoutWeek() async throws {
        let week = try week(seed: 3) { $0.replacingOccurrences(of: "  mode: group", with: "  mode: fanout") }
        #expect(week.batch.delivery.mode == .fanout)
        let store = try store()
        let sink = ScriptedSink()
        let live = LiveSimulation(week: week, store: store, dispatcher: Dispatcher(store: store, sink: sink, inFlight: 16), source: "live test")
        let first = try #require(try live.prepare())
        _ = try await live.run(clock: VirtualClock(first))
        #expect(try live.mismatches() == [])

        // A reminder reached only participants who had not answered its prompt by then.
        let prompts = Dictionary(uniqueKeysWithValues: week.prompts.map { ($0.key, $0) })
        let answers = week.messages.filter { $0.role == .participant }
        let outbox = Dictionary(uniqueKeysWithValues: try store.outbox(batchID: week.batch.id).map { ($0.webhookID, $0.message) })
        var reminded = 0
        for (event, at) in sink.deliveries {
            guard let prompt = outbox[event.id]?.remindsOf.flatMap({ prompts[$0] }), let recipient = event.recipients.first else { continue }
            reminded += 1
            #expect(event.recipients.count == 1)
            #expect(!answers.contains { $0.phone.e164 == recipient && $0.at >= prompt.opensAt && $0.at < at })
        }
        #expect(reminded > 0)
        #expect(Set(sink.deliveries.flatMap(\.event.recipients)).count == week.batch.participants.count)
    }

    @Test("the scaled clock: virtual time runs `speed` times the wall clock, and a sleep waits its share")
    func scaledClock() async throws {
        let wall = Locked(Date(timeIntervalSince1970: 1_000_000))
        let waits = Locked<[TimeInterval]>([])
        let start = Date(timeIntervalSince1970: 1_625_446_800)
        let clock = ScaledClock(start: start, speed: 5040, wall: { wall.withLock { $0 } }, wait: { seconds in
            waits.withLock { $0.append(seconds) }
            wall.withLock { $0 = $0.addingTimeInterval(seconds) }
        })
        #expect(clock.now() == start)
        wall.withLock { $0 = $0.addingTimeInterval(10) }
        #expect(clock.now() == start.addingTimeInterval(50_400))
        // A week (from the start) takes two minutes of wall clock: 110 s more after the 10 already gone.
        try await clock.sleep(until: start.addingTimeInterval(7 * 86_400))
        #expect(waits.withLock { $0 } == [110])
        #expect(clock.now() == start.addingTimeInterval(7 * 86_400))
        // The past is not waited for.
        try await clock.sleep(until: start)
        #expect(waits.withLock { $0.count } == 1)
    }

    @Test("simulated payloads are Cloud API webhooks: the decoder reads sender, kind, and a trainer's @-mentions")
    func payloads() throws {
        let week = try week(seed: 11)
        let payloads = week.webhookPayloads()
        let voice = try #require(week.messages.firstIndex { $0.isVoice })
        let reply = try #require(week.messages.firstIndex { $0.role == .trainer && !$0.mentions.isEmpty })
        for index in [voice, reply] {
            let message = week.messages[index]
            let payload = try #require(payloads.first { $0.id == "wamid.sim.\(week.batch.id).\(index + 1)" })
            let decoded = try WebhookPayload.decode(payload.body, file: "payload")
            let inbound = try #require(decoded.messages.first)
            #expect(decoded.payloads == 1 && decoded.messages.count == 1)
            #expect(inbound.phone == message.phone && inbound.author == message.name && inbound.sentAt == message.at)
            #expect(inbound.kind == (message.isVoice ? .voice : .text))
            #expect(inbound.mentions == message.mentions)
        }
        #expect(payloads.count == week.messages.count { $0.plannedID == nil })
    }
}

/// A value shared with a `@Sendable` closure.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
