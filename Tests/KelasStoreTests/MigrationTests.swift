import Foundation
import GRDB
import Testing
import KelasCore
@testable import KelasStore

/// Store files as each shipped schema version left them (`Fixtures/stores/store-vN.sqlite`), upgraded to the current one.
///
/// The fixtures were written by `writeFixtures` below (run with `KELAS_WRITE_STORE_FIXTURES=1`): the migrations up to
/// vN — shipped migrations are never edited, so that is vN's schema — and the rows that version's code wrote, column
/// for column. Two batches of the example: `grp` (group mode) and `fan` (fan-out, one reminder per participant).
@Suite("Migrations")
struct MigrationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/stores")
    static let now = Date(timeIntervalSince1970: 1_625_540_400) // 2021-07-06 10:00 WIB

    /// The example batch as `id`, in `mode`, with its first two days' plan and prompts as the planner makes them.
    static func example(_ id: String, mode: DeliveryMode) throws -> (LoadedBatch, [PlannedMessage], [Prompt]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-migration-\(UUID().uuidString)")
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let file = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "id: gresik-2021-07", with: "id: \(id)")
            .replacingOccurrences(of: "mode: group", with: "mode: \(mode.rawValue)")
        try Data(text.utf8).write(to: file)
        let loaded = try BatchFile.load(path: file.path)
        // The first two days (a discussion and its reminders): enough to test every table, small enough to keep.
        let plan = Planner(batch: loaded.batch, curriculum: loaded.curriculum).plan().filter { $0.day <= 2 }
        return (loaded, plan, Prompt.prompts(batch: loaded.batch, curriculum: loaded.curriculum, plan: plan))
    }

    @Test("write the fixture stores (only with KELAS_WRITE_STORE_FIXTURES set)",
          .enabled(if: ProcessInfo.processInfo.environment["KELAS_WRITE_STORE_FIXTURES"] != nil))
    func writeFixtures() throws {
        try FileManager.default.createDirectory(at: Self.fixtures, withIntermediateDirectories: true)
        for version in 1...5 {
            let path = Self.fixtures.appendingPathComponent("store-v\(version).sqlite").path
            try? FileManager.default.removeItem(atPath: path)
            _ = KelasDatabase.configured  // SQLite's threading mode is set before its first use in a process
            let queue = try DatabaseQueue(path: path)
            try KelasDatabase.migrator.migrate(queue, upTo: KelasDatabase.migrations[version - 1])
            try queue.write { db in
                for (id, mode) in [("grp", DeliveryMode.group), ("fan", .fanout)] {
                    try Self.insert(db, version: version, id: id, mode: mode)
                }
            }
            try queue.vacuum()
            try queue.close()
        }
    }

    /// The rows a version-`version` Kelas wrote for a batch, in that version's columns.
    static func insert(_ db: Database, version: Int, id: String, mode: DeliveryMode) throws {
        let (loaded, plan, prompts) = try example(id, mode: mode)
        let batch = loaded.batch
        var columns = ["id", "name", "programme", "district", "timezone", "start", "language", "mode", "source", "completionSessions",
                       "completionPostTest"]
        var values: [DatabaseValueConvertible?] = [batch.id, batch.name, batch.programme, batch.district, batch.timeZone.identifier,
                                                   batch.start.description, batch.language.rawValue, mode.rawValue, "/old/\(id)/batch.yaml",
                                                   batch.completion.sessions, batch.completion.postTest]
        if version >= 4 {
            columns.append("sink")
            values.append(mode == .fanout ? try BatchSink.encode(.jsonl(path: "/old/\(id)/out.jsonl")) : nil)
        }
        try insert(db, "batch", columns, values)
        let people = batch.participants.map { ($0, "participant") } + batch.trainers.map { ($0, "trainer") } + [(batch.admin, "admin")]
        for (position, (person, role)) in people.enumerated() {
            try insert(db, "person", ["batchID", "phone", "role", "name", "alias", "district", "disabilities", "position"],
                       [id, person.phone.e164, role, person.name, person.alias, person.district,
                        person.disabilities.map(\.rawValue).joined(separator: ";"), position])
        }
        for message in plan {
            var columns = ["id", "batchID", "itemKey", "sequence", "day", "sendAt", "localDate", "localTime", "kind", "audience", "sender",
                           "text", "url", "filename", "session", "flags"]
            var values: [DatabaseValueConvertible?] = [
                message.id, id, message.itemKey, message.sequence, message.day, message.sendAt.timeIntervalSince1970,
                message.date.description, message.localTime.description, message.kind.rawValue, message.audience.description,
                message.sender, message.text, message.url, message.filename, message.session, message.flags.map(\.rawValue).joined(separator: " ")]
            if version >= 4 { columns.append("remindsOf"); values.append(message.remindsOf) }
            try insert(db, "plannedMessage", columns, values)
        }
        for prompt in prompts {
            try insert(db, "prompt", ["batchID", "key", "kind", "session", "survey", "opensAt", "closesAt"],
                       [id, prompt.key, prompt.kind.rawValue, prompt.session, prompt.survey?.rawValue,
                        prompt.opensAt.timeIntervalSince1970, prompt.closesAt.timeIntervalSince1970])
        }
        // Budi answers session 1 by voice note, Iva takes it up; Cahyo is phoned.
        let budi = batch.participants[1].phone.e164, cahyo = batch.participants[2].phone.e164, iva = batch.trainers[0].phone.e164
        for (index, (phone, author, at, type, text)) in [(budi, "Budi", 1_625_537_400.0, "voice", nil),
                                                         (iva, "Iva", 1_625_538_000.0, "text", "Terima kasih Pak Budi")].enumerated() {
            var columns = ["id", "batchID", "phone", "author", "sentAt", "type", "isVoice", "text", "quoting", "source"]
            var values: [DatabaseValueConvertible?] = ["wamid.\(id)\(index)", id, phone, author, at, type, type == "voice", text,
                                                       index == 1 ? "wamid.\(id)0" : nil, "fixture"]
            if version >= 2 { columns += ["groupID", "mentions"]; values += [nil, index == 1 ? budi : ""] }
            try insert(db, "inboundMessage", columns, values)
        }
        try insert(db, "mark", ["batchID", "phone", "session", "kind", "note", "at"], [id, cahyo, 1, "phoned", "by phone", 1_625_572_800.0])
        if version >= 2 {
            try insert(db, "deliveryStatus", ["messageID", "recipient", "state", "at", "errorCode", "errorTitle", "source"],
                       ["msg_\(plan[0].id)", budi, "read", 1_625_445_100.0, nil, nil, "fixture"])
        }
        if version >= 3 {
            for (index, message) in plan.enumerated() {
                let sent = index < 3
                var columns = ["messageID", "batchID", "webhookID", "dueAt", "expiresAt", "state", "attempts", "nextAttemptAt", "sentAt"]
                var values: [DatabaseValueConvertible?] = [message.id, id, "msg_" + message.id, message.sendAt.timeIntervalSince1970,
                                                           message.sendAt.timeIntervalSince1970 + 12 * 3600, sent ? "sent" : "queued",
                                                           sent ? 1 : 0, message.sendAt.timeIntervalSince1970,
                                                           sent ? message.sendAt.timeIntervalSince1970 : nil]
                if version >= 4 { columns.append("wamid"); values.append(sent ? "wamid.out\(id)\(index)" : nil) }
                try insert(db, "outbox", columns, values)
                if sent {
                    try insert(db, "deliveryAttempt", ["messageID", "attempt", "at", "statusCode", "error", "latencyMs"],
                               [message.id, 1, message.sendAt.timeIntervalSince1970, 200, nil, 12.5])
                }
            }
        }
        if version >= 5, id == "grp" {
            for (delivery, error) in [("evt_ok", nil), ("evt_bad", "body:1:1: error: not JSON")] as [(String, String?)] {
                try insert(db, "webhookInbox", ["endpoint", "deliveryID", "receivedAt", "body", "appliedAt", "error"],
                           ["kelas", delivery, 1_625_540_000.0, Data("{}".utf8), 1_625_540_001.0, error])
            }
        }
    }

    static func insert(_ db: Database, _ table: String, _ columns: [String], _ values: [DatabaseValueConvertible?]) throws {
        try db.execute(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                       arguments: StatementArguments(values))
    }

    @Test("each shipped schema version upgrades to the current one with its data intact", arguments: 1...5)
    func upgrades(_ version: Int) throws {
        let fixture = Self.fixtures.appendingPathComponent("store-v\(version).sqlite")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-upgrade-\(UUID().uuidString).sqlite").path
        try FileManager.default.copyItem(atPath: fixture.path, toPath: path)
        _ = KelasDatabase.configured  // SQLite's threading mode is set before its first use in a process
        let fixtureQueue = try DatabaseQueue(path: path)
        let before = try fixtureQueue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(before == Array(KelasDatabase.migrations.prefix(version)), "the fixture is a v\(version) store")
        // The planned messages as the fixture holds them: the upgrade must keep every one as it was.
        let fixtureMessages = try fixtureQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, audience, kind, text FROM plannedMessage").reduce(into: [String: [String]]()) {
                $0[$1["id"]] = [$1["audience"], $1["kind"], $1["text"]]
            }
        }
        try fixtureQueue.close()

        let store = try KelasDatabase(path: path)
        let after = try store.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(after == KelasDatabase.migrations)
        let batches = try store.batches()
        #expect(batches.map(\.id).sorted() == ["fan", "grp"])
        for (id, mode) in [("grp", DeliveryMode.group), ("fan", .fanout)] {
            let (_, plan, prompts) = try Self.example(id, mode: mode)
            let stored = try #require(batches.first { $0.id == id })
            #expect(stored.participants == 24 && stored.messages == plan.count && stored.timeZone.identifier == "Asia/Jakarta")
            #expect(stored.sink == (version >= 4 && mode == .fanout ? .spec(.jsonl(path: "/old/\(id)/out.jsonl")) : .unset))
            // Every message reads back as planned, reminders naming their discussion — fan-out ones too (v6).
            let outbox = try store.outbox(batchID: id)
            #expect(outbox.count == plan.count)
            // One day's outbox (a batch page, `/today`) is the batch's outbox of that day, in the same order.
            for date in Set(plan.map(\.date)) {
                let day = try store.outbox(batchID: id, date: date).map(\.message.id)
                #expect(!day.isEmpty && day == outbox.filter { $0.message.date == date }.map(\.message.id))
            }
            let byID = Dictionary(uniqueKeysWithValues: outbox.map { ($0.message.id, $0) })
            for message in plan {
                let item = try #require(byID[message.id])
                #expect([item.message.audience.description, item.message.kind.rawValue, item.message.text] == fixtureMessages[message.id])
                #expect(item.message.remindsOf == message.remindsOf, "\(message.id) v\(version)")
            }
            #expect(outbox.filter { $0.state == .sent }.count == (version >= 3 ? 3 : 0))
            if version >= 4 { #expect(outbox.filter { $0.wamid != nil }.count == 3) }
            // The status replays: Budi's voice note taken up by Iva, Cahyo phoned.
            let status = try store.status(batchID: id, now: Self.now)
            #expect(status.columns.map(\.key) == prompts.map(\.key))
            let session1 = try #require(status.columns.firstIndex { $0.session == 1 && $0.kind == .discussion })
            #expect(status.rows[1].states[session1] == .discussed && status.rows[2].states[session1] == .discussed)
            #expect(try store.attempts(messageID: plan[0].id).count == (version >= 3 ? 1 : 0))
            if version >= 2 { #expect(try store.deliveryStatuses(messageID: plan[0].id).map(\.state) == ["read"]) }
        }
        // Each outbox row carries its message's place in the day (v16), so a claim takes them in planned order.
        let misplaced = try store.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox o JOIN plannedMessage m ON m.id = o.messageID WHERE o.sequence != m.sequence")
        }
        #expect(misplaced == 0)
        // A batch's outbox and marks are read by their indexes (v17), not by scanning every batch's rows.
        // Arguments of the right kind for each query's placeholders (the plan does not depend on their values).
        func arguments(_ sql: String) -> StatementArguments {
            if sql.contains("sentAt <=") { return ["+6281", 0] }
            if sql.contains("leaseUntil <=") { return [0, 0] }
            return sql.contains("expiresAt <=") ? [0] : ["grp"]
        }
        for (sql, index) in [("SELECT messageID FROM outbox WHERE batchID = ? ORDER BY dueAt, sequence", "outbox_batch"),
                             ("SELECT id FROM mark WHERE batchID = ? AND at >= 0 ORDER BY at", "mark_batch"),
                             // The 24-hour window reads by its partial index (v18), which leaves chat exports out.
                             (KelasDatabase.lastInboundSQL, "inboundMessage_phone"),
                             // What may expire is found by an index of queued messages (v19), not by walking them all.
                             (KelasDatabase.expireQueuedSQL, "outbox_expiry"), (KelasDatabase.expireClaimedSQL, "outbox_claim")] {
            let plan = try store.writer.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments(sql))
                    .map { $0["detail"] as String? ?? "" }
            }
            #expect(plan.contains { $0.contains("INDEX \(index)") } && !plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
        // A dispatcher can claim from the upgraded store (v6 claim owners).
        _ = try store.claimDue(now: Self.now, limit: 1, lease: 60, owner: "test")
        if version >= 5 {
            let stats = try store.inboxStats()
            #expect(stats.received == 2 && stats.pending == 0 && stats.quarantined == 1)
            #expect(try store.inbox(state: .quarantined).map(\.deliveryID) == ["evt_bad"])
        }
    }
}
