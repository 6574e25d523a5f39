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
    /// The dispatcher holding the claim, and until when (wall clock); nil unless claimed.
    public var claimedBy: String?
    public var leaseUntil: Date?
    /// The batch's `delivery.sink`, read with the message so the sink is resolved when it is sent.
    public var batchSink: BatchSink = .unset
    /// The batch's `delivery.group`, where a gateway posts it.
    public var batchGroup: String?

    /// Queued, never tried, with a reason: its sink cannot be made (or its row read); it is not sent until that is fixed.
    public var isHeld: Bool { state == .queued && attempts == 0 && lastError != nil }

    /// The state as people read it: `held` for a held message.
    public var displayState: String { isHeld ? "held" : state.rawValue }
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

    var isFailed: Bool { if case .failed = self { true } else { false } }
}

/// What a dispatcher decided for a message it claimed, written with its next claim (`settle(_:thenClaim:…)`).
public enum Settlement: Sendable, Equatable {
    /// An attempt was made: it is recorded, and the message moves to what it decided.
    case attempt(DeliveryAttempt, AttemptResult)
    /// Back to the queue without an attempt, with the reason it cannot go now, until `until` (see `hold`).
    case hold(messageID: String, reason: String, until: Date)
    /// Back to the queue without an attempt until its paced slot.
    case postpone(messageID: String, until: Date)
    /// Nobody to send it to (an opted-out recipient, a reminder everyone has answered).
    case skip(messageID: String, reason: String, at: Date)
}

extension KelasDatabase {
    /// Puts a batch's planned messages in the outbox (same transaction as the import). A message already attempted
    /// keeps its state; one still waiting follows its (possibly moved) planned time.
    static func enqueue(_ db: Database, plan: [PlannedMessage], batch: Batch, now: Date) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO outbox (messageID, batchID, webhookID, dueAt, expiresAt, state, nextAttemptAt, sequence)
            SELECT ?, ?, ?, ?, ?, 'queued', ?, ? WHERE EXISTS (SELECT 1 FROM plannedMessage WHERE id = ?)
            ON CONFLICT(messageID) DO UPDATE SET dueAt = excluded.dueAt, expiresAt = excluded.expiresAt,
                nextAttemptAt = excluded.nextAttemptAt, sequence = excluded.sequence
            WHERE outbox.state = 'queued' AND outbox.attempts = 0 AND outbox.dueAt > ?
            """)
        for message in plan {
            let windowEnd = KelasTimeZone.instant(message.date, batch.delivery.window.end, in: batch.timeZone)
            let expiresAt = max(windowEnd, message.sendAt.addingTimeInterval(60))
            var row = BulkRow(statement, in: db)
            row.bind(message.id); row.bind(message.batchID); row.bind("msg_" + message.id); row.bind(message.sendAt.timeIntervalSince1970)
            row.bind(expiresAt.timeIntervalSince1970); row.bind(message.sendAt.timeIntervalSince1970); row.bind(message.sequence)
            row.bind(message.id)
            row.bind(now.timeIntervalSince1970)
            try row.run()
        }
    }

    /// Marks as expired what was not sent before the end of its day's window (`now`), unless another dispatcher holds
    /// it under a live lease (`wall`): it is sending it. Returns how many.
    public func expireOverdue(now: Date, wall: Date = Date()) throws -> Int {
        try writer.write { db in
            try db.cachedStatement(sql: Self.expireQueuedSQL).execute(arguments: [now.timeIntervalSince1970])
            let queued = db.changesCount
            try db.cachedStatement(sql: Self.expireClaimedSQL).execute(arguments: [wall.timeIntervalSince1970, now.timeIntervalSince1970])
            return queued + db.changesCount
        }
    }

    /// Queued messages expire through `outbox_expiry` (v19), which holds only them, by `expiresAt`: named, since SQLite
    /// would otherwise take `outbox_claim` for `state = 'queued'` and walk every queued message.
    static let expireQueuedSQL = """
        UPDATE outbox INDEXED BY outbox_expiry SET state = 'expired', leaseUntil = NULL, claimedBy = NULL,
            lastError = COALESCE(lastError, '\(expiredReason)')
        WHERE state = 'queued' AND expiresAt <= ?
        """
    /// Claimed messages (few: those on their way) expire once their lease has run out (their dispatcher died).
    static let expireClaimedSQL = """
        UPDATE outbox SET state = 'expired', leaseUntil = NULL, claimedBy = NULL, lastError = COALESCE(lastError, '\(expiredReason)')
        WHERE state = 'claimed' AND leaseUntil <= ? AND expiresAt <= ?
        """
    static let expiredReason = "not sent before the end of its delivery window"

    /// Returns the messages `owner` still holds to the queue (a dispatcher stopping). Claims of other dispatchers are
    /// left alone: they are sending them; a dispatcher that died loses its claims when their leases run out.
    @discardableResult
    public func releaseClaims(owner: String) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "UPDATE outbox SET state = 'queued', leaseUntil = NULL, claimedBy = NULL WHERE state = 'claimed' AND claimedBy = ?",
                           arguments: [owner])
            return db.changesCount
        }
    }

    /// Claims up to `limit` messages due at `now`, oldest first, for `owner` until `wall + lease`: queued ones, and
    /// claimed ones whose lease ran out by `wall` (their dispatcher died). Leases are on the wall clock, so two
    /// dispatchers agree on them whatever time each acts as (a rehearsal with `--now`, a simulation).
    public func claimDue(now: Date, limit: Int, lease: TimeInterval, owner: String, wall: Date = Date()) throws -> [OutboxItem] {
        try settle([], thenClaim: limit, now: now, lease: lease, owner: owner, wall: wall)
    }

    /// Writes what a dispatcher decided for the messages of its last round, then claims its next round (as `claimDue`),
    /// in one transaction: one durable commit a round, whatever its size.
    public func settle(_ settlements: [Settlement], thenClaim limit: Int, now: Date, lease: TimeInterval, owner: String,
                       wall: Date = Date()) throws -> [OutboxItem] {
        try writer.write { db in
            try Self.settle(db, settlements)
            return try Self.claim(db, now: now, limit: limit, lease: lease, owner: owner, wall: wall)
        }
    }

    /// Writes what a dispatcher decided for messages it claimed, in one transaction.
    public func settle(_ settlements: [Settlement]) throws {
        guard !settlements.isEmpty else { return }
        try writer.write { db in try Self.settle(db, settlements) }
    }

    static func claim(_ db: Database, now: Date, limit: Int, lease: TimeInterval, owner: String, wall: Date) throws -> [OutboxItem] {
        guard limit > 0 else { return [] }
        // Each arm walks `outbox_claim` in order and stops at `limit`; only the rows claimed are joined to their message.
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(OutboxColumn.selection)
            FROM (SELECT * FROM (SELECT messageID FROM outbox WHERE state = 'queued' AND nextAttemptAt <= ?1
                                 ORDER BY nextAttemptAt, dueAt, sequence LIMIT ?3)
                  UNION ALL
                  SELECT * FROM (SELECT messageID FROM outbox WHERE state = 'claimed' AND nextAttemptAt <= ?1 AND leaseUntil <= ?2
                                 ORDER BY nextAttemptAt, dueAt, sequence LIMIT ?3)) c
            JOIN outbox o ON o.messageID = c.messageID JOIN plannedMessage m ON m.id = o.messageID JOIN batch b ON b.id = o.batchID
            ORDER BY o.nextAttemptAt, o.dueAt, o.sequence LIMIT ?3
            """), arguments: [now.timeIntervalSince1970, wall.timeIntervalSince1970, limit])
        let until = wall.addingTimeInterval(lease)
        let claim = try db.cachedStatement(sql: "UPDATE outbox SET state = 'claimed', leaseUntil = ?, claimedBy = ? WHERE messageID = ?")
        var items: [OutboxItem] = []
        items.reserveCapacity(rows.count)
        for row in rows {
            let id: String = row[OutboxColumn.id.rawValue]
            do {
                var item = try Self.outboxItem(row)
                var update = BulkRow(claim, in: db)
                update.bind(until.timeIntervalSince1970); update.bind(owner); update.bind(id)
                try update.run()
                item.state = .claimed
                item.claimedBy = owner
                item.leaseUntil = until
                items.append(item)
            } catch let error as StoredValueError {
                // A row this version cannot read is never sent on a guess: it waits, with the reason, for a person.
                try settle(db, [.hold(messageID: id, reason: error.description, until: now.addingTimeInterval(Self.holdDelay))])
            }
        }
        return items
    }

    /// How long a message whose sink cannot be made (or whose row cannot be read) waits before it is looked at again.
    public static let holdDelay: TimeInterval = 60

    /// Leaves a claimed message queued without an attempt, with the reason it cannot go now (its sink cannot be made:
    /// a missing secret, no sink named, a stored spec that no longer decodes; or its recipient has not answered the
    /// re-engagement template yet), to be looked at again at `until`.
    public func hold(messageID: String, reason: String, until: Date) throws {
        try settle([.hold(messageID: messageID, reason: reason, until: until)])
    }

    /// Gives a claimed message back to the queue until `at` (paced to a later slot), without counting an attempt.
    public func postpone(messageID: String, until at: Date) throws {
        try settle([.postpone(messageID: messageID, until: at)])
    }

    /// Marks a claimed message as having nobody to go to.
    public func skip(messageID: String, reason: String, now: Date) throws {
        try settle([.skip(messageID: messageID, reason: reason, at: now)])
    }

    /// Records an attempt and what it decided, in one transaction.
    public func record(_ attempt: DeliveryAttempt, result: AttemptResult) throws {
        try record([(attempt, result)])
    }

    /// Records the attempts of one round of sends in a single transaction (one disk sync, not one per message).
    public func record(_ attempts: [(DeliveryAttempt, AttemptResult)]) throws {
        try settle(attempts.map { .attempt($0.0, $0.1) })
    }

    /// Each settlement's writes, through statements prepared once per connection.
    static func settle(_ db: Database, _ settlements: [Settlement]) throws {
        for settlement in settlements {
            switch settlement {
            case .hold(let id, let reason, let until):
                var row = try BulkRow(sql: """
                    UPDATE outbox SET state = 'queued', leaseUntil = NULL, claimedBy = NULL, nextAttemptAt = ?, lastError = ? WHERE messageID = ?
                    """, in: db)
                row.bind(until.timeIntervalSince1970); row.bind(reason); row.bind(id)
                try row.run()
            case .postpone(let id, let until):
                var row = try BulkRow(sql: """
                    UPDATE outbox SET state = 'queued', leaseUntil = NULL, claimedBy = NULL, nextAttemptAt = ? WHERE messageID = ?
                    """, in: db)
                row.bind(until.timeIntervalSince1970); row.bind(id)
                try row.run()
            case .skip(let id, let reason, let at):
                var row = try BulkRow(sql: """
                    UPDATE outbox SET state = 'skipped', leaseUntil = NULL, claimedBy = NULL, lastError = ?, sentAt = ? WHERE messageID = ?
                    """, in: db)
                row.bind(reason); row.bind(at.timeIntervalSince1970); row.bind(id)
                try row.run()
            case .attempt(let attempt, let result):
                try record(db, attempt, result: result)
            }
        }
    }

    static func record(_ db: Database, _ attempt: DeliveryAttempt, result: AttemptResult) throws {
        var row = try BulkRow(sql: """
            INSERT INTO deliveryAttempt (messageID, attempt, at, statusCode, error, latencyMs) VALUES (?, ?, ?, ?, ?, ?)
            """, in: db)
        row.bind(attempt.messageID); row.bind(attempt.attempt); row.bind(attempt.at.timeIntervalSince1970)
        row.bind(attempt.statusCode); row.bind(attempt.error); row.bind(attempt.latency.map { $0 * 1000 })
        try row.run()
        let at = attempt.at.timeIntervalSince1970
        switch result {
        case .sent(let wamid):
            var row = try BulkRow(sql: """
                UPDATE outbox SET state = 'sent', attempts = ?, sentAt = ?, wamid = ?, leaseUntil = NULL, claimedBy = NULL, lastError = NULL WHERE messageID = ?
                """, in: db)
            row.bind(attempt.attempt); row.bind(at); row.bind(wamid); row.bind(attempt.messageID)
            try row.run()
        case .retry(let next):
            var row = try BulkRow(sql: """
                UPDATE outbox SET state = 'queued', attempts = ?, nextAttemptAt = ?, leaseUntil = NULL, claimedBy = NULL, lastError = ? WHERE messageID = ?
                """, in: db)
            row.bind(attempt.attempt); row.bind(next.timeIntervalSince1970); row.bind(attempt.error); row.bind(attempt.messageID)
            try row.run()
        case .failed(let reason), .dead(let reason):
            var row = try BulkRow(sql: """
                UPDATE outbox SET state = ?, attempts = ?, leaseUntil = NULL, claimedBy = NULL, lastError = ? WHERE messageID = ?
                """, in: db)
            row.bind(result.isFailed ? "failed" : "dead"); row.bind(attempt.attempt); row.bind(reason); row.bind(attempt.messageID)
            try row.run()
        }
    }

    /// When the next queued message is due, if any.
    public func nextDue() throws -> Date? {
        try writer.read { db in
            try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(nextAttemptAt) FROM outbox WHERE state = 'queued'")).map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// The outbox, optionally only some states, one batch, one message or one local day, in the order messages are due.
    public func outbox(states: [OutboxItem.State]? = nil, batchID: String? = nil, messageID: String? = nil,
                       date: LocalDate? = nil) throws -> [OutboxItem] {
        try writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let messageID { conditions.append("o.messageID = ?"); _ = arguments.append(contentsOf: [messageID]) }
            if let states {
                conditions.append("o.state IN (" + states.map { _ in "?" }.joined(separator: ", ") + ")")
                _ = arguments.append(contentsOf: StatementArguments(states.map(\.rawValue)))
            }
            if let batchID { conditions.append("o.batchID = ?"); _ = arguments.append(contentsOf: [batchID]) }
            if let date { conditions.append("m.localDate = ?"); _ = arguments.append(contentsOf: [date.description]) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(OutboxColumn.selection) FROM outbox o JOIN plannedMessage m ON m.id = o.messageID
                JOIN batch b ON b.id = o.batchID \(filter) ORDER BY o.dueAt, o.sequence
                """), arguments: arguments).map(Self.outboxItem)
        }
    }

    /// The attempts recorded for one message.
    public func attempts(messageID: String) throws -> [DeliveryAttempt] {
        try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM deliveryAttempt WHERE messageID = ? ORDER BY attempt, id"), arguments: [messageID]).map { row in
                DeliveryAttempt(messageID: row["messageID"], attempt: row["attempt"], at: Date(timeIntervalSince1970: row["at"]),
                                statusCode: row["statusCode"], error: row["error"], latency: (row["latencyMs"] as Double?).map { $0 / 1000 })
            }
        }
    }

    /// Puts a failed, dead or expired message back in the queue, due now, with a fresh attempt count.
    public func requeue(messageID: String, now: Date) throws {
        try writer.write { db in
            guard let state = try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM outbox WHERE messageID = ?"), arguments: [messageID]) else {
                throw StoreError.unknownMessage(messageID)
            }
            guard ["failed", "dead", "expired", "skipped"].contains(state) else { throw StoreError.notRequeueable(messageID, state: state) }
            try db.execute(sql: """
                UPDATE outbox SET state = 'queued', attempts = 0, nextAttemptAt = ?, expiresAt = MAX(expiresAt, ?), leaseUntil = NULL, claimedBy = NULL, lastError = NULL
                WHERE messageID = ?
                """, arguments: [now.timeIntervalSince1970, now.addingTimeInterval(3600).timeIntervalSince1970, messageID])
        }
    }

    /// What WhatsApp reported for a message after it was sent (sent, delivered, read, played, failed), matched on the
    /// `wamid` the Cloud API returned or on the message's own ids, oldest first.
    public func deliveryStatuses(messageID: String) throws -> [DeliveryStatusRecord] {
        try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT s.* FROM deliveryStatus s JOIN outbox o ON s.messageID IN (o.wamid, o.messageID, o.webhookID)
                WHERE o.messageID = ? ORDER BY s.at, s.rowid
                """), arguments: [messageID]).map { row in
                DeliveryStatusRecord(recipient: PhoneNumber(e164: row["recipient"]), state: row["state"],
                                     at: Date(timeIntervalSince1970: row["at"]), errorCode: row["errorCode"], errorTitle: row["errorTitle"])
            }
        }
    }

    /// Each sent message's receipts in a batch (planned message id → delivered / read / played), from the acks
    /// matched on the id the sink was given back.
    public func receipts(batchID: String) throws -> [String: ReadReceipts] {
        try writer.read { db in
            var acks: [String: [(recipient: String, state: DeliveryStatus.State)]] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT o.messageID AS id, s.recipient, s.state FROM outbox o JOIN deliveryStatus s ON s.messageID = o.wamid
                WHERE o.batchID = ? AND o.wamid IS NOT NULL
                """), arguments: [batchID]) {
                guard let state = DeliveryStatus.State(rawValue: row["state"]) else { continue }
                acks[row["id"], default: []].append((row["recipient"], state))
            }
            return acks.mapValues(ReadReceipts.init)
        }
    }

    /// How many planned messages are in each outbox state.
    public func outboxCounts() throws -> [OutboxItem.State: Int] {
        try writer.read { db in
            var counts: [OutboxItem.State: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")) {
                if let state = OutboxItem.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// Participants still silent on a prompt at `now`: the recipients of a reminder to non-responders.
    public func nonResponders(batchID: String, prompt: String, now: Date) throws -> [PhoneNumber] {
        try writer.read { db in
            let snapshot = try Self.snapshot(db, try Self.requireBatch(db, batchID), model: model)
            let tracker = model.tracker(snapshot, at: now)
            return snapshot.participants.map(\.phone).filter { tracker.state(of: $0, on: prompt) == .pending }
        }
    }

    /// Everyone a message to the whole group reaches.
    public func participants(batchID: String) throws -> [PhoneNumber] {
        try writer.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT phone FROM person WHERE batchID = ? AND role = 'participant' ORDER BY position"),
                                arguments: [batchID]).map { PhoneNumber(e164: $0) }
        }
    }

    /// The columns an outbox item is read from, by position: a named lookup (case-insensitive, so a lowercased
    /// copy of the name each time) cost more than the rest of a claim.
    enum OutboxColumn: Int, CaseIterable {
        case id, batchID, itemKey, sequence, day, localDate, localTime, sendAt, kind, audience, sender, text, url, filename, session,
             flags, remindsOf, template
        case webhookID, state, attempts, nextAttemptAt, expiresAt, lastError, sentAt, wamid, claimedBy, leaseUntil
        case batchSink, batchGroup

        var name: String { String(describing: self) }

        /// The select list, in this order, for `FROM outbox o JOIN plannedMessage m … JOIN batch b …`.
        static let selection: String = allCases.map { (column: OutboxColumn) -> String in
            switch column {
            case .batchSink: "b.sink"
            case .batchGroup: "b.waGroup"
            case .webhookID, .state, .attempts, .nextAttemptAt, .expiresAt, .lastError, .sentAt, .wamid, .claimedBy, .leaseUntil:
                "o.\(column.name)"
            default: "m.\(column.name)"
            }
        }.joined(separator: ", ")
    }

    /// An outbox item from a row selected as `OutboxColumn.selection`.
    static func outboxItem(_ row: Row) throws -> OutboxItem {
        typealias C = OutboxColumn
        func at<T: DatabaseValueConvertible>(_ column: C) -> T { row[column.rawValue] }
        func maybe<T: DatabaseValueConvertible>(_ column: C) -> T? { row[column.rawValue] }
        func parse<T>(_ column: C, _ table: String, _ parse: (String) -> T?) throws -> T {
            try row.parsed(column.rawValue, column: column.name, table: table, key: id, parse)
        }
        func date(_ column: C) -> Date? { (maybe(column) as Double?).map { Date(timeIntervalSince1970: $0) } }
        let id: String = at(.id)
        let flags = try (at(.flags) as String).split(separator: " ").map { flag in
            guard let known = PlanFlag(rawValue: String(flag)) else {
                throw StoredValueError(table: "plannedMessage", key: id, column: "flags", value: String(flag))
            }
            return known
        }
        let message = PlannedMessage(
            id: id, batchID: at(.batchID), itemKey: at(.itemKey), sequence: at(.sequence), day: at(.day),
            date: try parse(.localDate, "plannedMessage", LocalDate.init), localTime: try parse(.localTime, "plannedMessage", LocalTime.init),
            sendAt: Date(timeIntervalSince1970: at(.sendAt)), kind: try parse(.kind, "plannedMessage", ItemKind.init(rawValue:)),
            audience: try parse(.audience, "plannedMessage", Audience.init), sender: maybe(.sender), text: at(.text), url: maybe(.url),
            filename: maybe(.filename), session: maybe(.session), flags: flags, shiftReason: nil, remindsOf: maybe(.remindsOf),
            template: try row.parsedIfPresent(C.template.rawValue, column: C.template.name, table: "plannedMessage", key: id,
                                              StoredTemplate.decode))
        var item = OutboxItem(message: message, webhookID: at(.webhookID), state: try parse(.state, "outbox", OutboxItem.State.init(rawValue:)),
                              attempts: at(.attempts), nextAttemptAt: Date(timeIntervalSince1970: at(.nextAttemptAt)),
                              expiresAt: Date(timeIntervalSince1970: at(.expiresAt)), lastError: maybe(.lastError), sentAt: date(.sentAt),
                              wamid: maybe(.wamid))
        item.claimedBy = maybe(.claimedBy)
        item.leaseUntil = date(.leaseUntil)
        item.batchSink = BatchSink.decode(maybe(.batchSink))
        item.batchGroup = maybe(.batchGroup)
        return item
    }
}

extension KelasDatabase {
    /// The batches that still have messages to send (queued or claimed), with their stored `delivery.sink`.
    public func batchesWithMessagesToSend() throws -> [(id: String, sink: BatchSink)] {
        try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT b.id, b.sink FROM batch b WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.batchID = b.id AND o.state IN ('queued', 'claimed'))
                ORDER BY b.start, b.id
                """)).map { (id: $0["id"], sink: BatchSink.decode($0["sink"])) }
        }
    }
}

/// Messages of a batch still waiting to go because something is wrong: a gateway whose phone is not linked, a sink
/// without its secret, a receiver that keeps failing. The dashboard shows them as a banner until they go.
public struct DeliveryProblem: Sendable, Equatable {
    public var batchID: String
    /// The latest reason, as the dispatcher recorded it (the gateway's own words and the fix).
    public var reason: String
    public var messages: Int
    /// When the next of them is tried again.
    public var nextAttempt: Date
}

extension KelasDatabase {
    /// What holds messages up now, per batch and reason (a message waiting for a participant's reply to a re-engagement
    /// template is not a problem and is left out).
    public func deliveryProblems(batchID: String? = nil) throws -> [DeliveryProblem] {
        try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT batchID, lastError, COUNT(*) AS messages, MIN(nextAttemptAt) AS next FROM outbox
                WHERE state IN ('queued', 'claimed') AND lastError IS NOT NULL AND substr(lastError, 1, ?) != ?
                  AND (?3 IS NULL OR batchID = ?3)
                GROUP BY batchID, lastError ORDER BY batchID, next
                """), arguments: [Self.windowWaitReason.count, Self.windowWaitReason, batchID]).map {
                DeliveryProblem(batchID: $0["batchID"], reason: $0["lastError"], messages: $0["messages"],
                                nextAttempt: Date(timeIntervalSince1970: $0["next"]))
            }
        }
    }
}
