import Foundation
import GRDB
import KelasCore

/// A webhook received, as the inbox keeps it.
public struct ReceivedWebhook: Sendable {
    public var endpoint: String
    public var deliveryID: String?
    public var body: Data
    public var receivedAt: Date

    public init(endpoint: String, deliveryID: String?, body: Data, receivedAt: Date) {
        self.endpoint = endpoint
        self.deliveryID = deliveryID
        self.body = body
        self.receivedAt = receivedAt
    }
}

/// What applying the webhook inbox did.
public struct InboxApplySummary: Sendable, Equatable {
    /// Payloads taken from the inbox: applied, or quarantined.
    public var applied = 0
    /// Of them, those put aside with their reason (`kelas inbox list`): a body that cannot be read, or one whose
    /// messages cannot be stored. The rest of the burst is applied all the same.
    public var quarantined = 0
    public var ingest = IngestSummary()
    /// The longest a payload applied now had waited since it was received.
    public var lag: TimeInterval = 0

    public init() {}
}

/// The inbox's state, for `/metrics`.
public struct InboxStats: Sendable, Equatable {
    public var received = 0
    public var pending = 0
    public var quarantined = 0
    public var oldestPending: Date?
}

/// A payload of the webhook inbox, as `kelas inbox` shows it.
public struct InboxEntry: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case pending, applied, quarantined }

    public var seq: Int64
    public var endpoint: String
    public var deliveryID: String?
    public var receivedAt: Date
    public var state: State
    /// When it was applied or quarantined.
    public var doneAt: Date?
    public var error: String?
    public var body: Data
}

extension KelasDatabase {
    /// Keeps a webhook's raw body until it is applied: once this returns, the payload survives a crash. A delivery
    /// id seen before on the same endpoint (a gateway retrying) is not stored again: returns false.
    @discardableResult
    public func enqueueWebhook(endpoint: String, deliveryID: String?, body: Data, receivedAt: Date) throws -> Bool {
        try enqueueWebhooks([ReceivedWebhook(endpoint: endpoint, deliveryID: deliveryID, body: body, receivedAt: receivedAt)]) == [true]
    }

    /// Keeps many webhooks in one transaction — one durable commit for all (group commit): once this returns, every one
    /// survives a crash. For each, whether it was stored (false: a delivery id seen before on its endpoint).
    public func enqueueWebhooks(_ received: [ReceivedWebhook]) throws -> [Bool] {
        try writer.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO webhookInbox (endpoint, deliveryID, receivedAt, body) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            return try received.map { webhook in
                try insert.execute(arguments: [webhook.endpoint, webhook.deliveryID, webhook.receivedAt.timeIntervalSince1970, webhook.body])
                return db.changesCount > 0
            }
        }
    }

    /// Applies up to `limit` waiting payloads, oldest first, in one transaction: `decode` reads each body (by its
    /// endpoint), the messages and statuses go through the same ingest as `kelas ingest webhook` (duplicates by
    /// message id are ignored), and each payload is marked applied.
    ///
    /// A payload that cannot be applied never blocks the others: a body `decode` refuses, or one whose messages the
    /// store refuses, is quarantined with the reason (`kelas inbox list`, `kelas inbox retry`) and the rest applied.
    /// The burst is ingested at once; only when that fails is each payload tried on its own to find the culprit.
    public func applyInbox(limit: Int = 500, now: Date,
                           decode: (_ endpoint: String, _ body: Data) throws -> WebhookContent) throws -> InboxApplySummary {
        try writer.write { db in
            var summary = InboxApplySummary()
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT seq, endpoint, receivedAt, body FROM webhookInbox WHERE appliedAt IS NULL AND quarantinedAt IS NULL ORDER BY seq LIMIT ?
                """), arguments: [limit])
            guard !rows.isEmpty else { return summary }
            let applied = try db.cachedStatement(sql: "UPDATE webhookInbox SET appliedAt = ?, error = NULL WHERE seq = ?")
            let quarantine = try db.cachedStatement(sql: "UPDATE webhookInbox SET quarantinedAt = ?, error = ? WHERE seq = ?")
            var decoded: [(seq: Int64, content: WebhookContent)] = []
            for row in rows {
                let seq: Int64 = row["seq"]
                summary.applied += 1
                summary.lag = max(summary.lag, now.timeIntervalSince1970 - (row["receivedAt"] as Double))
                do {
                    decoded.append((seq, try decode(row["endpoint"], row["body"])))
                } catch {
                    try quarantine.execute(arguments: [now.timeIntervalSince1970, "cannot be read: \(error)", seq])
                    summary.quarantined += 1
                }
            }
            var all = WebhookContent()
            for (_, content) in decoded { all.append(content) }
            do {
                try db.inSavepoint {
                    summary.ingest = try Self.ingest(db, all, source: "kelas serve", now: now)
                    return .commit
                }
                for (seq, _) in decoded { try applied.execute(arguments: [now.timeIntervalSince1970, seq]) }
            } catch {
                // Something in the burst cannot be stored: apply the payloads one by one, and put the culprits aside.
                summary.ingest = IngestSummary()
                for (seq, content) in decoded {
                    do {
                        try db.inSavepoint {
                            summary.ingest.add(try Self.ingest(db, content, source: "kelas serve", now: now))
                            return .commit
                        }
                        try applied.execute(arguments: [now.timeIntervalSince1970, seq])
                    } catch {
                        try quarantine.execute(arguments: [now.timeIntervalSince1970, "cannot be stored: \(error)", seq])
                        summary.quarantined += 1
                    }
                }
            }
            return summary
        }
    }

    public func inboxStats() throws -> InboxStats {
        try writer.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS received, COUNT(*) FILTER (WHERE appliedAt IS NULL AND quarantinedAt IS NULL) AS pending,
                       COUNT(*) FILTER (WHERE quarantinedAt IS NOT NULL) AS quarantined,
                       MIN(receivedAt) FILTER (WHERE appliedAt IS NULL AND quarantinedAt IS NULL) AS oldest FROM webhookInbox
                """)
            return InboxStats(received: row?["received"] ?? 0, pending: row?["pending"] ?? 0, quarantined: row?["quarantined"] ?? 0,
                              oldestPending: (row?["oldest"] as Double?).map { Date(timeIntervalSince1970: $0) })
        }
    }

    /// The inbox's payloads in one state (newest first), or one payload by its number.
    public func inbox(state: InboxEntry.State? = nil, seq: Int64? = nil, limit: Int = 200) throws -> [InboxEntry] {
        try writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let seq { conditions.append("seq = ?"); _ = arguments.append(contentsOf: [seq]) }
            switch state {
            case .pending?: conditions.append("appliedAt IS NULL AND quarantinedAt IS NULL")
            case .applied?: conditions.append("appliedAt IS NOT NULL")
            case .quarantined?: conditions.append("quarantinedAt IS NOT NULL")
            case nil: break
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: "SELECT * FROM webhookInbox \(filter) ORDER BY seq DESC LIMIT ?", arguments: arguments).map { row in
                let quarantinedAt = row["quarantinedAt"] as Double?, appliedAt = row["appliedAt"] as Double?
                return InboxEntry(seq: row["seq"], endpoint: row["endpoint"], deliveryID: row["deliveryID"],
                                  receivedAt: Date(timeIntervalSince1970: row["receivedAt"]),
                                  state: quarantinedAt != nil ? .quarantined : appliedAt != nil ? .applied : .pending,
                                  doneAt: (quarantinedAt ?? appliedAt).map { Date(timeIntervalSince1970: $0) }, error: row["error"],
                                  body: row["body"])
            }
        }
    }

    /// Puts quarantined payloads back in the queue (all of them when `seq` is nil): to be applied again, after a fix.
    /// Returns how many.
    @discardableResult
    public func retryQuarantined(seq: Int64? = nil) throws -> Int {
        try writer.write { db in
            if let seq {
                guard try Row.fetchOne(db, sql: "SELECT 1 FROM webhookInbox WHERE seq = ? AND quarantinedAt IS NOT NULL", arguments: [seq]) != nil else {
                    throw StoreError.notQuarantined(seq)
                }
            }
            try db.execute(sql: "UPDATE webhookInbox SET quarantinedAt = NULL, error = NULL WHERE quarantinedAt IS NOT NULL"
                           + (seq == nil ? "" : " AND seq = ?"), arguments: seq.map { [$0] } ?? [])
            return db.changesCount
        }
    }
}
