import Foundation
import Testing
import KelasCore
import KelasStore
@testable import KelasDelivery

/// A sink that answers from a script per message (by item key) and records every delivery it saw.
final class ScriptedSink: OutboundSink, @unchecked Sendable {
    let name = "scripted"
    private let lock = NSLock()
    private var script: [String: [SendOutcome]]
    private(set) var received: [(event: OutboundEvent, at: Date)] = []

    init(_ script: [String: [SendOutcome]] = [:]) { self.script = script }

    func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
        lock.withLock {
            events.map { event in
                received.append((event, now))
                guard var answers = script[event.item], !answers.isEmpty else { return SendReport(.status(200)) }
                let answer = answers.removeFirst()
                script[event.item] = answers
                return SendReport(answer, latency: 0.05)
            }
        }
    }

    var deliveries: [(event: OutboundEvent, at: Date)] { lock.withLock { received } }
}

@Suite("Dispatcher")
struct DispatcherTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-dispatch-\(UUID().uuidString)")
    /// 2021-07-05 06:00 WIB, an hour before the example batch's first message.
    static let start = Date(timeIntervalSince1970: 1_625_439_600)
    /// 2021-07-12: the week is over.
    static let end = Date(timeIntervalSince1970: 1_626_048_000)

    func store(_ edit: (String) -> String = { $0 }) throws -> KelasDatabase {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let batch = directory.appendingPathComponent("batch.yaml")
        try Data(edit(try String(contentsOf: batch, encoding: .utf8)).utf8).write(to: batch)
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(try BatchFile.load(path: batch.path), source: batch.path, now: Self.start)
        return store
    }

    @Test("the dispatcher runs, store calls and all, on a queue of its own, not on the cooperative threads")
    func ownQueue() async throws {
        let store = try store()
        let seen = Locked<[String?]>([])
        let sink = ScriptedSink()
        _ = try await Dispatcher(store: store, sink: sink).run(clock: VirtualClock(Self.start), until: Self.end) { _ in
            seen.withLock { $0.append(QueueExecutor.current) }
        }
        #expect(sink.deliveries.count == 27)
        let labels = seen.withLock { $0 }
        #expect(!labels.isEmpty && labels.allSatisfy { $0 == "kelas.dispatcher" }, "\(labels)")
        // A task of the shared pool is not on it.
        #expect(await Task.detached { QueueExecutor.current }.value == nil)
    }

    @Test("a week through the jsonl sink: every message once, on time, in order, with reminders to the silent only")
    func wholeWeek() async throws {
        let store = try store()
        // Budi answers session 1 before its 11:00 reminder.
        _ = try store.ingest(batchID: "gresik-2021-07", source: "test", now: Self.start) { insert in
            try insert(InboundMessage(id: "wamid.B1", phone: PhoneNumber(e164: "+6281234567111"), author: "Budi",
                                      sentAt: Date(timeIntervalSince1970: 1_625_537_400), kind: .voice))
        }
        let path = directory.appendingPathComponent("out.jsonl").path
        let dispatcher = Dispatcher(store: store, sink: JSONLinesSink(path: path))
        let summary = try await dispatcher.run(clock: VirtualClock(Self.start), until: Self.end)
        #expect(summary.sent == 27 && summary.expired == 0 && summary.failed == 0)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try JSONDecoder().decode(OutboundEvent.self, from: Data($0.utf8)) }
        #expect(events.count == 27 && Set(events.map(\.id)).count == 27)
        #expect(events.map(\.plannedAt) == events.map(\.plannedAt).sorted())
        #expect(events.first?.plannedAt == "2021-07-05T07:30:00+07:00" && events.first?.recipients.count == 24)
        let reminder = try #require(events.first { $0.item == "pengingat-sesi-1" })
        #expect(reminder.audience == "non-responders:diskusi-sesi-1" && reminder.recipients.count == 23)
        #expect(!reminder.recipients.contains("+6281234567111"))
        // Every send happened at its planned instant (the virtual clock woke exactly then).
        let sent = try store.outbox(states: [.sent])
        #expect(sent.count == 27 && sent.allSatisfy { $0.sentAt == $0.message.sendAt && $0.attempts == 1 })
        #expect(try await dispatcher.runOnce(now: Self.end).sent == 0, "a second run sends nothing")
    }

    @Test("retries on 500 and transport errors; 429 waits for Retry-After; 400 fails at once; dead after the schedule")
    func retries() async throws {
        let store = try store()
        let sink = ScriptedSink([
            "salam-pembuka": [.status(500), .transportError("connection refused")],
            "video-sesi-1": [.status(429, retryAfter: 600)],
            "modul-sesi-1": [.status(400)],
            "diskusi-sesi-1": Array(repeating: .status(503), count: 10),
        ])
        let dispatcher = Dispatcher(store: store, sink: sink, policy: RetryPolicy(jitter: 0))
        _ = try await dispatcher.run(clock: VirtualClock(Self.start), until: Self.end)
        func attempts(_ item: String) throws -> [DeliveryAttempt] {
            let id = try #require(try store.outbox().first { $0.message.itemKey == item }).message.id
            return try store.attempts(messageID: id)
        }
        let greeting = try attempts("salam-pembuka")
        #expect(greeting.map(\.statusCode) == [500, nil, 200])
        #expect(greeting.map { $0.at.timeIntervalSince(greeting[0].at) } == [0, 30, 150])
        #expect(greeting[1].error == "connection refused")
        let video = try attempts("video-sesi-1")
        #expect(video.count == 2 && video[1].at.timeIntervalSince(video[0].at) == 600)
        #expect(try attempts("modul-sesi-1").count == 1)
        #expect(try store.outbox(states: [.failed]).map(\.message.itemKey) == ["modul-sesi-1"])
        let dead = try store.outbox(states: [.dead])
        #expect(dead.map(\.message.itemKey) == ["diskusi-sesi-1"] && dead.first?.attempts == 6)
        #expect(dead.first?.lastError == "HTTP 503 (after 6 attempts)")
        // An admin sends it again.
        let id = try #require(dead.first?.message.id)
        try store.requeue(messageID: id, now: Self.end)
        #expect(try store.outbox(states: [.queued]).map(\.message.id) == [id])
        #expect(throws: StoreError.notRequeueable(id, state: "queued")) { try store.requeue(messageID: id, now: Self.end) }
    }

    @Test("stopped mid-run with messages claimed: the next run sends each once more with the same webhook-id")
    func crashAndRestart() async throws {
        let store = try store()
        // 07:31 on day 1: the greeting is due. A dispatcher claims it, then dies before sending.
        let crashTime = Date(timeIntervalSince1970: 1_625_445_060)
        let wall = Date(timeIntervalSince1970: 1_800_000_000)
        let claimed = try store.claimDue(now: crashTime, limit: 8, lease: 300, owner: "died", wall: wall)
        #expect(claimed.map(\.message.itemKey) == ["salam-pembuka"])
        // While the dead dispatcher's lease holds, another leaves its claim alone…
        let early = ScriptedSink()
        _ = try await Dispatcher(store: store, sink: early, wall: { wall.addingTimeInterval(299) }).runOnce(now: crashTime)
        #expect(early.deliveries.isEmpty)
        #expect(try store.outbox(states: [.claimed]).map(\.claimedBy) == ["died"])
        // …and takes it once the lease has run out.
        let sink = ScriptedSink()
        _ = try await Dispatcher(store: store, sink: sink, wall: { wall.addingTimeInterval(301) }).run(clock: VirtualClock(crashTime), until: Self.end)
        let ids = sink.deliveries.map(\.event.id)
        #expect(ids.count == 27 && Set(ids).count == 27)
        #expect(ids.first == claimed.first?.webhookID)
    }

    @Test("a round settles the last one and claims the next together: planned order, lapsed claims included, leases held")
    func settleThenClaim() throws {
        let store = try store()
        let wall = Date(timeIntervalSince1970: 1_800_000_000)
        // The end of the week: every message is due; they are claimed in the order they were planned.
        let planned = try store.outbox().map(\.message.id)
        let died = try store.claimDue(now: Self.end, limit: 2, lease: 60, owner: "died", wall: wall)
        #expect(died.map(\.message.id) == Array(planned[0..<2]))
        let first = try store.settle([], thenClaim: 2, now: Self.end, lease: 60, owner: "live", wall: wall)
        #expect(first.map(\.message.id) == Array(planned[2..<4]))
        // The next round: the last one's outcomes are written, then the dead dispatcher's lapsed claims come first.
        let sent = DeliveryAttempt(messageID: first[0].message.id, attempt: 1, at: Self.end, statusCode: 200)
        let next = try store.settle([.attempt(sent, .sent(wamid: nil)), .skip(messageID: first[1].message.id, reason: "nobody to send to", at: Self.end)],
                                    thenClaim: 3, now: Self.end, lease: 60, owner: "live", wall: wall.addingTimeInterval(61))
        #expect(next.map(\.message.id) == [planned[0], planned[1], planned[4]])
        #expect(next.allSatisfy { $0.claimedBy == "live" && $0.state == .claimed })
        let states = Dictionary(uniqueKeysWithValues: try store.outbox().map { ($0.message.id, $0.state) })
        #expect(states[first[0].message.id] == .sent && states[first[1].message.id] == .skipped)
        #expect(try store.attempts(messageID: first[0].message.id).map(\.statusCode) == [200])
        // A live lease is left alone: nothing more is claimed while "live" holds the rest of its round.
        #expect(try store.outbox(states: [.claimed]).count == 3)
        let other = try store.claimDue(now: Self.end, limit: 40, lease: 60, owner: "other", wall: wall.addingTimeInterval(62))
        #expect(other.map(\.message.id) == Array(planned[5...]))
    }

    @Test("a message not sent before its day's window closes expires instead of going out late")
    func expiry() async throws {
        let store = try store()
        let sink = ScriptedSink()
        // Kelas was not running on day 1: started at 22:00 WIB, after the 21:00 window end.
        let lateStart = Date(timeIntervalSince1970: 1_625_497_200)
        let summary = try await Dispatcher(store: store, sink: sink).run(clock: VirtualClock(lateStart), until: Self.end)
        #expect(summary.expired == 4)
        #expect(try store.outbox(states: [.expired]).allSatisfy { $0.message.day == 1 })
        #expect(!sink.deliveries.contains { $0.event.day == 1 })
    }

    @Test("expiry takes queued messages past their window and lapsed claims, never a live claim nor a sent message")
    func expiryAmongOpenMessages() throws {
        let store = try store()
        let wall = Date(timeIntervalSince1970: 1_800_000_000)
        // Day 1's first three messages: one sent, one claimed by a live dispatcher, one claimed by one that died.
        let day1 = try store.claimDue(now: Date(timeIntervalSince1970: 1_625_497_200), limit: 3, lease: 60, owner: "live", wall: wall)
        #expect(day1.count == 3)
        try store.settle([.attempt(DeliveryAttempt(messageID: day1[0].message.id, attempt: 1, at: Self.start, statusCode: 200), .sent(wamid: nil))])
        try store.settle([.postpone(messageID: day1[2].message.id, until: Self.start)])
        _ = try store.claimDue(now: Self.start, limit: 1, lease: 60, owner: "died", wall: wall.addingTimeInterval(-120))
        // 22:00 on day 1, after the 21:00 window end: the rest of day 1 expires, the live claim and the sent one stay.
        let expired = try store.expireOverdue(now: Date(timeIntervalSince1970: 1_625_497_200), wall: wall)
        let states = Dictionary(uniqueKeysWithValues: try store.outbox().map { ($0.message.id, $0.state) })
        #expect(states[day1[0].message.id] == .sent && states[day1[1].message.id] == .claimed && states[day1[2].message.id] == .expired)
        let day1Rest = try store.outbox().filter { $0.message.day == 1 && ![day1[0].message.id, day1[1].message.id].contains($0.message.id) }
        #expect(expired == day1Rest.count && day1Rest.allSatisfy { $0.state == .expired })
        #expect(try store.outbox().filter { $0.message.day > 1 }.allSatisfy { $0.state == .queued })
        // The index of queued messages holds exactly the queued ones.
        let indexed = try store.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox INDEXED BY outbox_expiry WHERE state = 'queued' AND expiresAt > -1")
        }
        #expect(indexed == (try store.outbox(states: [.queued]).count))
    }

    @Test("a round of many chunks: a later chunk starts only while the lease leaves room for it; the rest go back unsent and are sent once, later")
    func chunksWithinLease() async throws {
        // Fan-out: the 07:30 message is 24 messages, one per participant. One in flight: chunks of 16, one round of all 24.
        let store = try store { $0.replacingOccurrences(of: "mode: group", with: "mode: fanout") }
        let due = Date(timeIntervalSince1970: 1_625_445_000)  // 07:30 WIB on day 1
        // The wall clock moves only when the sink sends: each chunk takes 250 s, so after the first (leases of 300 s)
        // no second one fits (250 + a chunk's 240 s worst case > 300).
        let wall = Locked(Date(timeIntervalSince1970: 1_779_000_000))
        final class SlowSink: OutboundSink, @unchecked Sendable {
            let name = "slow"
            let wall: Locked<Date>
            let store: KelasDatabase
            let calls = Locked<[[String]]>([])
            /// For each call: the wall clock then, and when the earliest lease of what is claimed runs out.
            let leases = Locked<[(wall: Date, leaseEnd: Date?)]>([])
            init(wall: Locked<Date>, store: KelasDatabase) { self.wall = wall; self.store = store }
            func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
                await send(events, at: now, inFlight: 1)
            }
            /// A chunk in one call, as a network sink keeps its transfers under way.
            func send(_ events: [OutboundEvent], at now: Date, inFlight: Int) async -> [SendReport] {
                calls.withLock { $0.append(events.map(\.id)) }
                let leaseEnd = (try? store.outbox(states: [.claimed]))?.compactMap(\.leaseUntil).min()
                leases.withLock { $0.append((wall.withLock { $0 }, leaseEnd)) }
                wall.withLock { $0 = $0.addingTimeInterval(250) }
                return events.map { _ in SendReport(.status(200)) }
            }
        }
        let sink = SlowSink(wall: wall, store: store)
        let dispatcher = Dispatcher(store: store, sink: sink, inFlight: 1, lease: 300, wall: { wall.withLock { $0 } })
        #expect(await dispatcher.roundSize == Dispatcher.fullRound)
        // A lease too short for any second chunk: a round is one chunk, as before (nothing claimed only to go back).
        #expect(await Dispatcher(store: store, sink: sink, inFlight: 8, lease: 60).roundSize == 8 * Dispatcher.sendsPerChunk)
        #expect(await Dispatcher(store: store, sink: sink, inFlight: 64, lease: 300).roundSize == 64 * Dispatcher.sendsPerChunk)
        let summary = try await dispatcher.runOnce(now: due)
        #expect(summary.sent == 24 && summary.retried == 0 && summary.postponed == 0)
        let calls = sink.calls.withLock { $0 }
        #expect(calls.map(\.count) == [16, 8], "the first chunk, then the 8 it gave back, in the next round")
        // The second chunk started with a whole chunk's worst case still inside its lease: claimed again, not sent on
        // the first claim's lease (which had 50 s left).
        let seen = sink.leases.withLock { $0 }
        #expect(seen.count == 2)
        for call in seen.dropFirst() {
            let end = try #require(call.leaseEnd)
            #expect(call.wall.addingTimeInterval(Dispatcher.chunkWorstCase) <= end, "\(call)")
        }
        let sent = calls.flatMap { $0 }
        #expect(Set(sent).count == 24, "each message once")
        let outbox = try store.outbox().filter { $0.message.sendAt == due }
        #expect(outbox.count == 24 && outbox.allSatisfy { $0.state == .sent && $0.attempts == 1 })
        for item in outbox { #expect(try store.attempts(messageID: item.message.id).count == 1) }

        // With the clock standing still every chunk fits: one round, both chunks (a store of its own).
        let quick = try DispatcherTests().store { $0.replacingOccurrences(of: "mode: group", with: "mode: fanout") }
        let still = ScriptedSink()
        let fast = try await Dispatcher(store: quick, sink: still, inFlight: 1, lease: 300, wall: { Date(timeIntervalSince1970: 1_779_000_000) })
            .runOnce(now: due)
        #expect(fast.sent == 24 && Set(still.deliveries.map(\.event.id)).count == 24)
    }

    @Test("fan-out: the global cap and one message per 6 s per recipient, on the recorded send times")
    func pacing() async throws {
        let store = try store { $0.replacingOccurrences(of: "mode: group", with: "mode: fanout") }
        let sink = ScriptedSink()
        let dispatcher = Dispatcher(store: store, sink: sink, pacer: Pacer(perSecond: 5, recipientGap: 6), inFlight: 16)
        _ = try await dispatcher.run(clock: VirtualClock(Self.start), until: Self.end)
        let deliveries = sink.deliveries
        let planned = try store.outbox().count
        #expect(deliveries.count == planned && planned > 24)
        let perSecond = Dictionary(grouping: deliveries) { Int($0.at.timeIntervalSince1970) }.mapValues(\.count)
        #expect(perSecond.values.max() == 5)
        let byRecipient = Dictionary(grouping: deliveries) { $0.event.recipients.first ?? "" }
        for (_, sends) in byRecipient {
            let times = sends.map(\.at).sorted()
            #expect(zip(times, times.dropFirst()).allSatisfy { $1.timeIntervalSince($0) >= 6 })
        }
    }
}
