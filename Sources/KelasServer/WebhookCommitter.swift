import Foundation
import KelasCore
import KelasStore

/// Group commit for the webhook inbox: POSTs that arrive while a commit is under way wait for the next one, which
/// keeps them all in one transaction — one sync of the log for the lot — and each is answered only after the commit
/// that holds it. Under load the groups grow by themselves; a lone webhook is committed at once, as before.
actor WebhookCommitter {
    private struct Waiting {
        var webhook: ReceivedWebhook
        var answer: CheckedContinuation<Bool, any Error>
    }

    private let store: KelasDatabase
    private let offload: @Sendable (@escaping @Sendable () throws -> [Bool]) async throws -> [Bool]
    private var waiting: [Waiting] = []
    private var committing = false
    /// The most webhooks one commit holds (a bound on the transaction, not on throughput).
    static let largestGroup = 2_000

    init(store: KelasDatabase, offload: @escaping @Sendable (@escaping @Sendable () throws -> [Bool]) async throws -> [Bool]) {
        self.store = store
        self.offload = offload
    }

    /// Keeps `webhook` durably; true when stored, false when its delivery id was stored before.
    func keep(_ webhook: ReceivedWebhook) async throws -> Bool {
        try await withCheckedThrowingContinuation { answer in
            waiting.append(Waiting(webhook: webhook, answer: answer))
            if !committing {
                committing = true
                Task { await commitWaiting() }
            }
        }
    }

    private func commitWaiting() async {
        while !waiting.isEmpty {
            let group = Array(waiting.prefix(Self.largestGroup))
            waiting.removeFirst(group.count)
            let store = self.store, webhooks = group.map(\.webhook)
            do {
                let stored = try await offload { try store.enqueueWebhooks(webhooks) }
                for (entry, wasStored) in zip(group, stored) { entry.answer.resume(returning: wasStored) }
            } catch {
                // Nothing of the group was kept: every sender is told so (a 500), and retries.
                for entry in group { entry.answer.resume(throwing: error) }
            }
        }
        committing = false
    }
}

/// What a route already read from a body it stored, handed to the inbox applier so the body is not read twice (reading
/// is most of a webhook's work). Keyed by endpoint and body; taken once; bounded, so a body never applied (a crash, a
/// stored duplicate) costs memory only until the bound — past it the applier reads the body itself, as after a restart.
final class DecodedWebhooks: @unchecked Sendable {
    private struct Key: Hashable {
        var endpoint: String
        var body: Data

        /// All of the body: `Data`'s own hash reads only its first 80 bytes, which every payload of an endpoint shares.
        func hash(into hasher: inout Hasher) {
            hasher.combine(endpoint)
            body.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private let lock = NSLock()
    private var contents: [Key: WebhookContent] = [:]
    /// The most bodies kept waiting (a few seconds of a heavy burst).
    static let capacity = 20_000

    func keep(_ content: WebhookContent, endpoint: String, body: Data) {
        lock.withLock {
            guard contents.count < Self.capacity else { return }
            contents[Key(endpoint: endpoint, body: body)] = content
        }
    }

    /// What was read from `body` at `endpoint`, once; nil when it was not kept.
    func take(endpoint: String, body: Data) -> WebhookContent? {
        lock.withLock { contents.removeValue(forKey: Key(endpoint: endpoint, body: body)) }
    }
}
