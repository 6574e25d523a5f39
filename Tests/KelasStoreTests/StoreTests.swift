import Foundation
import GRDB
import GRDBSQLite
import Testing
import KelasCore
@testable import KelasStore

/// The store on a real SQLite file, with the example batch.
@Suite("Store")
struct StoreTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-store-\(UUID().uuidString)")

    func example(_ edit: (String) -> String = { $0 }) throws -> (LoadedBatch, String) {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let batch = directory.appendingPathComponent("batch.yaml")
        try Data(edit(try String(contentsOf: batch, encoding: .utf8)).utf8).write(to: batch)
        return (try BatchFile.load(path: batch.path), batch.path)
    }

    func database() throws -> KelasDatabase { try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path) }

    /// Before the batch starts (2021-07-05 07:00 WIB).
    static let beforeStart = Date(timeIntervalSince1970: 1_625_400_000)

    @Test("SQLite runs in multi-thread mode: a store's connections take no lock of their own around each call")
    func multiThreadMode() throws {
        let store = try database()
        #expect(KelasDatabase.configured == SQLITE_OK, "SQLite was used before any store opened")
        try store.writer.write { db in #expect(sqlite3_db_mutex(db.sqliteConnection) == nil) }
        try store.writer.read { db in #expect(sqlite3_db_mutex(db.sqliteConnection) == nil) }
    }

    @Test("the writing connection keeps a larger page cache; reading connections keep SQLite's default")
    func writerCache() throws {
        let store = try database()
        let written = try store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
        let read = try store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
        #expect(written == KelasDatabase.writerCache)
        #expect(read == -2000)
        #expect(KelasDatabase.writerCache < -2000)
    }

    @Test("adding a batch stores people and plan; adding it again changes nothing")
    func idempotentAdd() throws {
        let (loaded, path) = try example()
        let store = try database()
        let first = try store.addBatch(loaded, source: path, now: Self.beforeStart)
        #expect(first.created && first.participantsAdded == 24 && first.messagesAdded == 27)
        let again = try store.addBatch(loaded, source: path, now: Self.beforeStart)
        #expect(again.isUnchanged, "\(again.description)")
        #expect(try store.batches().map(\.participants) == [24])
        // Reopening the file keeps everything (a real file, not memory).
        #expect(try database().batch("gresik-2021-07")?.messages == 27)
    }

    @Test("an edited batch updates only what has not happened yet, and says what changed")
    func editedBatch() throws {
        let (loaded, path) = try example()
        let store = try database()
        _ = try store.addBatch(loaded, source: path, now: Self.beforeStart)
        var edited = loaded
        edited.batch.participants.removeLast()
        edited.batch.name = "Angkatan 7 (revisi)"
        // Day 3 at noon: days 1–3 morning are past; the renamed batch changes the text of later messages using {{batch}}.
        let day3 = Date(timeIntervalSince1970: 1_625_547_600)
        let summary = try store.addBatch(edited, source: path, now: day3)
        #expect(summary.participantsRemoved == 1)
        #expect(summary.messagesUpdated == 1, "only day 7's closing names the batch: \(summary.description)")
        #expect(summary.messagesPast > 0)
        #expect(summary.description.contains("1 participants removed"))
    }

    @Test("a failed import leaves the store as it was")
    func atomicImport() throws {
        let (loaded, path) = try example()
        let store = try database()
        _ = try store.addBatch(loaded, source: path, now: Self.beforeStart)
        var broken = loaded
        // Two people with one number break the primary key after the batch row and 24 people are written.
        broken.batch.id = "gresik-2021-08"
        broken.batch.participants.append(broken.batch.participants[0])
        #expect(throws: (any Error).self) { try store.addBatch(broken, source: path, now: Self.beforeStart) }
        #expect(try store.batches().map(\.id) == ["gresik-2021-07"])
        let orphans = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM person WHERE batchID = 'gresik-2021-08'") }
        #expect(orphans == 0)
    }

    @Test("marks change the status grid; missed and needs-call follow the clock")
    func marksAndStatus() throws {
        let (loaded, path) = try example()
        let store = try database()
        _ = try store.addBatch(loaded, source: path, now: Self.beforeStart)
        let day4 = Date(timeIntervalSince1970: 1_625_616_000) // 2021-07-07 07:00 WIB: session 1 closed, session 2 open
        let phone = try store.mark(batchID: "gresik-2021-07", participant: "budi santoso", session: 1, kind: .phoned, note: "by phone", now: day4)
        #expect(phone.e164 == "+6281234567111")
        let status = try store.status(batchID: "gresik-2021-07", now: day4)
        let session1 = try #require(status.columns.firstIndex { $0.key == "diskusi-sesi-1" })
        let budi = try #require(status.rows.first { $0.phone == phone })
        #expect(budi.states[session1] == .discussed)
        #expect(status.rows.filter { $0.states[session1] == .missed }.count == 23)
        #expect(status.rows.filter(\.needsCall).count == 24, "everyone missed the pre-test or session 1")
        #expect(status.registered == 24 && status.active == 1 && status.completed == 0)
    }

    @Test("marks name unknown batches, participants and sessions with what exists")
    func markErrors() throws {
        let (loaded, path) = try example()
        let store = try database()
        _ = try store.addBatch(loaded, source: path, now: Self.beforeStart)
        #expect(throws: StoreError.unknownBatch("nope", known: ["gresik-2021-07"])) {
            try store.mark(batchID: "nope", participant: "x", session: 1, kind: .phoned, note: nil, now: Self.beforeStart)
        }
        #expect(throws: StoreError.unknownParticipant("Siapa", batch: "gresik-2021-07", ambiguous: false)) {
            try store.mark(batchID: "gresik-2021-07", participant: "Siapa", session: 1, kind: .phoned, note: nil, now: Self.beforeStart)
        }
        #expect(throws: StoreError.unknownSession(9, batch: "gresik-2021-07", known: [1, 2, 3, 4])) {
            try store.mark(batchID: "gresik-2021-07", participant: "0812-3456-7111", session: 9, kind: .phoned, note: nil, now: Self.beforeStart)
        }
    }

    @Test("KELAS_DATABASE overrides the default file")
    func defaultPath() {
        #expect(KelasDatabase.defaultPath(environment: [:]) == "kelas.sqlite")
        #expect(KelasDatabase.defaultPath(environment: ["KELAS_DATABASE": "/tmp/x.sqlite"]) == "/tmp/x.sqlite")
    }
}
