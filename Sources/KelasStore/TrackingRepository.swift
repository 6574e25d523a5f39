import Foundation
import GRDB
import KelasCore

/// A batch's status grid: one row per participant, one column per prompt.
public struct BatchStatus: Sendable {
    public struct Column: Sendable, Equatable {
        public var key: String
        public var kind: ItemKind
        public var session: Int?
        public var survey: SurveyKind?
    }

    public struct Row: Sendable, Equatable {
        public var name: String
        public var phone: PhoneNumber
        public var states: [PromptState]
        public var completed: Bool
        /// Silent where a trainer should call today: a prompt missed that closed in the last 24 hours, or one still
        /// unanswered after its reminder went out.
        public var needsCall: Bool
    }

    public var batchID: String
    public var columns: [Column]
    public var rows: [Row]
    public var rule: CompletionRule

    /// How long after a prompt closes a participant who missed it is still on the day's call list.
    public static let callWindow: TimeInterval = 24 * 3600

    public var registered: Int { rows.count }
    public var completed: Int { rows.count { $0.completed } }
    public var active: Int { rows.count { $0.states.contains { $0.isAnswered } } }
}

extension KelasDatabase {
    /// Records a manual mark (a phone call, an in-person talk, an excuse).
    public func mark(batchID: String, participant: String, session: Int, kind: MarkKind, note: String?, now: Date) throws -> PhoneNumber {
        try writer.write { db in
            _ = try Self.requireBatch(db, batchID)
            let phone = try Self.findParticipant(db, batchID: batchID, participant)
            let sessions = try Int.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT session FROM prompt WHERE batchID = ? AND session IS NOT NULL ORDER BY session"), arguments: [batchID])
            guard sessions.contains(session) else {
                throw StoreError.unknownSession(session, batch: batchID, known: sessions)
            }
            try db.execute(sql: "INSERT INTO mark (batchID, phone, session, kind, note, at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [batchID, phone.e164, session, kind.rawValue, note, now.timeIntervalSince1970])
            return phone
        }
    }

    /// A participant by phone number in any formatting, by name or alias (case-insensitive).
    static func findParticipant(_ db: Database, batchID: String, _ text: String) throws -> PhoneNumber {
        if case .success(let phone) = PhoneNumber.parse(text),
           try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM person WHERE batchID = ? AND phone = ? AND role = 'participant'"), arguments: [batchID, phone.e164]) != nil {
            return phone
        }
        let matches = try String.fetchAll(db.cachedStatement(sql: """
            SELECT phone FROM person WHERE batchID = ? AND role = 'participant' AND (lower(name) = lower(?) OR lower(alias) = lower(?))
            """), arguments: [batchID, text, text])
        guard matches.count == 1, let phone = matches.first else {
            throw StoreError.unknownParticipant(text, batch: batchID, ambiguous: matches.count > 1)
        }
        return PhoneNumber(e164: phone)
    }

    /// A batch's prompts in the order they open.
    static func prompts(_ db: Database, batchID: String) throws -> [Prompt] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM prompt WHERE batchID = ? ORDER BY opensAt, key"), arguments: [batchID]).map { row in
            let key = "\(batchID)/\(row["key"] as String)"
            return Prompt(key: row["key"], kind: try row.parsed("kind", table: "prompt", key: key, ItemKind.init(rawValue:)), session: row["session"],
                   survey: try row.parsedIfPresent("survey", table: "prompt", key: key, SurveyKind.init(rawValue:)),
                   opensAt: Date(timeIntervalSince1970: row["opensAt"]), closesAt: Date(timeIntervalSince1970: row["closesAt"]),
                   instrument: row["instrument"])
        }
    }

    /// A batch's statuses as of a moment, replayed from what the store holds.
    struct Replay {
        var prompts: [Prompt]
        var participants: [PhoneNumber]
        var tracker: Tracker
    }

    /// Replays every inbound message and mark of a batch through the tracker, up to `now`.
    ///
    /// Replaying from scratch makes the result independent of the order in which webhooks and exports arrived,
    /// and of when the last ingest ran: a prompt that has closed since is `missed` now.
    static func replay(_ db: Database, batchID: String, now: Date) throws -> Replay {
        let prompts = try Self.prompts(db, batchID: batchID)
        let people = try Row.fetchAll(db.cachedStatement(sql: "SELECT phone, role FROM person WHERE batchID = ? ORDER BY position"), arguments: [batchID])
        let participants = people.filter { ($0["role"] as String) == "participant" }.map { PhoneNumber(e164: $0["phone"]) }
        let trainers = people.filter { ($0["role"] as String) != "participant" }.map { PhoneNumber(e164: $0["phone"]) }
        let messages = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, itemKey, remindsOf FROM plannedMessage WHERE batchID = ?"), arguments: [batchID])
            .map { (id: $0["id"] as String, itemKey: $0["itemKey"] as String, remindsOf: $0["remindsOf"] as String?) }
        var promptOfMessage = Tracker.promptOfMessage(messages, prompts: prompts)
        // A reply quotes the id WhatsApp gave our message (its wamid), not our own id.
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT messageID, wamid FROM outbox WHERE batchID = ? AND wamid IS NOT NULL"),
                                    arguments: [batchID]) {
            if let prompt = promptOfMessage[row["messageID"]] { promptOfMessage[row["wamid"]] = prompt }
        }
        // Marks are few: read them first; the replay merges them into the messages streamed in time order, so a
        // large chat replays without holding its messages in memory.
        let marks = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM mark WHERE batchID = ? ORDER BY at, id"), arguments: [batchID]).map { row in
            TrackerEvent.mark(participant: PhoneNumber(e164: row["phone"]), session: row["session"],
                              kind: try row.parsed("kind", table: "mark", key: "\(row["id"] as Int64)", MarkKind.init(rawValue:)),
                              at: Date(timeIntervalSince1970: row["at"]))
        }
        // Survey answers typed by a trainer or imported from a form: the survey counts as taken when they were recorded.
        let typed = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT phone, survey, MIN(at) AS at FROM surveyAnswer WHERE batchID = ? GROUP BY phone, survey
            """), arguments: [batchID]).map { row in
            TrackerEvent.surveyTaken(participant: PhoneNumber(e164: row["phone"]),
                                     survey: try row.parsed("survey", table: "surveyAnswer", key: row["phone"], SurveyKind.init(rawValue:)),
                                     at: Date(timeIntervalSince1970: row["at"]))
        }
        var replay = TrackerReplay(tracker: Tracker(prompts: prompts, participants: participants, trainers: trainers,
                                                    promptOfMessage: promptOfMessage),
                                   marks: (marks + typed).enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
                                    .map(\.element))
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT id, phone, sentAt, type, quoting, mentions FROM inboundMessage
            WHERE batchID = ? AND phone IS NOT NULL ORDER BY sentAt, rowid
            """), arguments: [batchID])
        while let row = try rows.next() {
            replay.message(id: row["id"], from: PhoneNumber(e164: row["phone"]), at: Date(timeIntervalSince1970: row["sentAt"]),
                           kind: try row.parsed("type", table: "inboundMessage", key: row["id"], InboundMessage.Kind.init(rawValue:)),
                           quoting: row["quoting"],
                           mentions: (row["mentions"] as String).split(separator: " ").map { PhoneNumber(e164: String($0)) })
        }
        replay.finish(at: now)
        return Replay(prompts: prompts, participants: participants, tracker: replay.tracker)
    }

    /// The status grid of a batch as of `now`, from the read model.
    public func status(batchID: String, now: Date) throws -> BatchStatus {
        try writer.read { db in
            let snapshot = try Self.snapshot(db, try Self.requireBatch(db, batchID), model: model)
            let states = model.tracker(snapshot, at: now).states
            let prompts = snapshot.prompts
            let reminded = Set(snapshot.reminders.filter { $0.sendAt <= now }.map(\.prompt))
            let rows = snapshot.participants.map { participant -> BatchStatus.Row in
                let mine = states[participant.phone] ?? [:]
                let needsCall = prompts.contains { prompt in
                    let state = mine[prompt.key] ?? .pending
                    let closedToday = prompt.closesAt <= now && prompt.closesAt > now.addingTimeInterval(-BatchStatus.callWindow)
                    return (state == .missed && closedToday)
                        || (state == .pending && reminded.contains(prompt.key) && prompt.closesAt > now)
                }
                return BatchStatus.Row(name: participant.name, phone: participant.phone,
                                       states: prompts.map { mine[$0.key] ?? .pending },
                                       completed: snapshot.rule.isComplete(mine, prompts: prompts), needsCall: needsCall)
            }
            return BatchStatus(batchID: batchID,
                               columns: prompts.map { BatchStatus.Column(key: $0.key, kind: $0.kind, session: $0.session, survey: $0.survey) },
                               rows: rows, rule: snapshot.rule)
        }
    }
}

/// A request the store cannot carry out, said so a user can act on it.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case unknownBatch(String, known: [String])
    case unknownParticipant(String, batch: String, ambiguous: Bool)
    case unknownSession(Int, batch: String, known: [Int])
    case unknownMessage(String)
    case unknownExporter(String, batch: String)
    case notRequeueable(String, state: String)
    case notQuarantined(Int64)
    case groupTaken(String, batch: String, by: String)
    case unknownTrainer(String, known: [String])
    case unknownAccess(String)

    /// What went wrong and what to do, in the reader's language.
    public var phrase: Phrase {
        switch self {
        case .unknownBatch(let id, let known):
            known.isEmpty ? Phrase("store.noBatchYet", ["id": id]) : Phrase("store.noBatch", ["id": id, "known": known.joined(separator: ", ")])
        case .unknownParticipant(let text, let batch, let ambiguous):
            Phrase(ambiguous ? "store.ambiguous" : "store.noParticipant", ["who": text, "batch": batch])
        case .unknownSession(let session, let batch, let known):
            Phrase("store.noSession", ["session": String(session), "batch": batch, "known": known.map(String.init).joined(separator: ", ")])
        case .unknownExporter(let text, let batch):
            Phrase("store.noExporter", ["who": text, "batch": batch])
        case .unknownMessage(let id):
            Phrase("store.noMessage", ["id": id])
        case .notQuarantined(let seq):
            Phrase("store.notQuarantined", ["seq": String(seq)])
        case .unknownTrainer(let text, let known):
            known.isEmpty ? Phrase("store.noTrainerYet", ["who": text]) : Phrase("store.noTrainer", ["who": text, "known": known.joined(separator: ", ")])
        case .unknownAccess(let text):
            Phrase("store.noAccess", ["which": text])
        case .groupTaken(let group, let batch, let other):
            Phrase("store.groupTaken", ["group": group, "batch": batch, "other": other])
        case .notRequeueable(let id, let state):
            Phrase("store.notRequeueable", ["id": id, "state": state])
        }
    }

    public var description: String { phrase.description }
}
