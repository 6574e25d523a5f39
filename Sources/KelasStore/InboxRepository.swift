import Foundation
import GRDB
import KelasCore

/// What applying the webhook inbox did.
public struct InboxApplySummary: Sendable, Equatable {
    /// Payloads applied (and, of them, those that could not be read: kept with their error, never retried).
    public var applied = 0
    public var unreadable = 0
    public var ingest = IngestSummary()
    /// The longest a payload applied now had waited since it was received.
    public var lag: TimeInterval = 0

    public init() {}
}

/// The inbox's state, for `/metrics`.
public struct InboxStats: Sendable, Equatable {
    public var received = 0
    public var pending = 0
    public var oldestPending: Date?
}

extension KelasDatabase {
    /// Keeps a webhook's raw body until it is applied: once this returns, the payload survives a crash. A delivery
    /// id seen before on the same endpoint (a gateway retrying) is not stored again: returns false.
    @discardableResult
    public func enqueueWebhook(endpoint: String, deliveryID: String?, body: Data, receivedAt: Date) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO webhookInbox (endpoint, deliveryID, receivedAt, body) VALUES (?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, arguments: [endpoint, deliveryID, receivedAt.timeIntervalSince1970, body])
            return db.changesCount > 0
        }
    }

    /// Applies up to `limit` waiting payloads, oldest first, in one transaction: `decode` reads each body (by its
    /// endpoint), the messages and statuses go through the same ingest as `kelas ingest webhook` (duplicates by
    /// message id are ignored), and each payload is marked applied. A body `decode` refuses is marked with its error.
    /// `recompute: false` leaves the stored statuses of the batches touched (`ingest.added`) for `recomputeStatuses`.
    public func applyInbox(limit: Int = 500, now: Date, recompute: Bool = true,
                           decode: (_ endpoint: String, _ body: Data) throws -> WebhookContent) throws -> InboxApplySummary {
        try writer.write { db in
            var summary = InboxApplySummary()
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, endpoint, receivedAt, body FROM webhookInbox WHERE appliedAt IS NULL ORDER BY seq LIMIT ?
                """, arguments: [limit])
            guard !rows.isEmpty else { return summary }
            var content = WebhookContent()
            let done = try db.cachedStatement(sql: "UPDATE webhookInbox SET appliedAt = ?, error = ? WHERE seq = ?")
            for row in rows {
                let seq: Int64 = row["seq"]
                var failure: String?
                do {
                    let decoded = try decode(row["endpoint"], row["body"])
                    content.payloads += decoded.payloads
                    content.messages += decoded.messages
                    content.statuses += decoded.statuses
                } catch {
                    failure = String(describing: error)
                    summary.unreadable += 1
                }
                try done.execute(arguments: [now.timeIntervalSince1970, failure, seq])
                summary.applied += 1
                summary.lag = max(summary.lag, now.timeIntervalSince1970 - (row["receivedAt"] as Double))
            }
            summary.ingest = try Self.ingest(db, content, source: "kelas serve", now: now, recompute: recompute)
            return summary
        }
    }

    public func inboxStats() throws -> InboxStats {
        try writer.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS received, COUNT(*) FILTER (WHERE appliedAt IS NULL) AS pending,
                       MIN(receivedAt) FILTER (WHERE appliedAt IS NULL) AS oldest FROM webhookInbox
                """)
            return InboxStats(received: row?["received"] ?? 0, pending: row?["pending"] ?? 0,
                              oldestPending: (row?["oldest"] as Double?).map { Date(timeIntervalSince1970: $0) })
        }
    }
}
