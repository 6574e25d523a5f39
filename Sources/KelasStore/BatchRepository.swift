import Foundation
import GRDB
import KelasCore

/// What `kelas batch add` changed; all zero when the same file is added again.
public struct BatchImportSummary: Sendable, Equatable {
    public var batchID: String
    public var created = false
    public var participantsAdded = 0
    public var participantsUpdated = 0
    public var participantsRemoved = 0
    public var messagesAdded = 0
    public var messagesUpdated = 0
    public var messagesRemoved = 0
    /// Planned messages whose time has passed: never changed by a re-import.
    public var messagesPast = 0

    public var isUnchanged: Bool {
        !created && participantsAdded + participantsUpdated + participantsRemoved + messagesAdded + messagesUpdated + messagesRemoved == 0
    }

    /// What changed, in the reader's language.
    public var phrase: Phrase {
        if created {
            return Phrase("import.added", ["batch": batchID, "participants": String(participantsAdded), "messages": String(messagesAdded)])
        }
        if isUnchanged { return Phrase("import.unchanged", ["batch": batchID]) }
        var parts: [Phrase] = []
        func part(_ count: Int, _ key: String) { if count > 0 { parts.append(Phrase(key, ["count": String(count)])) } }
        part(participantsAdded, "import.participantsAdded"); part(participantsUpdated, "import.participantsUpdated")
        part(participantsRemoved, "import.participantsRemoved"); part(messagesAdded, "import.messagesAdded")
        part(messagesUpdated, "import.messagesUpdated"); part(messagesRemoved, "import.messagesRemoved")
        let changes = Phrase.list(parts) ?? .verbatim("")
        if messagesPast > 0 {
            return Phrase("import.updatedPast", ["batch": batchID, "past": String(messagesPast)], parts: ["changes": changes])
        }
        return Phrase("import.updated", ["batch": batchID], parts: ["changes": changes])
    }

    public var description: String { phrase.description }
}

extension KelasDatabase {
    /// Imports a validated batch with its people, plan and prompts, in one transaction.
    ///
    /// Idempotent: the same batch again changes nothing. An edited batch updates only what has not happened yet
    /// (messages due after `now`); what is already due stays as it was.
    public func addBatch(_ loaded: LoadedBatch, source: String, now: Date) throws -> BatchImportSummary {
        let batch = loaded.batch
        let plan = Planner(batch: batch, curriculum: loaded.curriculum).plan()
        let prompts = Prompt.prompts(batch: batch, curriculum: loaded.curriculum, plan: plan)
        return try writer.write { db in
            var summary = BatchImportSummary(batchID: batch.id)
            summary.created = try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM batch WHERE id = ?"), arguments: [batch.id]) == nil
            if let group = batch.delivery.group,
               let other = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM batch WHERE waGroup = ? AND id != ?"), arguments: [group, batch.id]) {
                throw StoreError.groupTaken(group, batch: batch.id, by: other)
            }
            try db.cachedStatement(sql: """
                INSERT INTO batch (id, name, programme, district, timezone, start, language, mode, source, completionSessions, completionPostTest, sink, waGroup, optOutWords)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, programme = excluded.programme, district = excluded.district,
                  timezone = excluded.timezone, start = excluded.start, language = excluded.language, mode = excluded.mode,
                  source = excluded.source, completionSessions = excluded.completionSessions, completionPostTest = excluded.completionPostTest,
                  sink = excluded.sink, waGroup = excluded.waGroup, optOutWords = excluded.optOutWords
                """).execute(arguments: [batch.id, batch.name, batch.programme, batch.district, batch.timeZone.identifier, batch.start.description,
                                 batch.language.rawValue, batch.delivery.mode.rawValue, source, batch.completion.sessions,
                                 batch.completion.postTest, try batch.delivery.sink.map(BatchSink.encode),
                                 batch.delivery.group,
                                 batch.optOutWords == .default ? nil : String(decoding: try JSONEncoder().encode(batch.optOutWords), as: UTF8.self)])

            return try Self.bulk(db, batchIDs: [batch.id]) { try Self.store(db, loaded, plan: plan, prompts: prompts, now: now, into: summary) }
        }
    }

    /// The rows of an added batch: people, planned messages, queue, instruments, prompts.
    private static func store(_ db: Database, _ loaded: LoadedBatch, plan: [PlannedMessage], prompts: [Prompt], now: Date,
                              into summary: BatchImportSummary) throws -> BatchImportSummary {
        let batch = loaded.batch
        var summary = summary
        // People: the file is the truth.
        var existing: [String: Row] = [:]
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM person WHERE batchID = ?"), arguments: [batch.id]) {
            existing[row["phone"]] = row
        }
        let people = batch.participants.map { ($0, "participant") } + batch.trainers.map { ($0, "trainer") } + [(batch.admin, "admin")]
        var listed = Set<String>()
        for (position, (person, role)) in people.enumerated() {
            listed.insert(person.phone.e164)
            let disabilities = person.disabilities.map(\.rawValue).joined(separator: ";")
            let values: [DatabaseValueConvertible?] = [role, person.name, person.alias, person.district, disabilities, position]
            if let row = existing[person.phone.e164] {
                let old: [DatabaseValueConvertible?] = [row["role"] as String, row["name"] as String, row["alias"] as String?,
                                                        row["district"] as String?, row["disabilities"] as String, row["position"] as Int]
                if old.map({ $0?.databaseValue }) != values.map({ $0?.databaseValue }) {
                    try db.cachedStatement(sql: "UPDATE person SET role = ?, name = ?, alias = ?, district = ?, disabilities = ?, position = ? WHERE batchID = ? AND phone = ?")
                        .execute(arguments: StatementArguments(values + [batch.id, person.phone.e164]))
                    if role == "participant" { summary.participantsUpdated += 1 }
                }
            } else {
                var row = try BulkRow(sql: """
                    INSERT INTO person (role, name, alias, district, disabilities, position, batchID, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, in: db)
                for value in values { row.bind(value) }
                row.bind(batch.id); row.bind(person.phone.e164)
                try row.run()
                if role == "participant" { summary.participantsAdded += 1 }
            }
        }
        for (phone, row) in existing where !listed.contains(phone) {
            try db.cachedStatement(sql: "DELETE FROM person WHERE batchID = ? AND phone = ?")
                .execute(arguments: [batch.id, phone])
            if (row["role"] as String) == "participant" { summary.participantsRemoved += 1 }
        }

        // Messages that arrived from these numbers before the batch was added now belong to it.
        try db.cachedStatement(sql: """
            UPDATE inboundMessage SET batchID = ? WHERE batchID IS NULL AND phone IN (SELECT phone FROM person WHERE batchID = ?)
            """).execute(arguments: [batch.id, batch.id])

        // Planned messages: only the future is rewritten.
        var stored: [String: Row] = [:]
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM plannedMessage WHERE batchID = ?"), arguments: [batch.id]) {
            stored[row["id"]] = row
        }
        let cutoff = now.timeIntervalSince1970
        var planned = Set<String>()
        for message in plan {
            planned.insert(message.id)
            let values = Self.values(message)
            if let row = stored[message.id] {
                if (row["sendAt"] as Double) <= cutoff { summary.messagesPast += 1; continue }
                let old = Self.columns.map { (row[$0] as DatabaseValue) }
                if old != values.map({ $0?.databaseValue ?? .null }) {
                    if message.sendAt.timeIntervalSince1970 <= cutoff { summary.messagesPast += 1; continue }
                    try db.cachedStatement(sql: "UPDATE plannedMessage SET " + Self.columns.map { "\($0) = ?" }.joined(separator: ", ") + " WHERE id = ?")
                        .execute(arguments: StatementArguments(values + [message.id]))
                    summary.messagesUpdated += 1
                }
            } else if message.sendAt.timeIntervalSince1970 > cutoff || summary.created {
                var row = try BulkRow(sql: "INSERT INTO plannedMessage (id, " + Self.columns.joined(separator: ", ")
                                      + ") VALUES (?" + String(repeating: ", ?", count: Self.columns.count) + ")", in: db)
                row.bind(message.id)
                for value in values { row.bind(value) }
                try row.run()
                summary.messagesAdded += 1
            }
        }
        for (id, row) in stored where !planned.contains(id) && (row["sendAt"] as Double) > cutoff {
            try db.cachedStatement(sql: "DELETE FROM plannedMessage WHERE id = ?").execute(arguments: [id])
            summary.messagesRemoved += 1
        }

        try enqueue(db, plan: plan, batch: batch, now: now)

        try db.cachedStatement(sql: "DELETE FROM instrument WHERE batchID = ?").execute(arguments: [batch.id])
        for (id, instrument) in loaded.curriculum.instruments.sorted(by: { $0.key < $1.key }) {
            try db.cachedStatement(sql: "INSERT INTO instrument (batchID, id, definition) VALUES (?, ?, ?)")
                .execute(arguments: [batch.id, id, String(decoding: try JSONEncoder().encode(instrument), as: UTF8.self)])
        }
        try db.cachedStatement(sql: "DELETE FROM prompt WHERE batchID = ?").execute(arguments: [batch.id])
        for prompt in prompts {
            try db.cachedStatement(sql: """
                INSERT INTO prompt (batchID, key, kind, session, survey, opensAt, closesAt, instrument) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [batch.id, prompt.key, prompt.kind.rawValue, prompt.session, prompt.survey?.rawValue,
                                         prompt.opensAt.timeIntervalSince1970, prompt.closesAt.timeIntervalSince1970, prompt.instrument])
        }
        return summary
    }

    static let columns = ["batchID", "itemKey", "sequence", "day", "sendAt", "localDate", "localTime", "kind", "audience",
                          "sender", "text", "url", "filename", "session", "flags", "remindsOf", "template"]

    static func values(_ message: PlannedMessage) -> [DatabaseValueConvertible?] {
        [message.batchID, message.itemKey, message.sequence, message.day, message.sendAt.timeIntervalSince1970,
         message.date.description, message.localTime.description, message.kind.rawValue, message.audience.description,
         message.sender, message.text, message.url, message.filename, message.session,
         message.flags.map(\.rawValue).joined(separator: " "), message.remindsOf, message.template.map(StoredTemplate.encode)]
    }

    /// Batches in the store, by start date.
    public func batches() throws -> [StoredBatch] {
        try writer.read { db in
            // Each batch's line is kept by its version: a page listing 770 batches reads 770 versions, not 2,310 counts.
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, version FROM batch ORDER BY start, id")).compactMap { row in
                let id: String = row["id"], version: Int64 = row["version"]
                if let kept = model.batches.value(id, .init(version: version)) { return kept }
                guard let stored = try Self.storedBatch(db, id) else { return nil }
                model.batches.keep(stored, id, .init(version: version))
                return stored
            }
        }
    }

    public func batch(_ id: String) throws -> StoredBatch? {
        try writer.read { db in try Self.storedBatch(db, id) }
    }

    static func storedBatch(_ db: Database, _ id: String) throws -> StoredBatch? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT b.*, (SELECT COUNT(*) FROM person p WHERE p.batchID = b.id AND p.role = 'participant') AS participants,
                   (SELECT COUNT(*) FROM plannedMessage m WHERE m.batchID = b.id) AS messages,
                   (SELECT COALESCE(MAX(day), 1) FROM plannedMessage m WHERE m.batchID = b.id) AS days
            FROM batch b WHERE b.id = ?
            """), arguments: [id]).map { try StoredBatch($0) }
    }
}

/// A batch as the store holds it, for listings.
public struct StoredBatch: Sendable, Equatable {
    public var id: String
    public var name: String
    public var programme: String
    public var district: String
    public var timezone: String
    public var start: String
    public var mode: String
    public var source: String
    public var participants: Int
    public var messages: Int
    /// Days from the first to the last planned message (7 for a one-week batch).
    public var days: Int
    public var completion: CompletionRule
    /// The batch file's `delivery.sink`.
    public var sink: BatchSink
    /// The batch file's `delivery.group`.
    public var group: String?

    /// `timezone`, resolved.
    /// Whether the batch's week holds `date` (a local date in its zone).
    public func runs(on date: LocalDate) -> Bool {
        guard let start = LocalDate(start) else { return false }
        return (0..<days).contains(date.daysSinceEpoch - start.daysSinceEpoch)
    }

    public var timeZone: TimeZone

    init(_ row: Row) throws {
        id = row["id"]; name = row["name"]; programme = row["programme"]; district = row["district"]
        timezone = row["timezone"]; timeZone = try KelasDatabase.zone(row, batchID: row["id"]); start = row["start"]; mode = row["mode"]; source = row["source"]
        participants = row["participants"]; messages = row["messages"]; days = row["days"]
        completion = CompletionRule(sessions: row["completionSessions"], postTest: row["completionPostTest"])
        sink = BatchSink.decode(row["sink"])
        group = row["waGroup"]
    }
}
