import Foundation
import GRDB
import Testing
import KelasCore
@testable import KelasStore

/// Webhook payloads and chat exports into a real SQLite file holding the example batch.
@Suite("Ingest")
struct IngestTests {
    let base = StoreTests()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ingest")
    /// 2021-07-20: every prompt of the example week has closed.
    static let afterWeek = Date(timeIntervalSince1970: 1_626_739_200)

    func storeWithBatch() throws -> KelasDatabase {
        let (loaded, path) = try base.example()
        let store = try base.database()
        _ = try store.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        return store
    }

    func webhook(_ name: String) throws -> WebhookContent {
        let path = Self.fixtures.appendingPathComponent(name).path
        return try WebhookPayload.decode(try Data(contentsOf: URL(fileURLWithPath: path)), file: name)
    }

    /// Name → status symbols (PRE S1 S2 S3 S4 POST), for the participants listed.
    func grid(_ store: KelasDatabase, _ names: [String]) throws -> [String: String] {
        let status = try store.status(batchID: "gresik-2021-07", now: Self.afterWeek)
        var result: [String: String] = [:]
        for row in status.rows where names.contains(row.name) { result[row.name] = row.states.map(\.symbol).joined(separator: " ") }
        return result
    }

    func ingestChat(_ store: KelasDatabase, _ name: String, lines: ClosedRange<Int>? = nil, me: String? = nil) throws -> IngestSummary {
        var path = Self.fixtures.appendingPathComponent(name).path
        if let lines {
            let text = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            path = base.directory.appendingPathComponent("part-\(name)").path
            try FileManager.default.createDirectory(at: base.directory, withIntermediateDirectories: true)
            try text[(lines.lowerBound - 1)..<min(lines.upperBound, text.count)].joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        return try store.ingest(chat: ChatExportFile(path: path), context: try store.chatContext(batchID: "gresik-2021-07", me: me),
                                now: Self.afterWeek).summary
    }

    func count(_ store: KelasDatabase, _ table: String) throws -> Int {
        try store.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    @Test("webhook payloads of every message type and status: answers, voice notes, quotes, reactions, dedupe")
    func webhookTypes() throws {
        let store = try storeWithBatch()
        let content = try webhook("webhook-all-types.jsonl")
        #expect(content.payloads == 12 && content.messages.count == 11 && content.statuses.count == 5)
        #expect(content.messages.map(\.kind) == [.text, .voice, .voice, .image, .video, .document, .reaction, .text, .text, .text, .text])
        #expect(content.messages.first?.groupID == "120363000000000001@g.us")
        #expect(content.messages.first?.author == "Fauzi")
        #expect(content.messages[6].quoting == "gresik-2021-07:d2:diskusi-sesi-1")
        let summary = try store.ingest(content, source: "webhook-all-types.jsonl", now: Self.afterWeek)
        #expect(summary.added == ["gresik-2021-07": 9, "": 1])
        #expect(summary.duplicates == 1, "the retried payload is counted once")
        #expect(summary.unmatched == ["+6289900001111": 1])
        #expect(summary.statusesAdded == 5)
        // Hand-computed: PRE S1 S2 S3 S4(RTL) POST.
        #expect(try grid(store, ["Ahmad Fauzi", "Budi Santoso", "Cahyo Prasetyo", "Dedi Kurniawan", "Eko Wahyudi", "Fajar Hidayat",
                                 "Gunawan Saputra", "Hadi Susanto"]) == [
            "Ahmad Fauzi": "R ✗ ✗ ✗ ✗ ✗",     // text during the pre-test
            "Budi Santoso": "✗ D ✗ ✗ ✗ ✗",    // voice note, quoted by a trainer
            "Cahyo Prasetyo": "✗ V ✗ ✗ ✗ ✗",  // legacy `type: voice`
            "Dedi Kurniawan": "✗ R ✗ ✗ ✗ ✗",  // image
            "Eko Wahyudi": "✗ R ✗ ✗ ✗ ✗",     // video
            "Fajar Hidayat": "✗ R ✗ ✗ ✗ ✗",   // document
            "Gunawan Saputra": "✗ ✗ ✗ ✗ ✗ ✗", // a reaction is not an answer
            "Hadi Susanto": "✗ ✗ ✗ ✗ R ✗",    // quotes the RTL prompt while the post-test is the latest open
        ])
        let again = try store.ingest(content, source: "again", now: Self.afterWeek)
        #expect(again.messagesAdded == 0 && again.duplicates == 11 && again.statusesAdded == 0 && again.statusDuplicates == 5)
        #expect(try count(store, "inboundMessage") == 10)
        let failed = try store.writer.read { try Row.fetchOne($0, sql: "SELECT * FROM deliveryStatus WHERE state = 'failed'") }
        #expect(failed?["errorCode"] == 131_026 && failed?["errorTitle"] == "Message undeliverable")
    }

    @Test("a single pretty-printed payload; a bad line names its line and field and stores nothing")
    func webhookDocumentAndErrors() throws {
        #expect(try webhook("webhook-single.json").messages.map(\.id) == ["wamid.B9"])
        do {
            _ = try webhook("webhook-bad.jsonl")
            Issue.record("expected an error")
        } catch let failure as ValidationFailure {
            #expect(failure.description.hasPrefix("webhook-bad.jsonl:2:1: error: `entry[0].changes[0].value.messages[0].timestamp` is missing"))
        }
        #expect(throws: ValidationFailure.self) { try WebhookPayload.decode(Data(#"{"object": "x"}"#.utf8), file: "x.json") }
        #expect(throws: ValidationFailure.self) { try WebhookPayload.decode(Data("{not json".utf8), file: "x.json") }
    }

    @Test("messages from a number no batch lists are kept, and join the batch that later lists it")
    func claimedLater() throws {
        let (loaded, path) = try base.example()
        let store = try base.database()
        let summary = try store.ingest(try webhook("webhook-single.json"), source: "early", now: StoreTests.beforeStart)
        #expect(summary.added == ["": 1])
        _ = try store.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        #expect(try grid(store, ["Budi Santoso"]) == ["Budi Santoso": "✗ ✗ R ✗ ✗ ✗"])
    }

    @Test("chat exports (Android id, iOS en) give the hand-computed statuses; re-import and overlap add nothing")
    func chatExports() throws {
        let store = try storeWithBatch()
        let android = try ingestChat(store, "android-id.txt")
        #expect(android.messagesAdded == 16 && android.unmatched == ["Pak RT Gresik": 1])
        let ios = try ingestChat(store, "ios-en.txt", me: "Rumi")
        #expect(ios.messagesAdded == 10 && ios.unmatched.isEmpty)
        #expect(try grid(store, ["Ahmad Fauzi", "Budi Santoso", "Cahyo Prasetyo", "Dedi Kurniawan", "Eko Wahyudi", "Fajar Hidayat",
                                 "Gunawan Saputra", "Hadi Susanto"]) == [
            "Ahmad Fauzi": "R D ✗ ✗ ✗ ✗",     // alias author; voice note taken up by an @-mention
            "Budi Santoso": "R R V ✗ ✗ ✗",    // phone-number author for the pre-test; voice note then two "ok"
            "Cahyo Prasetyo": "R ✗ R ✗ ✗ ✗",  // multi-line pre-test answer; deleted message; photo with caption
            "Dedi Kurniawan": "✗ ✗ ✗ ✗ ✗ ✗",  // left the group
            "Eko Wahyudi": "R D ✗ ✗ ✗ ✗",     // iOS voice note, @Name mention by a trainer
            "Fajar Hidayat": "✗ V ✗ ✗ ✗ ✗",   // "audio omitted"
            "Gunawan Saputra": "✗ R ✗ ✗ ✗ ✗", // multi-line text
            "Hadi Susanto": "✗ R ✗ ✗ ✗ ✗",    // image; the deleted message counts for nothing
        ])
        #expect(try store.status(batchID: "gresik-2021-07", now: Self.afterWeek).rows.filter(\.needsCall).isEmpty,
                "a week after the batch, nobody is on the day's call list")
        let before = try count(store, "inboundMessage")
        #expect(try ingestChat(store, "android-id.txt").messagesAdded == 0)
        let overlap = try ingestChat(store, "android-id.txt", lines: 11...23)
        #expect(overlap.messagesAdded == 0 && overlap.duplicates == 11)
        #expect(try count(store, "inboundMessage") == before)
    }

    @Test("an author matched after the batch file gains an alias fills in the stored messages")
    func aliasAddedLater() throws {
        let (loaded, path) = try base.example()
        let store = try base.database()
        _ = try store.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        _ = try ingestChat(store, "android-id.txt")
        var edited = loaded
        let index = try #require(edited.batch.participants.firstIndex { $0.name == "Imam Syafi'i" })
        edited.batch.participants[index].alias = "Pak RT Gresik"
        _ = try store.addBatch(edited, source: path, now: StoreTests.beforeStart)
        let again = try ingestChat(store, "android-id.txt")
        #expect(again.messagesAdded == 0 && again.unmatched.isEmpty)
        #expect(try grid(store, ["Imam Syafi'i"]) == ["Imam Syafi'i": "✗ R ✗ ✗ ✗ ✗"])
    }

    @Test("a large ingest, many messages to a statement, counts and fills exactly as one at a time")
    func manyToAStatement() throws {
        let store = try storeWithBatch()
        let start = Self.afterWeek.addingTimeInterval(-86_400)
        let known = PhoneNumber(e164: "+6281234567110")
        // Every third author is not matched yet (no phone); one id comes twice within the same statement's rows.
        func message(_ index: Int, matched: Bool) -> InboundMessage {
            InboundMessage(id: "chat:\(index)", phone: matched ? known : nil, author: "Ahmad", sentAt: start.addingTimeInterval(Double(index)),
                           kind: .text, text: "jawaban \(index)")
        }
        let first = try store.ingest(batchID: "gresik-2021-07", source: "first", now: Self.afterWeek) { insert in
            for index in 0..<150 { try insert(message(index, matched: index % 3 != 0)) }
            try insert(message(7, matched: true))
        }
        #expect(first.added == ["gresik-2021-07": 150] && first.duplicates == 1 && first.unmatched == ["Ahmad": 50])
        // Again, overlapping 100..<150 and now matched: 50 duplicates, and the 17 of them stored without a phone gain it.
        let second = try store.ingest(batchID: "gresik-2021-07", source: "second", now: Self.afterWeek) { insert in
            for index in 100..<300 { try insert(message(index, matched: true)) }
        }
        #expect(second.added == ["gresik-2021-07": 150] && second.duplicates == 50 && second.unmatched.isEmpty)
        let rows = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, phone, text, source FROM inboundMessage WHERE id LIKE 'chat:%' ORDER BY sentAt")
        }
        #expect(rows.count == 300)
        #expect(rows.map { $0["id"] as String } == (0..<300).map { "chat:\($0)" })
        #expect(rows.map { $0["text"] as String } == (0..<300).map { "jawaban \($0)" })
        let unmatched = rows.filter { ($0["phone"] as String?) == nil }.map { $0["id"] as String }
        #expect(unmatched == (0..<100).filter { $0 % 3 == 0 }.map { "chat:\($0)" }, "only those never sent matched stay without a phone")
        #expect(rows.filter { ($0["source"] as String) == "second" }.count == 150)
        // A chat export's messages never open the 24-hour window (nor did they before v18's partial index); a direct one does.
        #expect(try store.conversationWindows(phones: [known], now: Self.afterWeek).isEmpty)
        _ = try store.ingest(batchID: "gresik-2021-07", source: "direct", now: Self.afterWeek) { insert in
            try insert(InboundMessage(id: "wamid.direct", phone: known, author: "Ahmad", sentAt: start, kind: .text, text: "halo"))
        }
        #expect(try store.conversationWindows(phones: [known], now: Self.afterWeek)[known]?.lastInbound == start)
        // A message whose time is not a number is refused, not skipped, in a statement of many rows; nothing is stored.
        let before = try count(store, "inboundMessage")
        #expect(throws: DatabaseError.self) {
            _ = try store.ingest(batchID: "gresik-2021-07", source: "broken", now: Self.afterWeek) { insert in
                for index in 1_000..<1_100 {
                    var broken = message(index, matched: true)
                    if index == 1_030 { broken.sentAt = Date(timeIntervalSince1970: .nan) }
                    try insert(broken)
                }
            }
        }
        #expect(try count(store, "inboundMessage") == before)
    }

    @Test("v20: a batch whose export was stored with digest ids keeps them, so importing again adds nothing; a new batch's ids begin with their time")
    func chatIDForms() throws {
        let store = try storeWithBatch()
        // As a store before v20 holds an export: digest ids, no list of the batches that have them.
        let file = ChatExportFile(path: Self.fixtures.appendingPathComponent("android-id.txt").path)
        var legacy = try store.chatContext(batchID: "gresik-2021-07")
        #expect(legacy.ids == .timeOrdered, "nothing stored yet")
        legacy.ids = .digestOnly
        let first = try store.ingest(chat: file, context: legacy, now: Self.afterWeek).summary
        #expect(first.messagesAdded > 5)
        let v20 = try #require(KelasDatabase.migrations.last)
        #expect(v20.hasPrefix("v20"))
        try store.writer.write { db in
            try db.execute(sql: "DROP TABLE chatDigestIDs")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [v20])
        }
        // Opened by this version: the upgrade lists the batch, whose export then reads with the ids it was stored with.
        let upgraded = try base.database()
        let context = try upgraded.chatContext(batchID: "gresik-2021-07")
        #expect(context.ids == .digestOnly)
        let again = try upgraded.ingest(chat: file, context: context, now: Self.afterWeek).summary
        #expect(again.messagesAdded == 0 && again.duplicates == first.messagesAdded)
        let ids = try upgraded.writer.read { try String.fetchAll($0, sql: "SELECT id FROM inboundMessage WHERE id LIKE 'chat:%'") }
        #expect(ids.count == first.messagesAdded && ids.allSatisfy { $0.utf8.count == 21 })

        // A store with no export before: time-ordered ids, and importing again finds them too.
        let fresh = try storeWithBatchAt("fresh.sqlite")
        let context2 = try fresh.chatContext(batchID: "gresik-2021-07")
        #expect(context2.ids == .timeOrdered)
        #expect(try fresh.ingest(chat: file, context: context2, now: Self.afterWeek).summary.messagesAdded == first.messagesAdded)
        #expect(try fresh.ingest(chat: file, context: context2, now: Self.afterWeek).summary.messagesAdded == 0)
        let timed = try fresh.writer.read { try String.fetchAll($0, sql: "SELECT id FROM inboundMessage WHERE id LIKE 'chat:%' ORDER BY rowid") }
        #expect(timed.count == first.messagesAdded && timed.allSatisfy { $0.utf8.count == 29 })
        #expect(Set(timed.map { $0.dropFirst(13) }) == Set(ids.map { $0.dropFirst(5) }), "the same digests")
        #expect(try fresh.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM chatDigestIDs") } == 0)
    }

    /// A second store, in the same folder, holding the example batch.
    func storeWithBatchAt(_ name: String) throws -> KelasDatabase {
        let (loaded, path) = try base.example()
        let store = try KelasDatabase(path: base.directory.appendingPathComponent(name).path)
        _ = try store.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        return store
    }

    @Test("a chat export of many messages, parsed on another thread and stored 64 to a statement, stores what one at a time does")
    func largeChatExport() throws {
        // 1,001 messages (15 full statements and a short rest), from matched and unmatched authors, one line twice.
        let authors = ["Fauzi Gresik", "Budi Santoso", "+62 812-3456-7112", "Pak RT Gresik"]
        var lines: [String] = []
        for index in 0..<1_000 {
            let day = 5 + index / 600, hour = 7 + index / 60 % 10, minute = index % 60
            let stamp = String(format: "%02d/07/21 %02d.%02d", day, hour, minute)
            lines.append("\(stamp) - \(authors[index % authors.count]): jawaban nomor \(index)")
        }
        lines.insert(lines[100], at: 101)
        let path = base.directory.appendingPathComponent("large-export.txt").path
        try FileManager.default.createDirectory(at: base.directory, withIntermediateDirectories: true)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let streamed = try storeWithBatch()
        let context = try streamed.chatContext(batchID: "gresik-2021-07")
        let result = try streamed.ingest(chat: ChatExportFile(path: path), context: context, now: Self.afterWeek)
        #expect(result.stats.messages == 1_001)
        #expect(result.summary.added == ["gresik-2021-07": 1_001] && result.summary.duplicates == 0)
        #expect(result.summary.unmatched == ["Pak RT Gresik": 250])
        // Again: all of it already stored, nothing added.
        let again = try streamed.ingest(chat: ChatExportFile(path: path), context: context, now: Self.afterWeek).summary
        #expect(again.added.isEmpty && again.duplicates == 1_001)
        // The same messages, one statement each, into another store: the same rows.
        let (loaded, batchPath) = try base.example()
        let single = try KelasDatabase(path: base.directory.appendingPathComponent("single.sqlite").path)
        _ = try single.addBatch(loaded, source: batchPath, now: StoreTests.beforeStart)
        var summary = IngestSummary()
        let messages = try { () throws -> [InboundMessage] in
            var all: [InboundMessage] = []
            _ = try ChatExportFile(path: path).read(context, format: result.format) { all.append($0) }
            return all
        }()
        try single.writer.write { db in
            for message in messages {
                if message.phone == nil { summary.unmatched[message.author, default: 0] += 1 }
                try KelasDatabase.insert(db, message, batchID: "gresik-2021-07", source: path, into: &summary)
            }
        }
        #expect(summary == result.summary)
        let sql = "SELECT * FROM inboundMessage ORDER BY id"
        let rows = try streamed.writer.read { try Row.fetchAll($0, sql: sql) }
        let reference = try single.writer.read { try Row.fetchAll($0, sql: sql) }
        #expect(rows.count == 1_001 && rows == reference)
    }

    @Test("a failed ingest leaves the store unchanged")
    func atomicIngest() throws {
        let store = try storeWithBatch()
        let before = try count(store, "inboundMessage")
        struct Broken: Error {}
        #expect(throws: Broken.self) {
            _ = try store.ingest(batchID: "gresik-2021-07", source: "broken", now: Self.afterWeek) { insert in
                try insert(InboundMessage(id: "chat:1", phone: PhoneNumber(e164: "+6281234567110"), author: "Ahmad",
                                          sentAt: Self.afterWeek, kind: .text))
                throw Broken()
            }
        }
        #expect(try count(store, "inboundMessage") == before)
        #expect(throws: StoreError.unknownBatch("nope", known: ["gresik-2021-07"])) {
            _ = try store.ingest(batchID: "nope", source: "x", now: Self.afterWeek) { _ in }
        }
    }
}
