import Foundation
import GRDB
import Testing
import KelasCore
@testable import KelasStore

/// A stored value this version cannot read is an error that names it — never a message to the whole group, 1970 or GMT.
@Suite("Stored values")
struct StoredValueTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-stored-\(UUID().uuidString)")
    static let now = Date(timeIntervalSince1970: 1_625_540_400) // 2021-07-06 10:00 WIB
    static let message = "gresik-2021-07:d2:diskusi-sesi-1"

    func store(_ corrupt: String) throws -> KelasDatabase {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let file = directory.appendingPathComponent("batch.yaml").path
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(try BatchFile.load(path: file), source: file, now: Self.now.addingTimeInterval(-2 * 86_400))
        try store.writer.write { try $0.execute(sql: corrupt) }
        return store
    }

    @Test("an unknown audience, kind, date or time of a planned message is named; the dispatcher holds it instead of sending", arguments: [
        ("audience", "UPDATE plannedMessage SET audience = 'everyone-in-town' WHERE id = '\(message)'", "everyone-in-town"),
        ("kind", "UPDATE plannedMessage SET kind = 'hologram' WHERE id = '\(message)'", "hologram"),
        ("localDate", "UPDATE plannedMessage SET localDate = '2021-13-45' WHERE id = '\(message)'", "2021-13-45"),
        ("localTime", "UPDATE plannedMessage SET localTime = 'noonish' WHERE id = '\(message)'", "noonish"),
    ])
    func plannedMessage(_ column: String, _ corrupt: String, _ value: String) throws {
        let store = try store(corrupt)
        let expected = StoredValueError(table: "plannedMessage", key: Self.message, column: column, value: value)
        #expect(throws: expected) { try store.outbox(batchID: "gresik-2021-07") }
        #expect(expected.description.contains("plannedMessage row `\(Self.message)` has \(column) `\(value)`"))
        // Due now, it is not claimed (so never sent): it stays queued with the reason, and the others go on.
        let due = Date(timeIntervalSince1970: 1_625_536_800) // day 2 09:00
        let claimed = try store.claimDue(now: due, limit: 50, lease: 60, owner: "test")
        #expect(!claimed.contains { $0.message.id == Self.message } && !claimed.isEmpty)
        let row = try store.writer.read { try Row.fetchOne($0, sql: "SELECT state, lastError FROM outbox WHERE messageID = ?", arguments: [Self.message]) }
        #expect(row?["state"] == "queued" && (row?["lastError"] as String?)?.contains(value) == true)
    }

    @Test("an unknown time zone or start date of a batch is named wherever the batch is read", arguments: [
        ("timezone", "UPDATE batch SET timezone = 'Mars/Olympus'", "Mars/Olympus"),
        ("start", "UPDATE batch SET start = 'soon'", "soon"),
    ])
    func batch(_ column: String, _ corrupt: String, _ value: String) throws {
        let store = try store(corrupt)
        let expected = StoredValueError(table: "batch", key: "gresik-2021-07", column: column, value: value)
        #expect(throws: expected) { try store.chatContext(batchID: "gresik-2021-07") }
        if column == "timezone" {
            #expect(throws: expected) { try store.batches() }
            #expect(throws: expected) { try store.timeZone(batchID: "gresik-2021-07") }
        }
        // Routing a webhook's sender to a batch needs both; an unreadable one is an error, not a skipped batch.
        var content = WebhookContent()
        content.messages = [InboundMessage(id: "wamid.X", phone: PhoneNumber(e164: "+6281234567111"), author: "Budi", sentAt: Self.now,
                                           kind: .text, text: "x")]
        #expect(throws: expected) { try store.ingest(content, source: "test", now: Self.now) }
    }

    @Test("an unknown kind of a prompt, a mark or an inbound message is named when the batch replays", arguments: [
        ("prompt", "UPDATE prompt SET kind = 'riddle' WHERE key = 'diskusi-sesi-1'", "riddle"),
        ("mark", "INSERT INTO mark (batchID, phone, session, kind, note, at) VALUES ('gresik-2021-07', '+6281234567111', 1, 'waved', NULL, 1625540000)", "waved"),
        ("inboundMessage", "INSERT INTO inboundMessage (id, batchID, phone, author, sentAt, type, isVoice, text, quoting, source) VALUES ('wamid.Z', 'gresik-2021-07', '+6281234567111', 'Budi', 1625540000, 'smoke-signal', 0, NULL, NULL, 'test')", "smoke-signal"),
    ])
    func replay(_ table: String, _ corrupt: String, _ value: String) throws {
        let store = try store(corrupt)
        do {
            _ = try store.status(batchID: "gresik-2021-07", now: Self.now)
            Issue.record("the \(table) row was read as something")
        } catch let error as StoredValueError {
            #expect(error.table == table && error.value == value)
        }
    }
}
