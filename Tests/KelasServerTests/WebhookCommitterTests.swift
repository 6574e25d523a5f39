import Foundation
import KelasCore
import KelasStore
import NIOPosix
import Testing
@testable import KelasServer

/// Group commit of the webhook inbox, on a real SQLite file: whatever way the webhooks fall into groups, each is answered
/// once, with whether it was stored, and every one answered "stored" is in the inbox.
@Suite("Webhook group commit")
struct WebhookCommitterTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-commit-\(UUID().uuidString)")

    @Test("one transaction for many: a delivery id seen before — earlier in the same group too — is not stored again")
    func group() throws {
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        let at = Date(timeIntervalSince1970: 1_625_540_400)
        func webhook(_ id: String?) -> ReceivedWebhook { ReceivedWebhook(endpoint: "kelas", deliveryID: id, body: Data("{}".utf8), receivedAt: at) }
        #expect(try store.enqueueWebhooks([webhook("a"), webhook("b"), webhook("a"), webhook(nil), webhook(nil)]) == [true, true, false, true, true])
        #expect(try store.enqueueWebhooks([webhook("b"), webhook("c")]) == [false, true])
        #expect(try store.inboxStats().received == 5)
    }

    @Test("300 webhooks kept at once from as many tasks: each answered once, the duplicates false, all the rest in the inbox")
    func concurrent() async throws {
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        let committer = WebhookCommitter(store: store) { work in try await NIOThreadPool.singleton.runIfActive(work) }
        let at = Date(timeIntervalSince1970: 1_625_540_400)
        let answers = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<300 {
                // Every third webhook repeats the delivery id of the one before it: exactly one of each pair is stored.
                let id = "delivery-\(n % 3 == 2 ? n - 1 : n)"
                group.addTask {
                    (n, try await committer.keep(ReceivedWebhook(endpoint: "kelas", deliveryID: id, body: Data("{\"n\":\(n)}".utf8), receivedAt: at)))
                }
            }
            var answers: [Int: Bool] = [:]
            for try await (n, stored) in group { answers[n] = stored }
            return answers
        }
        #expect(answers.count == 300)
        for n in stride(from: 1, to: 300, by: 3) {
            #expect([answers[n], answers[n + 1]].compactMap { $0 }.filter { $0 }.count == 1, "pair \(n), \(n + 1)")
        }
        #expect(answers.values.filter { $0 }.count == 200)
        #expect(try store.inboxStats().received == 200)
    }

    @Test("what a route read is handed to the applier once, by endpoint and whole body (bodies that share their start too)")
    func decodedOnce() throws {
        let decoded = DecodedWebhooks()
        // Two bodies alike for their first 100 bytes: `Data`'s own hash would not tell them apart.
        let prefix = String(repeating: "x", count: 100)
        let first = Data("{\"\(prefix)\":1}".utf8), second = Data("{\"\(prefix)\":2}".utf8)
        var one = WebhookContent(), two = WebhookContent()
        one.payloads = 1
        two.payloads = 2
        decoded.keep(one, endpoint: "whatsapp", body: first)
        decoded.keep(two, endpoint: "whatsapp", body: second)
        #expect(decoded.take(endpoint: "kelas", body: first) == nil)
        #expect(decoded.take(endpoint: "whatsapp", body: second)?.payloads == 2)
        #expect(decoded.take(endpoint: "whatsapp", body: first)?.payloads == 1)
        #expect(decoded.take(endpoint: "whatsapp", body: first) == nil, "taken once")
        // Bounded: past the capacity a body is not kept, and the applier reads it itself.
        for n in 0..<DecodedWebhooks.capacity { decoded.keep(one, endpoint: "kelas", body: Data(String(n).utf8)) }
        decoded.keep(two, endpoint: "whatsapp", body: second)
        #expect(decoded.take(endpoint: "whatsapp", body: second) == nil)
        #expect(decoded.take(endpoint: "kelas", body: Data("0".utf8))?.payloads == 1)
    }
}
