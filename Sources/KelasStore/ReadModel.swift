import Foundation
import GRDB
import KelasCore
import Synchronization

/// One batch as the pages, reports and results read it: its prompts and people, and every participant's state after
/// every message and mark the store holds — computed once per version of the batch (migration v14: any change to what
/// the statuses come from moves the version, whichever process made it), not on every read.
///
/// What time alone changes is left out: the tracker is kept before its last clock move, and `tracker(at:)` closes the
/// prompts that have closed by the moment asked (which is exactly what replaying up to that moment would give).
struct BatchSnapshot: Sendable {
    struct Participant: Sendable {
        var phone: PhoneNumber
        var name: String
        /// The participant's own district, else the batch's.
        var district: String
    }

    var id: String
    var version: Int64
    var programme: String
    var district: String
    var rule: CompletionRule
    var prompts: [Prompt]
    /// In the batch file's order.
    var participants: [Participant]
    var trainers: [String]
    /// After every event, before the clock's last move.
    var tracker: Tracker
    /// Per participant: answers in writing or with media, and voice notes (messages, not prompts).
    var counts: [PhoneNumber: (replies: Int, voice: Int)]
    var optOuts: [PhoneNumber: OptOutState]
    /// Reminders of a prompt and when each goes out.
    var reminders: [(prompt: String, sendAt: Date)]

    /// How many prompts have closed by `now` — all that separates one moment's states from another's.
    func closed(by now: Date) -> Int { prompts.count { $0.closesAt <= now } }
}

/// The in-memory read model of a store: batch snapshots by version, each participant's results by version, and the
/// states at a moment by how many prompts had closed. Shared by every copy of a `KelasDatabase` value (a server's
/// routes, its applier, its dispatcher); a stale entry is never returned, because every read checks the version the
/// store holds in the same read transaction.
final class ReadModel: Sendable {
    private let snapshots = Mutex<[String: BatchSnapshot]>([:])
    private let clocked = Mutex<[String: (version: Int64, closed: Int, tracker: Tracker)]>([:])
    private let results = Mutex<[String: (version: Int64, results: [ParticipantResult])]>([:])
    private let figures = Mutex<[String: (version: Int64, closed: Int, rows: [ReportRow])]>([:])
    private let stored = Mutex<[String: (version: Int64, batch: StoredBatch)]>([:])

    func storedBatch(_ id: String, version: Int64) -> StoredBatch? {
        stored.withLock { $0[id].flatMap { $0.version == version ? $0.batch : nil } }
    }

    func keep(_ batch: StoredBatch, version: Int64) { stored.withLock { $0[batch.id] = (version, batch) } }

    func snapshot(_ id: String, version: Int64) -> BatchSnapshot? {
        snapshots.withLock { $0[id].flatMap { $0.version == version ? $0 : nil } }
    }

    func keep(_ snapshot: BatchSnapshot) { snapshots.withLock { $0[snapshot.id] = snapshot } }

    /// The tracker of a snapshot with the prompts closed by `now` closed.
    func tracker(_ snapshot: BatchSnapshot, at now: Date) -> Tracker {
        guard now > snapshot.tracker.now else { return snapshot.tracker }
        let closed = snapshot.closed(by: now)
        if closed == snapshot.closed(by: snapshot.tracker.now) { return snapshot.tracker }
        if let kept = clocked.withLock({ $0[snapshot.id] }), kept.version == snapshot.version, kept.closed == closed {
            return kept.tracker
        }
        var tracker = snapshot.tracker
        _ = tracker.apply(.clock(now))
        clocked.withLock { $0[snapshot.id] = (snapshot.version, closed, tracker) }
        return tracker
    }

    /// Each participant's contribution to a report at `now`, in the snapshot's order: a function of the version and of
    /// how many prompts have closed (drop-outs count closed prompts), so kept by both.
    func figures(_ snapshot: BatchSnapshot, at now: Date) -> [ReportRow] {
        let closed = snapshot.closed(by: now)
        if let kept = figures.withLock({ $0[snapshot.id] }), kept.version == snapshot.version, kept.closed == closed { return kept.rows }
        let states = tracker(snapshot, at: now).states
        let rows = snapshot.participants.map { participant in
            var row = KelasDatabase.figures(states: states[participant.phone] ?? [:], prompts: snapshot.prompts, rule: snapshot.rule,
                                            now: now, counts: snapshot.counts[participant.phone] ?? (0, 0))
            if snapshot.optOuts[participant.phone] != nil { row.optedOut = 1 }
            return row
        }
        figures.withLock { $0[snapshot.id] = (snapshot.version, closed, rows) }
        return rows
    }

    func results(_ id: String, version: Int64) -> [ParticipantResult]? {
        results.withLock { $0[id].flatMap { $0.version == version ? $0.results : nil } }
    }

    func keep(_ results: [ParticipantResult], of id: String, version: Int64) {
        self.results.withLock { $0[id] = (version, results) }
    }

    /// Forgets batches the store no longer has.
    func keepOnly(_ ids: Set<String>) {
        snapshots.withLock { $0 = $0.filter { ids.contains($0.key) } }
        clocked.withLock { $0 = $0.filter { ids.contains($0.key) } }
        results.withLock { $0 = $0.filter { ids.contains($0.key) } }
        figures.withLock { $0 = $0.filter { ids.contains($0.key) } }
        stored.withLock { $0 = $0.filter { ids.contains($0.key) } }
    }
}

extension KelasDatabase {
    /// The snapshot of the batch `row` (a `SELECT * FROM batch` row), from the read model when its version is current.
    static func snapshot(_ db: Database, _ row: Row, model: ReadModel) throws -> BatchSnapshot {
        let id: String = row["id"]
        let version: Int64 = row["version"]
        if let kept = model.snapshot(id, version: version) { return kept }
        let replay = try replay(db, batchID: id, now: .distantPast)
        let district: String = row["district"]
        let participants = try Row.fetchAll(db, sql: """
            SELECT phone, name, district FROM person WHERE batchID = ? AND role = 'participant' ORDER BY position
            """, arguments: [id]).map { person in
            BatchSnapshot.Participant(phone: PhoneNumber(e164: person["phone"]), name: person["name"],
                                      district: (person["district"] as String?).flatMap { $0.isEmpty ? nil : $0 } ?? district)
        }
        var counts: [PhoneNumber: (replies: Int, voice: Int)] = [:]
        for count in try Row.fetchAll(db, sql: """
            SELECT phone, SUM(type = 'voice') AS voice,
                   SUM(type IN ('text', 'audio', 'image', 'video', 'document', 'media')) AS replies
            FROM inboundMessage WHERE batchID = ? AND phone IS NOT NULL GROUP BY phone
            """, arguments: [id]) {
            counts[PhoneNumber(e164: count["phone"])] = (count["replies"], count["voice"])
        }
        let reminders = try Row.fetchAll(db, sql: """
            SELECT remindsOf, MIN(sendAt) AS sendAt FROM plannedMessage WHERE batchID = ? AND remindsOf IS NOT NULL GROUP BY remindsOf
            """, arguments: [id]).map { (prompt: $0["remindsOf"] as String, sendAt: Date(timeIntervalSince1970: $0["sendAt"])) }
        let snapshot = BatchSnapshot(
            id: id, version: version, programme: row["programme"], district: district,
            rule: CompletionRule(sessions: row["completionSessions"], postTest: row["completionPostTest"]),
            prompts: replay.prompts, participants: participants,
            trainers: try String.fetchAll(db, sql: "SELECT name FROM person WHERE batchID = ? AND role = 'trainer' ORDER BY position",
                                          arguments: [id]),
            tracker: replay.tracker, counts: counts, optOuts: try optOuts(db, batchID: id), reminders: reminders)
        model.keep(snapshot)
        return snapshot
    }

    /// The batch rows to read, in start order: all, or the ones named (an unknown one is an error naming those there are).
    static func batchRows(_ db: Database, _ batchIDs: [String]?) throws -> [Row] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM batch ORDER BY start, id")
        guard let batchIDs else { return rows }
        let byID = Dictionary(rows.map { ($0["id"] as String, $0) }, uniquingKeysWith: { first, _ in first })
        return try batchIDs.map { id in
            guard let row = byID[id] else { throw StoreError.unknownBatch(id, known: rows.map { $0["id"] }) }
            return row
        }
    }
}

extension KelasDatabase {
    /// The store's version: it moves with every change to what statuses, reports and results are computed from, in any
    /// batch and by any process (migration v14), so a view of the whole store can be kept until it moves.
    public func version() throws -> Int64 {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT version FROM storeVersion") ?? 0 }
    }
}
