import Foundation
import Testing
import KelasCore
@testable import KelasStore

/// The simulator through the same planner, tracker and store as a real batch.
@Suite("Simulation")
struct SimulationTests {
    let base = StoreTests()

    func week(seed: UInt64 = 7, scenario: Scenario = Scenario(), participants: Int? = nil) throws -> SimulatedWeek {
        let (loaded, _) = try base.example()
        var batch = loaded.batch
        if let participants { batch = SyntheticPeople.resized(batch, to: participants, seed: seed) }
        return Simulator(batch: batch, curriculum: loaded.curriculum, scenario: scenario, seed: seed).run()
    }

    /// Participant → prompt → state, from the store.
    func statuses(_ store: KelasDatabase, at now: Date) throws -> [PhoneNumber: [PromptState]] {
        let status = try store.status(batchID: "gresik-2021-07", now: now)
        return Dictionary(uniqueKeysWithValues: status.rows.map { ($0.phone, $0.states) })
    }

    @Test("the same seed gives the same week, byte for byte; another seed another week")
    func determinism() throws {
        let style = ChatExportStyle(platform: .android, locale: .id)
        let first = ChatRendering.export(try week(seed: 42), style: style)
        let again = ChatRendering.export(try week(seed: 42), style: style)
        let other = ChatRendering.export(try week(seed: 43), style: style)
        #expect(first == again)
        #expect(first != other)
        #expect(first.split(separator: "\n").count > 60)
    }

    @Test("storing the simulated week gives the statuses the simulator's own tracker gave")
    func storeMatchesTracker() throws {
        let week = try week()
        let store = try base.database()
        try store.store(week, source: "simulation")
        let stored = try statuses(store, at: week.end)
        let keys = week.prompts.map(\.key)
        for person in week.batch.participants {
            #expect(stored[person.phone] == keys.map { week.states[person.phone]?[$0] ?? .pending }, "\(person.name)")
        }
        // Nothing of a simulated batch is left for `kelas run` to send.
        #expect(try store.outbox(states: [.queued, .claimed]).isEmpty)
    }

    @Test("round trip: the week written as a chat export and ingested into a fresh store gives the same statuses",
          arguments: [ChatExportStyle(platform: .android, locale: .id), ChatExportStyle(platform: .android, locale: .en),
                      ChatExportStyle(platform: .ios, locale: .id), ChatExportStyle(platform: .ios, locale: .en)])
    func roundTrip(_ style: ChatExportStyle) throws {
        let week = try week(seed: 11)
        #expect(week.messages.contains { $0.isVoice } && week.calls.contains { $0.reached })
        let simulated = try base.database()
        try simulated.store(week, source: "simulation")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-roundtrip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let exportPath = directory.appendingPathComponent("chat.txt").path
        try Data(ChatRendering.export(week, style: style).utf8).write(to: URL(fileURLWithPath: exportPath))
        let fresh = try KelasDatabase(path: directory.appendingPathComponent("fresh.sqlite").path)
        let (loaded, path) = try base.example()
        _ = try fresh.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        let context = try fresh.chatContext(batchID: "gresik-2021-07")
        let summary = try fresh.ingest(chat: ChatExportFile(path: exportPath), context: context, now: week.end).summary
        #expect(summary.added["gresik-2021-07"] == week.messages.count)
        #expect(summary.unmatched.isEmpty, "\(summary.unmatched)")
        // The calls are not in the chat: the trainer records them with `kelas mark`, as in a real batch.
        for call in week.calls where call.reached {
            _ = try fresh.mark(batchID: "gresik-2021-07", participant: call.phone.e164, session: call.session, kind: .phoned,
                               note: nil, now: call.at)
        }
        #expect(try statuses(fresh, at: week.end) == statuses(simulated, at: week.end))
    }
}
