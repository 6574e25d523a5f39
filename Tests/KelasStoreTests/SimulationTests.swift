import Foundation
import GRDB
import Testing
@testable import KelasCore
@testable import KelasStore

/// The simulator through the same planner, tracker and store as a real batch.
@Suite("Simulation")
struct SimulationTests {
    let base = StoreTests()

    func week(seed: UInt64 = 7, scenario: Scenario = Scenario(), participants: Int? = nil) throws -> SimulatedWeek {
        try simulator(seed: seed, scenario: scenario, participants: participants).run()
    }

    func simulator(seed: UInt64 = 7, scenario: Scenario = Scenario(), participants: Int? = nil) throws -> Simulator {
        let (loaded, _) = try base.example()
        var batch = loaded.batch
        if let participants { batch = SyntheticPeople.resized(batch, to: participants, seed: seed) }
        return Simulator(batch: batch, curriculum: loaded.curriculum, scenario: scenario, seed: seed)
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

    @Test("`kelas simulate` without --database: SQLite's temporary file, never synced, reads as an in-memory store reads")
    func temporaryStore() throws {
        let week = try week(participants: 300)
        let temporary = try KelasDatabase.temporary(), memory = try KelasDatabase.inMemory()
        try temporary.store(week, source: "simulation")
        try memory.store(week, source: "simulation")
        #expect(try temporary.report(by: .batch, now: week.end) == (try memory.report(by: .batch, now: week.end)))
        #expect(try temporary.participantResults(now: week.end) == week.results)
        let pragmas = try temporary.writer.read { db in
            [try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous").map(String.init),
             try String.fetchOne(db, sql: "SELECT file FROM pragma_database_list WHERE name = 'main'"),
             try Int.fetchOne(db, sql: "PRAGMA temp_store").map(String.init)]
        }
        #expect(pragmas == ["memory", "0", "", "2"])
        // Every answer a trainer typed is stored (64 to a statement, the rest one by one), as typed.
        let typed = week.typed.flatMap { typing in typing.answers.map { [typing.phone.e164, typing.survey.rawValue, "\($0.key)", "\($0.value)"] } }
        #expect(typed.count > 2 * KelasDatabase.typedRows && typed.count % KelasDatabase.typedRows != 0, "both ways of storing are used")
        for store in [temporary, memory] {
            let stored = try store.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT phone, survey, statement, option FROM surveyAnswer WHERE source = 'trainer'").map { row in
                    [row["phone"] as String, row["survey"] as String, "\(row["statement"] as Int)", "\(row["option"] as Int)"]
                }
            }
            #expect(Set(stored) == Set(typed) && stored.count == typed.count)
        }
    }

    @Test("a week simulated and stored side by side (chat beside adding the batch, scoring beside storing) stores what the finished week stores")
    func storeWhileFinishing() throws {
        let simulator = try simulator(participants: 300)
        let overlapped = try KelasDatabase.temporary(), whole = try KelasDatabase.temporary()
        let week = try overlapped.store(simulator, source: "simulation")
        try whole.store(simulator.run(), source: "simulation")
        #expect(week.results == simulator.run().results && week.typed.count > 0)
        // Each typed survey is heard as it is decided, in the week's order.
        var heard: [SimulatedTyping] = []
        #expect(simulator.finish(simulator.chat()) { heard.append($0) }.typed == heard)
        for table in ["inboundMessage", "mark", "surveyAnswer", "outbox"] {
            let sql = "SELECT * FROM \(table) ORDER BY 1, 2, 3"
            let rows = try overlapped.writer.read { try Row.fetchAll($0, sql: sql) }
            let reference = try whole.writer.read { try Row.fetchAll($0, sql: sql) }
            #expect(!rows.isEmpty && rows == reference, "\(table)")
        }
        let report = try overlapped.report(by: .batch, now: week.end), referenceReport = try whole.report(by: .batch, now: week.end)
        #expect(report == referenceReport)
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
        // The results the store reads from the stored messages and typing are the simulation's, to the message.
        #expect(try store.participantResults(now: week.end) == week.results)
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
        // Nor are the survey answers trainers typed from voice notes and calls: `kelas results set`.
        #expect(!week.typed.isEmpty)
        for typing in week.typed {
            _ = try fresh.setAnswers(batchID: "gresik-2021-07", participant: typing.phone.e164, survey: typing.survey, answers: typing.answers,
                                     source: "trainer", now: typing.at)
        }
        #expect(try statuses(fresh, at: week.end) == statuses(simulated, at: week.end))
        // And the results read from the chat are the simulation's own (the message ids differ: a chat has none).
        func answers(_ results: [ParticipantResult]) -> [String] {
            func sorted(_ answers: [Int: Int]?) -> [[Int]] { (answers ?? [:]).sorted { $0.key < $1.key }.map { [$0.key, $0.value] } }
            return results.map { "\($0.phone) \($0.completed) \(sorted($0.pre?.answers)) \(sorted($0.post?.answers)) \($0.answeredPrompts.sorted())" }
        }
        let got = try answers(fresh.participantResults(now: week.end)), want = answers(week.results)
        #expect(got == want, "\(zip(got, want).filter { $0 != $1 }.prefix(3))")
    }
}

/// Behaviour parameters move outcomes in the documented direction; the programme preset lands on its reported figures.
@Suite("Simulation: scenarios and the programme preset")
struct SimulationScenarioTests {
    let base = StoreTests()

    /// Totals over a 100-person week for three seeds, so one lucky draw cannot decide.
    func run(_ edit: (inout Scenario) -> Void) throws -> (missed: Int, discussed: Int, completed: Int, dropped: Int, voice: Int) {
        let (loaded, _) = try base.example()
        var scenario = Scenario()
        edit(&scenario)
        var totals = (missed: 0, discussed: 0, completed: 0, dropped: 0, voice: 0)
        for seed: UInt64 in [1, 2, 3] {
            let batch = SyntheticPeople.resized(loaded.batch, to: 100, seed: seed)
            let week = Simulator(batch: batch, curriculum: loaded.curriculum, scenario: scenario, seed: seed).run()
            let states = week.states.values.flatMap(\.values)
            totals.missed += states.count { $0 == .missed }
            totals.discussed += states.count { $0 == .discussed }
            totals.completed += week.outcomes.count(where: \.completed)
            totals.dropped += week.outcomes.count { $0.droppedOnDay != nil }
            totals.voice += week.messages.count(where: \.isVoice)
        }
        return totals
    }

    @Test("reminders that work, more answering and phone calls mean fewer missed; more drop-out fewer completed")
    func directions() throws {
        let base = try run { _ in }
        let reminders = try run { $0.reminder = 0.9 }
        let noReminders = try run { $0.reminder = 0 }
        #expect(reminders.missed < base.missed && base.missed < noReminders.missed)
        #expect(try run { $0.answer = 0.95 }.completed > base.completed)
        #expect(try run { $0.answer = 0.5 }.completed < base.completed)
        let noCalls = try run { $0.calls = false }
        #expect(noCalls.missed > base.missed && noCalls.discussed < base.discussed)
        let dropping = try run { $0.dropout = 0.15 }
        #expect(dropping.dropped > base.dropped && dropping.completed < base.completed)
        #expect(try run { $0.voice = 0.8 }.voice > base.voice)
        #expect(try run { $0.reply = 0 }.discussed < base.discussed)
    }

    @Test("blind participants answer by voice note, deaf participants by text")
    func accessibility() throws {
        let (loaded, _) = try base.example()
        var batch = SyntheticPeople.resized(loaded.batch, to: 60, seed: 5)
        for index in 0..<20 { batch.participants[index].disabilities = [.seeing] }
        for index in 20..<40 { batch.participants[index].disabilities = [.hearing] }
        let week = Simulator(batch: batch, curriculum: loaded.curriculum, seed: 5).run()
        let blind = Set(batch.participants[0..<20].map(\.phone)), deaf = Set(batch.participants[20..<40].map(\.phone))
        let firstAnswers = week.messages.filter { $0.role == .participant && !Phrases.followUpID.contains($0.text) }
        let blindVoice = firstAnswers.filter { blind.contains($0.phone) }
        #expect(blindVoice.count > 20 && Double(blindVoice.count(where: \.isVoice)) / Double(blindVoice.count) > 0.75)
        #expect(!week.messages.contains { deaf.contains($0.phone) && $0.isVoice })
    }

    @Test("the programme preset: 77 batches, 2,029 participants in 7 named districts, outcomes within 3 points of the report")
    func programme() throws {
        let log = DiagnosticLog()
        let text = try #require(BuiltinCurricula.text(for: "adil-gender"))
        let curriculum = try #require(CurriculumFile.decode(text, file: "builtin", log: log))
        let batches = Programme.batches(seed: 1)
        #expect(batches.count == 77 && batches.reduce(0) { $0 + $1.participants.count } == 2_029)
        #expect(batches.count { $0.programme == "PWD" } == 7 && batches.filter { $0.programme == "PWD" }.reduce(0) { $0 + $1.participants.count } == 133)
        #expect(batches.flatMap(\.participants).count { !$0.disabilities.isEmpty } == 94)
        #expect(Set(batches.flatMap(\.participants).map(\.phone)).count == 2_029)
        var totals = SimulationTotals()
        for batch in batches {
            totals.add(Simulator(batch: batch, curriculum: curriculum, seed: derivedSeed(1, batch.id)).run())
        }
        #expect(abs(totals.share(totals.agree) - Programme.reportedAgreement) < 0.03, "\(totals.share(totals.agree))")
        #expect(abs(totals.share(totals.champions) - Programme.reportedChampions) < 0.03, "\(totals.share(totals.champions))")
    }

    @Test("a bad scenario file gets every error at its line, with a fix")
    func badScenario() throws {
        let text = """
        participants:
          answer: 1.4
          latncy: { median: 90m }
          rhythm: [1, 2, 3]
          voice: 30%
        trainers:
          delay: { median: soon }
          calls: maybe
        """
        let log = DiagnosticLog()
        let scenario = ScenarioFile.decode(text, file: "what-if.yaml", log: log)
        let errors = log.sorted.filter { $0.severity == .error }
        #expect(errors.map(\.location.line) == [2, 3, 4, 7, 8])
        #expect(errors[0].message.contains("`answer` is a probability") && !errors[0].fix.isEmpty)
        #expect(errors[1].message.contains("unknown key `latncy`") && errors[1].fix.contains("did you mean `latency`?"))
        #expect(errors[2].message.contains("24 numbers"))
        #expect(errors[3].message.contains("`median` must be a duration"))
        #expect(errors[4].message.contains("`calls` must be true or false"))
        #expect(scenario.voice == 0.3) // 30% read as 0.3
        let good = ScenarioFile.decode("participants:\n  reminder: 0.5\n  latency: { median: 2h, spread: 0.5 }\n", file: "ok.yaml", log: DiagnosticLog())
        #expect(good.reminder == 0.5 && good.latency == Scenario.Delay(median: 7200, spread: 0.5))
    }
}

/// Outcomes come from the results pipeline reading the simulated answers: attitudes and trainers' follow-up move them.
@Suite("Simulation: results through the pipeline")
struct SimulationResultsTests {
    let base = StoreTests()

    func totals(_ edit: (inout Scenario) -> Void) throws -> SimulationTotals {
        let (loaded, _) = try base.example()
        var scenario = Scenario()
        edit(&scenario)
        var totals = SimulationTotals()
        for seed: UInt64 in [1, 2, 3] {
            totals.add(Simulator(batch: SyntheticPeople.resized(loaded.batch, to: 100, seed: seed), curriculum: loaded.curriculum,
                                 scenario: scenario, seed: seed).run())
        }
        return totals
    }

    @Test("a larger gain raises post scores and champions; fewer calls back mean fewer post-tests; no transcribing leaves voice notes unscored")
    func directions() throws {
        let base = try totals { _ in }
        let mean = { (values: [Double]) in values.reduce(0, +) / Double(max(values.count, 1)) }
        let gain = try totals { $0.gainPerEngagement = 4 }
        #expect(mean(gain.postScores) > mean(base.postScores) + 1 && gain.champions > base.champions)
        let noCalls = try totals { $0.surveyCall = 0 }
        #expect(noCalls.postScores.count < base.postScores.count && noCalls.agree < base.agree)
        let noTyping = try totals { $0.transcribe = 0; $0.surveyCall = 0 }
        #expect(noTyping.typed == 0 && noTyping.postScores.count < noCalls.postScores.count)
        // Everyone equitable: every post-test taker agrees on equal access.
        let equitable = try totals { $0.attitudeMean = 6; $0.attitudeSD = 0.1 }
        #expect(equitable.agree == equitable.postScores.count)
    }
}
