import Foundation
import GRDB
import KelasCore

/// A planned message in the outbox, as the dispatcher sees it.
public struct OutboxItem: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable, Codable {
        /// Waiting for its time (or its next attempt).
        case queued
        /// Taken by a dispatcher until `leaseUntil`; reclaimed when the lease runs out (a crash).
        case claimed
        case sent
        /// Nobody to send to (a reminder when everyone has answered).
        case skipped
        /// Refused by the receiver (a 4xx): not retried.
        case failed
        /// Still failing after the last attempt of the retry schedule.
        case dead
        /// Not sent before the end of its day's delivery window: too late to be useful.
        case expired
    }

    public var message: PlannedMessage
    /// Stable across attempts: the `webhook-id` a receiver dedupes on.
    public var webhookID: String
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var expiresAt: Date
    public var lastError: String?
    public var sentAt: Date?
    /// The id WhatsApp gave the message (Cloud API), which status webhooks and quoting replies carry.
    public var wamid: String?
}

/// One try at delivering a message, as recorded.
public struct DeliveryAttempt: Sendable, Equatable {
    public var messageID: String
    public var attempt: Int
    public var at: Date
    public var statusCode: Int?
    public var error: String?
    public var latency: TimeInterval?

    public init(messageID: String, attempt: Int, at: Date, statusCode: Int? = nil, error: String? = nil, latency: TimeInterval? = nil) {
        self.messageID = messageID
        self.attempt = attempt
        self.at = at
        self.statusCode = statusCode
        self.error = error
        self.latency = latency
    }
}

/// A status webhook about one of our messages.
public struct DeliveryStatusRecord: Sendable, Equatable {
    public var recipient: PhoneNumber
    /// `sent`, `delivered`, `read`, `played` or `failed`.
    public var state: String
    public var at: Date
    public var errorCode: Int?
    public var errorTitle: String?
}

/// What became of a message after an attempt.
public enum AttemptResult: Sendable, Equatable {
    case sent(wamid: String?)
    case retry(at: Date)
    case failed(String)
    case dead(String)
}

extension KelasDatabase {
    /// Puts a batch's planned messages in the outbox (same transaction as the import). A message already attempted
    /// keeps its state; one still waiting follows its (possibly moved) planned time.
    static func enqueue(_ db: Database, plan: [PlannedMessage], batch: Batch, now: Date) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO outbox (messageID, batchID, webhookID, dueAt, expiresAt, state, nextAttemptAt)
            SELECT ?, ?, ?, ?, ?, 'queued', ? WHERE EXISTS (SELECT 1 FROM plannedMessage WHERE id = ?)
            ON CONFLICT(messageID) DO UPDATE SET dueAt = excluded.dueAt, expiresAt = excluded.expiresAt,
                nextAttemptAt = excluded.nextAttemptAt
            WHERE outbox.state = 'queued' AND outbox.attempts = 0 AND outbox.dueAt > ?
            """)
        for message in plan {
            let windowEnd = KelasTimeZone.instant(message.date, batch.delivery.window.end, in: batch.timeZone)
            let expiresAt = max(windowEnd, message.sendAt.addingTimeInterval(60))
            try statement.execute(arguments: [message.id, message.batchID, "msg_" + message.id, message.sendAt.timeIntervalSince1970,
                                              expiresAt.timeIntervalSince1970, message.sendAt.timeIntervalSince1970, message.id,
                                              now.timeIntervalSince1970])
        }
    }

    /// Marks as expired what was not sent before the end of its day's window. Returns how many.
    public func expireOverdue(now: Date) throws -> Int {
        try writer.write { db in
            try db.execute(sql: """
                UPDATE outbox SET state = 'expired', leaseUntil = NULL,
                    lastError = COALESCE(lastError, 'not sent before the end of its delivery window')
                WHERE state IN ('queued', 'claimed') AND expiresAt <= ?
                """, arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// Returns every claimed message to the queue: at start, after a crash, nothing stays stuck.
    public func releaseClaims() throws -> Int {
        try writer.write { db in
            try db.execute(sql: "UPDATE outbox SET state = 'queued', leaseUntil = NULL WHERE state = 'claimed'")
            return db.changesCount
        }
    }

    /// Claims up to `limit` due messages (queued and due, or claimed with a lapsed lease), oldest first.
    public func claimDue(now: Date, limit: Int, lease: TimeInterval) throws -> [OutboxItem] {
        try writer.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT o.*, m.* FROM outbox o JOIN plannedMessage m ON m.id = o.messageID
                WHERE (o.state = 'queued' AND o.nextAttemptAt <= ?1) OR (o.state = 'claimed' AND o.leaseUntil <= ?1)
                ORDER BY o.nextAttemptAt, m.sendAt, m.sequence LIMIT ?2
                """, arguments: [now.timeIntervalSince1970, limit])
            let items = try rows.map(Self.outboxItem)
            let claim = try db.cachedStatement(sql: "UPDATE outbox SET state = 'claimed', leaseUntil = ? WHERE messageID = ?")
            for item in items { try claim.execute(arguments: [now.addingTimeInterval(lease).timeIntervalSince1970, item.message.id]) }
            return items.map { var item = $0; item.state = .claimed; return item }
        }
    }

    /// Gives a claimed message back to the queue until `at` (paced to a later slot), without counting an attempt.
    public func postpone(messageID: String, until at: Date) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE outbox SET state = 'queued', leaseUntil = NULL, nextAttemptAt = ? WHERE messageID = ?",
                           arguments: [at.timeIntervalSince1970, messageID])
        }
    }

    /// Marks a claimed message as having nobody to go to.
    public func skip(messageID: String, reason: String, now: Date) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE outbox SET state = 'skipped', leaseUntil = NULL, lastError = ?, sentAt = ? WHERE messageID = ?",
                           arguments: [reason, now.timeIntervalSince1970, messageID])
        }
    }

    /// Records an attempt and what it decided, in one transaction.
    public func record(_ attempt: DeliveryAttempt, result: AttemptResult) throws {
        try record([(attempt, result)])
    }

    /// Records the attempts of one round of sends in a single transaction (one disk sync, not one per message).
    public func record(_ attempts: [(DeliveryAttempt, AttemptResult)]) throws {
        try writer.write { db in
            for (attempt, result) in attempts { try Self.record(db, attempt, result: result) }
        }
    }

    static func record(_ db: Database, _ attempt: DeliveryAttempt, result: AttemptResult) throws {
        try db.execute(sql: """
            INSERT INTO deliveryAttempt (messageID, attempt, at, statusCode, error, latencyMs) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [attempt.messageID, attempt.attempt, attempt.at.timeIntervalSince1970, attempt.statusCode, attempt.error,
                             attempt.latency.map { $0 * 1000 }])
        let at = attempt.at.timeIntervalSince1970
        switch result {
        case .sent(let wamid):
            try db.execute(sql: """
                UPDATE outbox SET state = 'sent', attempts = ?, sentAt = ?, wamid = ?, leaseUntil = NULL, lastError = NULL WHERE messageID = ?
                """, arguments: [attempt.attempt, at, wamid, attempt.messageID])
        case .retry(let next):
            try db.execute(sql: """
                UPDATE outbox SET state = 'queued', attempts = ?, nextAttemptAt = ?, leaseUntil = NULL, lastError = ? WHERE messageID = ?
                """, arguments: [attempt.attempt, next.timeIntervalSince1970, attempt.error, attempt.messageID])
        case .failed(let reason), .dead(let reason):
            let state = if case .failed = result { "failed" } else { "dead" }
            try db.execute(sql: "UPDATE outbox SET state = ?, attempts = ?, leaseUntil = NULL, lastError = ? WHERE messageID = ?",
                           arguments: [state, attempt.attempt, reason, attempt.messageID])
        }
    }

    /// When the next queued message is due, if any.
    public func nextDue() throws -> Date? {
        try writer.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(nextAttemptAt) FROM outbox WHERE state = 'queued'").map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// The outbox, optionally only some states, in the order messages are due.
    public func outbox(states: [OutboxItem.State]? = nil, batchID: String? = nil, messageID: String? = nil) throws -> [OutboxItem] {
        try writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let messageID { conditions.append("o.messageID = ?"); _ = arguments.append(contentsOf: [messageID]) }
            if let states {
                conditions.append("o.state IN (" + states.map { _ in "?" }.joined(separator: ", ") + ")")
                _ = arguments.append(contentsOf: StatementArguments(states.map(\.rawValue)))
            }
            if let batchID { conditions.append("o.batchID = ?"); _ = arguments.append(contentsOf: [batchID]) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: """
                SELECT o.*, m.* FROM outbox o JOIN plannedMessage m ON m.id = o.messageID \(filter) ORDER BY o.dueAt, m.sequence
                """, arguments: arguments).map(Self.outboxItem)
        }
    }

    /// The attempts recorded for one message.
    public func attempts(messageID: String) throws -> [DeliveryAttempt] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deliveryAttempt WHERE messageID = ? ORDER BY attempt, id", arguments: [messageID]).map { row in
                DeliveryAttempt(messageID: row["messageID"], attempt: row["attempt"], at: Date(timeIntervalSince1970: row["at"]),
                                statusCode: row["statusCode"], error: row["error"], latency: (row["latencyMs"] as Double?).map { $0 / 1000 })
            }
        }
    }

    /// Puts a failed, dead or expired message back in the queue, due now, with a fresh attempt count.
    public func requeue(messageID: String, now: Date) throws {
        try writer.write { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM outbox WHERE messageID = ?", arguments: [messageID]) else {
                throw StoreError.unknownMessage(messageID)
            }
            guard ["failed", "dead", "expired", "skipped"].contains(state) else { throw StoreError.notRequeueable(messageID, state: state) }
            try db.execute(sql: """
                UPDATE outbox SET state = 'queued', attempts = 0, nextAttemptAt = ?, expiresAt = MAX(expiresAt, ?), leaseUntil = NULL
                WHERE messageID = ?
                """, arguments: [now.timeIntervalSince1970, now.addingTimeInterval(3600).timeIntervalSince1970, messageID])
        }
    }

    /// What WhatsApp reported for a message after it was sent (sent, delivered, read, played, failed), matched on the
    /// `wamid` the Cloud API returned or on the message's own ids, oldest first.
    public func deliveryStatuses(messageID: String) throws -> [DeliveryStatusRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.* FROM deliveryStatus s JOIN outbox o ON s.messageID IN (o.wamid, o.messageID, o.webhookID)
                WHERE o.messageID = ? ORDER BY s.at, s.rowid
                """, arguments: [messageID]).map { row in
                DeliveryStatusRecord(recipient: PhoneNumber(e164: row["recipient"]), state: row["state"],
                                     at: Date(timeIntervalSince1970: row["at"]), errorCode: row["errorCode"], errorTitle: row["errorTitle"])
            }
        }
    }

    /// How many planned messages are in each outbox state.
    public func outboxCounts() throws -> [OutboxItem.State: Int] {
        try writer.read { db in
            var counts: [OutboxItem.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") {
                if let state = OutboxItem.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// Participants still silent on a prompt at `now`: the recipients of a reminder to non-responders.
    public func nonResponders(batchID: String, prompt: String, now: Date) throws -> [PhoneNumber] {
        try writer.read { db in
            let replay = try Self.replay(db, batchID: batchID, now: now)
            return replay.participants.filter { replay.tracker.state(of: $0, on: prompt) == .pending }
        }
    }

    /// Everyone a message to the whole group reaches.
    public func participants(batchID: String) throws -> [PhoneNumber] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT phone FROM person WHERE batchID = ? AND role = 'participant' ORDER BY position",
                                arguments: [batchID]).map { PhoneNumber(e164: $0) }
        }
    }

    static func outboxItem(_ row: Row) throws -> OutboxItem {
        let message = PlannedMessage(
            id: row["id"], batchID: row["batchID"], itemKey: row["itemKey"], sequence: row["sequence"], day: row["day"],
            date: LocalDate(row["localDate"]) ?? LocalDate(year: 1970, month: 1, day: 1),
            localTime: LocalTime(row["localTime"]) ?? LocalTime(secondsOfDay: 0),
            sendAt: Date(timeIntervalSince1970: row["sendAt"]), kind: ItemKind(rawValue: row["kind"]) ?? .text,
            audience: Audience(row["audience"]) ?? .group, sender: row["sender"], text: row["text"], url: row["url"],
            filename: row["filename"], session: row["session"],
            flags: (row["flags"] as String).split(separator: " ").compactMap { PlanFlag(rawValue: String($0)) }, shiftReason: nil,
            remindsOf: row["remindsOf"])
        return OutboxItem(message: message, webhookID: row["webhookID"], state: OutboxItem.State(rawValue: row["state"]) ?? .queued,
                          attempts: row["attempts"], nextAttemptAt: Date(timeIntervalSince1970: row["nextAttemptAt"]),
                          expiresAt: Date(timeIntervalSince1970: row["expiresAt"]), lastError: row["lastError"],
                          sentAt: (row["sentAt"] as Double?).map { Date(timeIntervalSince1970: $0) }, wamid: row["wamid"])
    }
}
