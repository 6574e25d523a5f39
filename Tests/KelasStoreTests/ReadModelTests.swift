import Foundation
import GRDB
import Testing
import KelasCore
@testable import KelasStore

/// The read model (statuses and results kept per batch version) against the oracle of a store opened afresh on the
/// same file, whose model is empty and so replays everything: after each kind of change, made by this connection or by
/// another (as another process would), and as time alone closes prompts.
@Suite("Read model")
struct ReadModelTests {
    let ingest = IngestTests()
    /// Tuesday of the example week, 10:00 WIB: session 1's discussion is open.
    static let tuesday = Date(timeIntervalSince1970: 1_625_540_400)

    struct View: Equatable {
        var rows: [BatchStatus.Row]
        var report: Report
        var results: [ParticipantResult]
    }

    func view(_ store: KelasDatabase, at now: Date) throws -> View {
        View(rows: try store.status(batchID: "gresik-2021-07", now: now).rows,
             report: try store.report(by: .district, now: now),
             results: try store.participantResults(now: now))
    }

    /// What a store opened now on the same file reads: nothing kept, everything replayed.
    func fresh(at now: Date) throws -> View { try view(try ingest.base.database(), at: now) }

    @Test("after messages, marks, typed answers and opt-outs — from this connection or another — and as prompts close, it reads what a fresh replay reads")
    func followsEveryChange() throws {
        let store = try ingest.storeWithBatch()
        let other = try ingest.base.database()
        var before = try view(store, at: Self.tuesday)
        #expect(before == (try fresh(at: Self.tuesday)))

        let changes: [(String, () throws -> Void)] = [
            ("a chat export, by another connection", { _ = try self.ingest.ingestChat(other, "android-id.txt") }),
            ("a webhook message, by this one", {
                var content = WebhookContent()
                content.messages = [InboundMessage(id: "wamid.RM1", phone: PhoneNumber(e164: "+6281234567113"), author: "Dedi",
                                                   sentAt: Self.tuesday.addingTimeInterval(-600), kind: .text, text: "setuju")]
                _ = try store.ingest(content, source: "test", now: Self.tuesday)
            }),
            ("a phone-call mark, by another connection", {
                _ = try other.mark(batchID: "gresik-2021-07", participant: "Eko Wahyudi", session: 1, kind: .phoned, note: nil, now: Self.tuesday)
            }),
            ("typed post-test answers, by another connection", {
                _ = try other.setAnswers(batchID: "gresik-2021-07", participant: "Budi Santoso", survey: .post,
                                         answers: [0: 1, 1: 1, 2: 0], source: "trainer", now: Self.tuesday)
            }),
            ("an opt-out, by this one", {
                _ = try store.setOptOut(batchID: "gresik-2021-07", participant: "Cahyo Prasetyo", optedOut: true, note: nil, now: Self.tuesday)
            }),
        ]
        for (what, change) in changes {
            try change()
            let now = try view(store, at: Self.tuesday)
            #expect(now != before, "\(what) changed nothing the pages read: the test would not see a stale read model")
            #expect(now == (try fresh(at: Self.tuesday)), "after \(what)")
            before = now
        }
        // No change, only time: every prompt of the week closes; the silent miss them.
        let later = try view(store, at: IngestTests.afterWeek)
        func missed(_ view: View) -> Int { view.rows.reduce(0) { $0 + $1.states.count(where: { $0 == .missed }) } }
        #expect(missed(later) > missed(before))
        #expect(later == (try fresh(at: IngestTests.afterWeek)))
        // And back to an earlier moment: nothing learnt later leaks into it.
        #expect(try view(store, at: Self.tuesday) == before)
    }

    @Test("a whole report is kept until the store changes or a prompt closes: each moment, forward and back, reads what a fresh store reads")
    func keptReports() throws {
        let store = try ingest.storeWithBatch()
        _ = try ingest.ingestChat(store, "android-id.txt")
        let prompts = try store.prompts(batchID: "gresik-2021-07")
        let moments = [Self.tuesday] + prompts.flatMap { [$0.closesAt.addingTimeInterval(-1), $0.closesAt] } + [IngestTests.afterWeek]
        var seen: [Report] = []
        for now in moments + moments.reversed() {
            for grouping in ReportGrouping.allCases {
                let report = try store.report(by: grouping, now: now)
                #expect(report == (try fresh(at: now, by: grouping)), "\(grouping) at \(now)")
                #expect(try store.report(by: grouping, now: now) == report)
                if grouping == .batch { seen.append(report) }
            }
        }
        // Time alone changed the report (so a report kept past a closing would fail above).
        #expect(seen.contains { $0 != seen[0] })
        // A change by another connection is read at once, at a moment already asked for.
        let other = try ingest.base.database()
        let before = try store.report(by: .batch, now: Self.tuesday)
        _ = try other.mark(batchID: "gresik-2021-07", participant: "Eko Wahyudi", session: 1, kind: .phoned, note: nil, now: Self.tuesday)
        let after = try store.report(by: .batch, now: Self.tuesday)
        let oracle = try fresh(at: Self.tuesday, by: .batch)
        #expect(after != before && after == oracle)
    }

    func fresh(at now: Date, by grouping: ReportGrouping) throws -> Report {
        try ingest.base.database().report(by: grouping, now: now)
    }

    @Test("every table the statuses come from moves its batch's version, and only its batch's")
    func versions() throws {
        let store = try ingest.storeWithBatch()
        let (loaded, path) = try ingest.base.example { $0.replacingOccurrences(of: "id: gresik-2021-07", with: "id: tuban-2021-08") }
        _ = try store.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        _ = try ingest.ingestChat(store, "android-id.txt")
        func versions() throws -> [String: Int64] {
            try store.writer.read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, version FROM batch").map { ($0["id"], $0["version"]) })
            }
        }
        let statements = [
            "UPDATE inboundMessage SET quoting = 'x' WHERE rowid = (SELECT MIN(rowid) FROM inboundMessage WHERE batchID = 'gresik-2021-07')",
            "DELETE FROM inboundMessage WHERE rowid = (SELECT MIN(rowid) FROM inboundMessage WHERE batchID = 'gresik-2021-07')",
            "INSERT INTO mark (batchID, phone, session, kind, at) VALUES ('gresik-2021-07', '+6281234567111', 1, 'phoned', 0)",
            "DELETE FROM mark WHERE batchID = 'gresik-2021-07'",
            "INSERT INTO surveyAnswer (batchID, phone, survey, statement, option, source, at) VALUES ('gresik-2021-07', '+6281234567111', 'pre', 0, 1, 't', 0)",
            "UPDATE surveyAnswer SET option = 2 WHERE batchID = 'gresik-2021-07'",
            "UPDATE person SET name = 'Budi S.' WHERE batchID = 'gresik-2021-07' AND phone = '+6281234567111'",
            "UPDATE prompt SET closesAt = closesAt + 60 WHERE batchID = 'gresik-2021-07'",
            "UPDATE plannedMessage SET remindsOf = NULL WHERE batchID = 'gresik-2021-07'",
            "UPDATE outbox SET wamid = 'wamid.learnt' WHERE messageID = (SELECT MIN(messageID) FROM outbox WHERE batchID = 'gresik-2021-07')",
            "INSERT INTO optOut (batchID, phone, optedOut, at) VALUES ('gresik-2021-07', '+6281234567111', 1, 0)",
            "UPDATE batch SET completionSessions = 1 WHERE id = 'gresik-2021-07'",
        ]
        for sql in statements {
            let before = try versions()
            try store.writer.write { db in try db.execute(sql: sql) }
            let after = try versions()
            #expect((after["gresik-2021-07"] ?? 0) > (before["gresik-2021-07"] ?? 0), "\(sql)")
            #expect(after["tuban-2021-08"] == before["tuban-2021-08"], "\(sql)")
        }
        // An outbox row changing state without learning an id is the dispatcher's everyday write: no new version.
        let before = try versions()
        try store.writer.write { db in try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1 WHERE batchID = 'gresik-2021-07'") }
        #expect(try versions() == before)
    }

    @Test("a bulk write moves each batch it wrote to once; the triggers are back after it, and after one that failed")
    func bulkWrites() throws {
        let store = try ingest.storeWithBatch()
        func version() throws -> Int64 {
            try store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT version FROM batch WHERE id = 'gresik-2021-07'") ?? 0 }
        }
        func storeVersion() throws -> Int64 {
            try store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT version FROM storeVersion") ?? 0 }
        }
        let insert = "INSERT INTO mark (batchID, phone, session, kind, at) VALUES ('gresik-2021-07', '+6281234567111', ?, 'phoned', 0)"
        let (batchBefore, storeBefore) = (try version(), try storeVersion())
        try store.writer.write { db in
            try KelasDatabase.bulk(db, batchIDs: ["gresik-2021-07"]) {
                for session in 1...5 { try db.execute(sql: insert, arguments: [session]) }
            }
        }
        #expect(try storeVersion() == storeBefore + 1, "five rows, one move")
        #expect(try version() == storeBefore + 1 && batchBefore < storeBefore + 1)
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bulkWrite") } == 0)
        // A bulk write that fails inside a transaction that goes on: the rows after it move the version again.
        try store.writer.write { db in
            #expect(throws: DatabaseError.self) {
                try KelasDatabase.bulk(db, batchIDs: ["gresik-2021-07"]) { try db.execute(sql: "INSERT INTO nowhere VALUES (1)") }
            }
            try db.execute(sql: insert, arguments: [6])
        }
        #expect(try storeVersion() == storeBefore + 2)
        // Adding a batch again with a changed person is a bulk write too: its version moves.
        let moved = try version()
        let (loaded, path) = try ingest.base.example { $0.replacingOccurrences(of: "name: Winoto", with: "name: Pak Winoto") }
        _ = try store.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        #expect(try version() > moved)
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bulkWrite") } == 0)
    }
}
