import Foundation
import GRDB
import Testing
import KelasCore
import KelasStore
@testable import KelasDelivery

/// A sink whose first call waits at a gate until the test opens it: a dispatcher caught in the middle of a send.
final class GatedSink: OutboundSink, @unchecked Sendable {
    let name = "gated"
    private let lock = NSLock()
    private var first = true
    private var received: [OutboundEvent] = []
    let entered: AsyncStream<Void>
    private let enter: AsyncStream<Void>.Continuation
    private let gate: AsyncStream<Void>
    private let open: AsyncStream<Void>.Continuation

    init() {
        (entered, enter) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        (gate, open) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func release() { open.yield() }

    func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
        let wait = lock.withLock {
            received += events
            defer { first = false }
            return first
        }
        if wait {
            enter.yield()
            for await _ in gate { break }
        }
        return events.map { _ in SendReport(.status(200)) }
    }

    var deliveries: [OutboundEvent] { lock.withLock { received } }
}

@Suite("Claims and sinks resolved at send time")
struct SinkResolutionTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-sinks-\(UUID().uuidString)")
    var databasePath: String { directory.appendingPathComponent("kelas.sqlite").path }

    /// The example batch (edited) under `id`, in its own folder, added to the store at `now`.
    func add(_ store: KelasDatabase, id: String = "gresik-2021-07", now: Date = DispatcherTests.start,
             _ edit: (String) -> String = { $0 }) throws {
        let folder = directory.appendingPathComponent(id)
        _ = try ExampleWorkspace.write(to: folder.path, overwrite: true)
        let batch = folder.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: batch, encoding: .utf8).replacingOccurrences(of: "id: gresik-2021-07", with: "id: \(id)")
        try Data(edit(text).utf8).write(to: batch)
        _ = try store.addBatch(try BatchFile.load(path: batch.path), source: batch.path, now: now)
    }

    @Test("two dispatchers on one store file (two connections, as two processes): each message goes out once")
    func twoDispatchers() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let first = try KelasDatabase(path: databasePath)
        try add(first) { $0.replacingOccurrences(of: "mode: group", with: "mode: fanout") }
        let second = try KelasDatabase(path: databasePath)
        let gated = GatedSink(), other = ScriptedSink()
        let a = Dispatcher(store: first, sink: gated, inFlight: 4)
        let b = Dispatcher(store: second, sink: other, inFlight: 4)
        let greeting = Date(timeIntervalSince1970: 1_625_445_000) // day 1 07:30 WIB: 24 greetings due
        // A claims its round (all 24 greetings; it sends them four at a time) and is caught sending the first four.
        let running = Task { try await a.run(clock: VirtualClock(greeting), until: DispatcherTests.end) }
        for await _ in gated.entered { break }
        #expect(try second.outbox(states: [.claimed]).count == 24)
        #expect(gated.deliveries.count == 4)
        // B, started meanwhile, runs the whole week without touching A's claims.
        _ = try await b.run(clock: VirtualClock(greeting), until: DispatcherTests.end)
        gated.release()
        _ = try await running.value
        let ids = gated.deliveries.map(\.id) + other.deliveries.map(\.event.id)
        #expect(gated.deliveries.count == 24)
        let both = Set(gated.deliveries.map(\.id)).intersection(other.deliveries.map(\.event.id))
        #expect(both.isEmpty, "sent by both: \(both.sorted())")
        #expect(ids.count == Set(ids).count, "a message went out twice")
        let states = try first.outbox()
        #expect(states.filter { $0.state == .sent }.count == ids.count)
        #expect(states.allSatisfy { $0.state == .sent || $0.state == .skipped }, "\(states.map(\.state))")
        #expect(try first.outbox(states: [.claimed]).isEmpty)
    }

    @Test("a batch added while the dispatcher runs goes to its own sink; a re-added batch's new sink takes effect")
    func batchAddedWhileRunning() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try KelasDatabase(path: databasePath)
        try add(store, id: "first") { $0.replacingOccurrences(of: "mode: group", with: "mode: group\n  sink: jsonl:first.jsonl") }
        // As `kelas serve` makes it: each batch's own sink, no console fallback.
        let dispatcher = Dispatcher(store: store, sinks: SinkResolver(fallback: nil))
        let greeting = Date(timeIntervalSince1970: 1_625_445_000) // day 1 07:30
        #expect(try await dispatcher.runOnce(now: greeting).sent == 1)
        // Added after the dispatcher started: its greeting goes to its own file, not the console.
        try add(store, id: "second", now: greeting) { $0.replacingOccurrences(of: "mode: group", with: "mode: group\n  sink: jsonl:second.jsonl") }
        let later = Date(timeIntervalSince1970: 1_625_445_900) // day 1 07:45
        let round = try await dispatcher.runOnce(now: later)
        #expect(round.sent == 1 && round.held == 0, "\(round.description)")
        func lines(_ id: String, _ file: String) throws -> [String] {
            let path = directory.appendingPathComponent(id).appendingPathComponent(file).path
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        #expect(try lines("second", "second.jsonl").map { $0.contains("\"id\":\"msg_second:d1:salam-pembuka\"") } == [true])
        #expect(try lines("first", "first.jsonl").count == 1)
        // Added again with another sink: what is still to come goes there.
        try add(store, id: "second", now: later) { $0.replacingOccurrences(of: "mode: group", with: "mode: group\n  sink: jsonl:moved.jsonl") }
        _ = try await dispatcher.runOnce(now: Date(timeIntervalSince1970: 1_625_446_800)) // 08:00: the house rules
        #expect(try lines("second", "moved.jsonl").map { $0.contains("\"item\":\"tata-tertib\"") } == [true])
        #expect(try lines("second", "second.jsonl").count == 1)
        #expect(try lines("first", "first.jsonl").count == 2)
    }

    @Test("a sink that cannot be made holds the message queued with the reason — never sent, never the console",
          arguments: ["none", "secret", "unreadable"])
    func heldWithReason(_ problem: String) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try KelasDatabase(path: databasePath)
        try add(store) { text in
            problem == "secret" ? text.replacingOccurrences(of: "mode: group", with: "mode: group\n  sink: webhook:http://127.0.0.1:9/kelas") : text
        }
        if problem == "unreadable" {
            try await store.writer.write { db in try db.execute(sql: #"UPDATE batch SET sink = '{"carrierPigeon":{}}'"#) }
        }
        let made = Counter()
        let sinks = SinkResolver(fallback: nil) { spec in
            made.increment()
            return try spec.makeSink(environment: [:])
        }
        let dispatcher = Dispatcher(store: store, sinks: sinks)
        let greeting = Date(timeIntervalSince1970: 1_625_445_000)
        let round = try await dispatcher.runOnce(now: greeting)
        #expect(round.sent == 0 && round.held == 1)
        let item = try #require(try store.outbox(messageID: "gresik-2021-07:d1:salam-pembuka").first)
        #expect(item.state == .queued && item.isHeld && item.attempts == 0 && item.displayState == "held")
        let expected = ["none": "names no delivery.sink", "secret": "KELAS_WEBHOOK_SECRET", "unreadable": "cannot be read"][problem] ?? "?"
        #expect(item.lastError?.contains(expected) == true, "\(item.lastError ?? "")")
        #expect(try store.attempts(messageID: item.message.id).isEmpty)
        // Looked at again a minute later, not in a loop; the sink is made at most once.
        #expect(item.nextAttemptAt == greeting.addingTimeInterval(KelasDatabase.holdDelay))
        _ = try await dispatcher.runOnce(now: greeting.addingTimeInterval(KelasDatabase.holdDelay))
        #expect(made.value <= 1)
        // It never goes out: at the end of the day's window it expires, still unsent.
        _ = try await dispatcher.runOnce(now: Date(timeIntervalSince1970: 1_625_493_600)) // 21:00
        #expect(try store.outbox(states: [.sent]).isEmpty)
        #expect(try store.outbox(messageID: item.message.id).first?.state == .expired)
    }
}
