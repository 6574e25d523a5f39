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

/// Values computed from the whole store (a report, a rendered page), kept for the store's newest version only
/// (`KelasDatabase.version()`): an older version is never asked for again.
public final class StoreVersionCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<(version: Int64, values: [Key: Value])>((0, [:]))

    public init() {}

    public func value(_ key: Key, version: Int64) -> Value? {
        entries.withLock { $0.version == version ? $0.values[key] : nil }
    }

    public func keep(_ value: Value, _ key: Key, version: Int64) {
        entries.withLock { kept in
            // A slower read of an older version never pushes out a newer one.
            guard version >= kept.version else { return }
            if version > kept.version { kept = (version, [:]) }
            kept.values[key] = value
        }
    }
}

/// A batch's report figures summed over its participants of one district.
struct DistrictSum: Sendable {
    var district: String
    var row: ReportRow
}

/// The in-memory read model of a store: batch snapshots by version, each participant's results by version, and the
/// states at a moment by how many prompts had closed. Shared by every copy of a `KelasDatabase` value (a server's
/// routes, its applier, its dispatcher); a stale entry is never returned, because every read checks the version the
/// store holds in the same read transaction.
final class ReadModel: Sendable {
    /// A batch's value, valid while the batch's version (and, for what time changes, its closed-prompt count) is the
    /// one it was computed for.
    struct Stamp: Hashable, Sendable {
        var version: Int64
        var closed = 0
    }

    /// One value per batch id, returned only for the stamp it was kept with.
    final class Kept<Value: Sendable>: Sendable {
        private let entries = Mutex<[String: (stamp: Stamp, value: Value)]>([:])

        func value(_ id: String, _ stamp: Stamp) -> Value? {
            entries.withLock { $0[id].flatMap { $0.stamp == stamp ? $0.value : nil } }
        }

        func keep(_ value: Value, _ id: String, _ stamp: Stamp) { entries.withLock { $0[id] = (stamp, value) } }

        func keepOnly(_ ids: Set<String>) { entries.withLock { $0 = $0.filter { ids.contains($0.key) } } }
    }

    /// What a whole report is a function of besides the store's version: the batches there are, how many prompts in the
    /// store have closed (the only way time changes a report), the grouping and the batches asked for.
    struct ReportKey: Hashable, Sendable {
        var batches: Int
        var closed: Int
        var grouping: ReportGrouping
        var batchIDs: [String]?
    }

    let snapshots = Kept<BatchSnapshot>()
    let reports = StoreVersionCache<ReportKey, Report>()
    let results = Kept<[ParticipantResult]>()
    let batches = Kept<StoredBatch>()
    private let clocked = Kept<Tracker>()
    private let sums = Kept<[DistrictSum]>()

    /// The tracker of a snapshot with the prompts closed by `now` closed.
    func tracker(_ snapshot: BatchSnapshot, at now: Date) -> Tracker {
        guard now > snapshot.tracker.now else { return snapshot.tracker }
        let stamp = Stamp(version: snapshot.version, closed: snapshot.closed(by: now))
        if stamp.closed == snapshot.closed(by: snapshot.tracker.now) { return snapshot.tracker }
        if let kept = clocked.value(snapshot.id, stamp) { return kept }
        var tracker = snapshot.tracker
        _ = tracker.apply(.clock(now))
        clocked.keep(tracker, snapshot.id, stamp)
        return tracker
    }

    /// The batch's report figures at `now`, summed per participant district in the order the districts first appear
    /// (the only grouping that can split a batch; every other grouping adds the sums up). A function of the version and
    /// of how many prompts have closed (drop-outs count closed prompts), so kept by both: a report reads a batch's few
    /// sums, not each of its participants.
    func sums(_ snapshot: BatchSnapshot, at now: Date) -> [DistrictSum] {
        let stamp = Stamp(version: snapshot.version, closed: snapshot.closed(by: now))
        if let kept = sums.value(snapshot.id, stamp) { return kept }
        let states = tracker(snapshot, at: now).states
        var sums: [DistrictSum] = []
        for participant in snapshot.participants {
            var row = KelasDatabase.figures(states: states[participant.phone] ?? [:], prompts: snapshot.prompts, rule: snapshot.rule,
                                            now: now, counts: snapshot.counts[participant.phone] ?? (0, 0))
            if snapshot.optOuts[participant.phone] != nil { row.optedOut = 1 }
            if let index = sums.firstIndex(where: { $0.district == participant.district }) { sums[index].row.add(row) }
            else { sums.append(DistrictSum(district: participant.district, row: row)) }
        }
        self.sums.keep(sums, snapshot.id, stamp)
        return sums
    }

    /// Forgets batches the store no longer has.
    func keepOnly(_ ids: Set<String>) {
        snapshots.keepOnly(ids)
        results.keepOnly(ids)
        batches.keepOnly(ids)
        clocked.keepOnly(ids)
        sums.keepOnly(ids)
    }
}

extension KelasDatabase {
    /// The snapshot of the batch `row` (a `SELECT * FROM batch` row), from the read model when its version is current.
    static func snapshot(_ db: Database, _ row: Row, model: ReadModel) throws -> BatchSnapshot {
        let id: String = row["id"]
        let version: Int64 = row["version"]
        if let kept = model.snapshots.value(id, .init(version: version)) { return kept }
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
        model.snapshots.keep(snapshot, id, .init(version: version))
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
