import Foundation
import GRDB
import Testing
import KelasCore
@testable import KelasStore

@Suite("Webhook inbox quarantine and backups")
struct InboxAndBackupTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-inbox-\(UUID().uuidString)")
    static let now = Date(timeIntervalSince1970: 1_625_540_400) // 2021-07-06 10:00 WIB

    func store() throws -> KelasDatabase {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let file = directory.appendingPathComponent("batch.yaml").path
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(try BatchFile.load(path: file), source: file, now: Self.now.addingTimeInterval(-2 * 86_400))
        return store
    }

    /// A payload body naming one message; `poison` bodies decode to a message the store cannot keep (no time).
    static func content(_ body: Data) throws -> WebhookContent {
        let text = String(decoding: body, as: UTF8.self)
        if text == "unreadable" { throw ValidationFailure([]) }
        var content = WebhookContent()
        content.payloads = 1
        let at = text.hasPrefix("poison") ? Date(timeIntervalSince1970: .nan) : now
        content.messages = [InboundMessage(id: "wamid." + text, phone: PhoneNumber(e164: "+6281234567111"), author: "Budi", sentAt: at,
                                           kind: .text, text: "jawaban")]
        return content
    }

    @Test("a payload that decodes but cannot be stored is quarantined with the reason; the rest of the burst is applied")
    func poisonedInbox() throws {
        let store = try store()
        for body in ["a", "poison-1", "b", "unreadable", "c"] {
            try store.enqueueWebhook(endpoint: "whatsapp", deliveryID: nil, body: Data(body.utf8), receivedAt: Self.now)
        }
        let summary = try store.applyInbox(now: Self.now) { _, body in try Self.content(body) }
        #expect(summary.applied == 5 && summary.quarantined == 2 && summary.ingest.messagesAdded == 3)
        let stats = try store.inboxStats()
        #expect(stats.pending == 0 && stats.quarantined == 2)
        let quarantined = try store.inbox(state: .quarantined)
        #expect(Set(quarantined.map { String(decoding: $0.body, as: UTF8.self) }) == ["poison-1", "unreadable"])
        #expect(quarantined.allSatisfy { $0.error != nil && $0.doneAt == Self.now })
        #expect(quarantined.first { $0.body == Data("poison-1".utf8) }?.error?.hasPrefix("cannot be stored") == true)
        // Not tried again on its own: the next apply has nothing to do.
        #expect(try store.applyInbox(now: Self.now) { _, body in try Self.content(body) }.applied == 0)
        // Retried after a fix (here: a decoder that reads it), it is applied.
        #expect(try store.retryQuarantined() == 2)
        let again = try store.applyInbox(now: Self.now) { _, body in
            let text = String(decoding: body, as: UTF8.self)
            return try Self.content(Data((text == "unreadable" ? "d" : text.replacingOccurrences(of: "poison", with: "fixed")).utf8))
        }
        #expect(again.applied == 2 && again.quarantined == 0 && again.ingest.messagesAdded == 2)
        #expect(try store.inboxStats().quarantined == 0)
        #expect(throws: StoreError.notQuarantined(1)) { try store.retryQuarantined(seq: 1) }
    }

    @Test("a backup taken while another connection writes is consistent, passes its integrity check and opens as a store")
    func backupWhileWriting() async throws {
        let store = try store()
        let writer = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        // A writer keeps adding messages, each in its own transaction, while the backup runs.
        let writing = Task {
            for index in 0..<300 {
                _ = try writer.ingest(batchID: "gresik-2021-07", source: "test", now: Self.now) { insert in
                    try insert(InboundMessage(id: "wamid.W\(index)", phone: PhoneNumber(e164: "+6281234567111"), author: "Budi",
                                              sentAt: Self.now, kind: .text, text: "jawaban \(index)"))
                }
            }
        }
        let path = directory.appendingPathComponent("backup.sqlite").path
        let summary = try store.backup(to: path)
        try await writing.value
        #expect(summary.batches == 1 && summary.outbox == 27 && summary.messages <= 300)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        // The copy is a store of this version: it opens, and holds what it said.
        let copy = try KelasDatabase(path: path)
        #expect(try copy.batch("gresik-2021-07")?.participants == 24)
        let stored = try await copy.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM inboundMessage") }
        #expect(stored == summary.messages)
        // A second backup over the first replaces it whole.
        #expect(try store.backup(to: path).messages == 300)
    }
}
