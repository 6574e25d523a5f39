import Foundation
import GRDB
import KelasCore

/// What an ingest added to the store. Ingesting the same input again adds nothing.
public struct IngestSummary: Sendable, Equatable {
    /// New inbound messages, per batch id ("" for messages from numbers in no batch).
    public var added: [String: Int] = [:]
    /// Messages the store already had (the same webhook twice, or an overlapping export).
    public var duplicates = 0
    public var statusesAdded = 0
    public var statusDuplicates = 0
    /// Authors or numbers that match no person, with how many messages each sent.
    public var unmatched: [String: Int] = [:]

    public init() {}

    public var messagesAdded: Int { added.values.reduce(0, +) }

    /// Adds another ingest's counts to these.
    public mutating func add(_ other: IngestSummary) {
        for (batch, count) in other.added { added[batch, default: 0] += count }
        duplicates += other.duplicates
        statusesAdded += other.statusesAdded
        statusDuplicates += other.statusDuplicates
        for (who, count) in other.unmatched { unmatched[who, default: 0] += count }
    }
}

extension KelasDatabase {
    /// Stores the messages and statuses of webhook payloads in one transaction, then updates the statuses of the
    /// batches they touched. Each message goes to the batch its sender belongs to (the latest one that started by then
    /// when they are in several); messages from unknown numbers are kept and claimed when a batch lists the number.
    /// The batches that gained messages move to a new version (the read model rebuilds them when next read).
    public func ingest(_ content: WebhookContent, source: String, now: Date) throws -> IngestSummary {
        try writer.write { db in try Self.ingest(db, content, source: source, now: now) }
    }

    static func ingest(_ db: Database, _ content: WebhookContent, source: String, now: Date) throws -> IngestSummary {
        var summary = IngestSummary()
        var router = BatchRouter(db)
        let learn = try db.cachedStatement(sql: """
            INSERT INTO lidMap (lid, phone, learnedAt) VALUES (?, ?, ?) ON CONFLICT(lid) DO UPDATE SET phone = excluded.phone, learnedAt = excluded.learnedAt
            """)
        for var message in content.messages {
            // The lid ↔ phone pair, whenever a payload carries both.
            if let lid = message.lid, let phone = message.phone, try router.phone(ofLid: lid) != phone {
                try learn.execute(arguments: [lid, phone.e164, now.timeIntervalSince1970])
                router.learn(lid: lid, phone: phone)
            }
            let batchID: String?
            if let group = message.groupID, let named = try router.batch(ofGroup: group) {
                // A group message belongs to the batch naming its group, exactly.
                batchID = named
                if message.phone == nil { message.phone = try router.sender(of: message, in: named) }
            } else if message.viaGateway && message.groupID != nil {
                batchID = nil   // a group no batch names: kept and listed, never guessed from numbers
            } else {
                if message.phone == nil, let lid = message.lid { message.phone = try router.phone(ofLid: lid) }
                batchID = try message.phone.flatMap { try router.batch(of: $0, at: message.sentAt) }
            }
            if batchID == nil || message.phone == nil {
                summary.unmatched[message.phone?.e164 ?? [message.author, message.lid].compactMap { $0 }.joined(separator: " "), default: 0] += 1
            }
            try Self.insert(db, message, batchID: batchID, source: source, into: &summary)
        }
        let insertStatus = try db.cachedStatement(sql: """
            INSERT INTO deliveryStatus (messageID, recipient, state, at, errorCode, errorTitle, source)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        for status in content.statuses {
            try insertStatus.execute(arguments: [status.messageID, status.recipient, status.state.rawValue,
                                                 status.at.timeIntervalSince1970, status.errorCode, status.errorTitle, source])
            if db.changesCount > 0 { summary.statusesAdded += 1 } else { summary.statusDuplicates += 1 }
        }
        try Self.touch(db, batchIDs: summary.added.keys)
        return summary
    }

    /// Gives batches a new version (what triggers do for every other table, done once per transaction for the new
    /// inbound messages `insert` adds: see migration v14).
    static func touch(_ db: Database, batchIDs: some Collection<String>) throws {
        let batches = batchIDs.filter { !$0.isEmpty }
        guard !batches.isEmpty else { return }
        try db.cachedStatement(sql: "UPDATE storeVersion SET version = version + 1").execute()
        let move = try db.cachedStatement(sql: "UPDATE batch SET version = (SELECT version FROM storeVersion) WHERE id = ?")
        for batchID in batches { try move.execute(arguments: [batchID]) }
    }

    /// Runs `body` as a bulk write inside the current transaction: the triggers that move a batch's version for each
    /// row stand aside (migration v15), and `batchIDs` — every batch `body` writes to — move once at the end.
    static func bulk<T>(_ db: Database, batchIDs: some Collection<String>, _ body: () throws -> T) throws -> T {
        // (Nested: the inner one ends it early, and the rest runs with the triggers: slower, never wrong.)
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO bulkWrite (id) VALUES (1)").execute()
        let result: T
        do { result = try body() } catch {
            // The transaction should roll back; if a caller goes on with it instead, the triggers must be back.
            try? db.execute(sql: "DELETE FROM bulkWrite")
            throw error
        }
        try db.cachedStatement(sql: "DELETE FROM bulkWrite").execute()
        try touch(db, batchIDs: batchIDs)
        return result
    }

    /// Stores messages of one batch (a chat export) in one transaction: `produce` hands each message to `insert` as
    /// it is parsed, so a large export streams into the store. If `produce` throws, nothing is stored.
    public func ingest(batchID: String, source: String, now: Date,
                       _ produce: (_ insert: (InboundMessage) throws -> Void) throws -> Void) throws -> IngestSummary {
        try bulkIngest(batchID: batchID) { db, summary in
            let rows = BatchRows(db, batchID: batchID, source: source)
            try InboundRows.grouping(produce) { group in try rows.store(group, into: &summary) }
        }.1
    }

    /// One transaction storing many messages into a batch, with a page cache to match; its batch moves once at the end.
    private func bulkIngest<T>(batchID: String, _ body: (Database, inout IngestSummary) throws -> T) throws -> (T, IngestSummary) {
        try writer.write { db in
            _ = try Self.requireBatch(db, batchID)
            // A large export inserts ids at random places of the primary key's index: a 64 MB page cache (not the
            // 2 MB default) keeps most of it in memory for the length of this transaction.
            let cache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            try db.execute(sql: "PRAGMA cache_size = -65536")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cache)") }
            var summary = IngestSummary()
            let result = try body(db, &summary)
            try Self.touch(db, batchIDs: summary.added.keys)
            return (result, summary)
        }
    }

    /// Stores the messages `produce` emits into a batch, 64 to a statement: `produce` runs on another thread, where
    /// its messages are also laid out for storing (`InboundRows`), while this one only binds and steps (`stream`).
    /// Returns what `produce` returned. Within the caller's transaction; the caller moves the batch's version.
    static func storeStreaming<Outcome: Sendable>(_ db: Database, batchID: String, source: String, into summary: inout IngestSummary,
                                                  _ produce: @escaping @Sendable (_ emit: (InboundMessage) throws -> Void) throws -> Outcome) throws -> Outcome {
        let rows = BatchRows(db, batchID: batchID, source: source)
        return try stream(group: 4, produce: { emit in try InboundRows.grouping(produce, emit) },
                          consume: { group in try rows.store(group, into: &summary) })
    }

    /// The context to read a batch's chat export in: its people (with `me`, who the export calls "You"), its time
    /// zone, and the dates its chat should cover (a week before the start to a month after the last day).
    public func chatContext(batchID: String, me: String? = nil) throws -> ChatContext {
        try writer.read { db in
            let batch = try Self.requireBatch(db, batchID)
            var people = PeopleDirectory(try Row.fetchAll(db, sql: "SELECT phone, name, alias, role FROM person WHERE batchID = ? ORDER BY position",
                                                          arguments: [batchID]).map { row in
                PeopleDirectory.Person(phone: PhoneNumber(e164: row["phone"]), name: row["name"], alias: row["alias"],
                                       role: try row.parsed("role", table: "person", key: "\(batchID)/\(row["phone"] as String)",
                                                            PeopleDirectory.Role.init(rawValue:)))
            })
            if let me {
                guard let person = people.find(me) else { throw StoreError.unknownExporter(me, batch: batchID) }
                people.me = person
            }
            let start = try Self.start(batch, batchID: batchID)
            let days = try Int.fetchOne(db, sql: "SELECT MAX(day) FROM plannedMessage WHERE batchID = ?", arguments: [batchID]) ?? 7
            // A batch with an export stored before v20 keeps that export's id form (see `ChatMessageIDs`).
            let digestOnly = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM chatDigestIDs WHERE batchID = ?)",
                                               arguments: [batchID]) ?? false
            return ChatContext(batchID: batchID, people: people, timeZone: try Self.zone(batch, batchID: batchID),
                               expected: start.adding(days: -7)...start.adding(days: days + 30),
                               ids: digestOnly ? .digestOnly : .timeOrdered)
        }
    }

    /// Reads a chat export into its batch in one transaction, streaming: what the format was, what the export held,
    /// and what was new. The export is parsed, and its messages laid out for storing (`InboundRows`), on another thread
    /// while this one stores what is ready (`stream`): this thread's work is SQLite's alone.
    public func ingest(chat export: ChatExportFile, context: ChatContext, dateOrder: DateOrder? = nil, now: Date,
                       detected: (ChatFormat) -> Void = { _ in }) throws -> (format: ChatFormat, stats: ChatExportStats, summary: IngestSummary) {
        let format = try export.detectFormat(expected: context.expected, forced: dateOrder)
        detected(format)
        let (stats, summary) = try bulkIngest(batchID: context.batchID) { db, summary in
            try Self.storeStreaming(db, batchID: context.batchID, source: export.path, into: &summary) { emit in
                try export.read(context, format: format, emit)
            }
        }
        return (format, stats, summary)
    }

    /// A batch's time zone, for the dispatcher's local times.
    public func timeZone(batchID: String) throws -> TimeZone {
        try writer.read { db in try Self.zone(try Self.requireBatch(db, batchID), batchID: batchID) }
    }

    /// The batch row, or the error that names the batches there are.
    static func requireBatch(_ db: Database, _ batchID: String) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [batchID]) else {
            throw StoreError.unknownBatch(batchID, known: try String.fetchAll(db, sql: "SELECT id FROM batch ORDER BY start, id"))
        }
        return row
    }

    /// Inserts one message unless its id is stored.
    private static let insertOne = """
        INSERT INTO inboundMessage (id, batchID, phone, author, sentAt, type, isVoice, text, quoting, source, groupID, mentions, seconds)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
        """

    /// Inserts one message unless its id is stored; a stored message without a sender or batch gains them.
    static func insert(_ db: Database, _ message: InboundMessage, batchID: String?, source: String, into summary: inout IngestSummary) throws {
        var row = BulkRow(try db.cachedStatement(sql: insertOne), in: db)
        row.bind(message.id); row.bind(batchID); row.bind(message.phone?.e164); row.bind(message.author)
        row.bind(message.sentAt.timeIntervalSince1970); row.bind(message.kind.rawValue); row.bind(message.kind == .voice)
        row.bind(message.text); row.bind(message.quoting); row.bind(source); row.bind(message.groupID)
        row.bind(mentions(message)); row.bind(message.seconds)
        try row.run()
        if db.changesCount > 0 {
            summary.added[batchID ?? "", default: 0] += 1
            return
        }
        summary.duplicates += 1
        try fill(db, message, batchID: batchID)
    }

    static func mentions(_ message: InboundMessage) -> String {
        message.mentions.isEmpty ? "" : message.mentions.map(\.e164).joined(separator: " ")
    }

    /// The messages of one batch (a chat export), inserted `InboundRows.size` to a statement: one statement per
    /// message cost SQLite more in starting and ending it than in storing the row. Counts what was added; when a
    /// statement adds fewer rows than it had, the store already had some of them, and each of its messages fills the
    /// gaps of a stored copy (`fill` changes nothing where there is none), exactly as one at a time.
    ///
    /// The statement is `INSERT OR IGNORE`, not `ON CONFLICT(id) DO NOTHING`: one of many rows that could abort
    /// half-way makes SQLite keep a statement journal in a temporary file (2.5 million writes for a 50 MB export). With
    /// `OR IGNORE` none can abort — but a row breaking another constraint would be skipped in silence, so
    /// `InboundRows.append` refuses the one value that could (a time that is not a number, stored as NULL). The batch
    /// and source are parameters 1 and 2, shared by every row; the texts are read in place from the group's buffer.
    struct BatchRows {
        /// Parameters of each row after the two shared ones.
        private static let perRow = 11
        static let sql: String = {
            let rows = (0..<InboundRows.size).map { row in
                let first = 3 + row * perRow
                let own = (0..<perRow).map { "?\(first + $0)" }
                // id, batchID, phone, author, sentAt, type, isVoice, text, quoting, source, groupID, mentions, seconds
                return "(" + ([own[0], "?1"] + own[1...7] + ["?2"] + own[8...10]).joined(separator: ", ") + ")"
            }
            return """
                INSERT OR IGNORE INTO inboundMessage (id, batchID, phone, author, sentAt, type, isVoice, text, quoting, source, groupID, mentions, seconds)
                VALUES \(rows.joined(separator: ", "))
                """
        }()

        let db: Database
        let batchID: String
        let source: String

        init(_ db: Database, batchID: String, source: String) {
            self.db = db
            self.batchID = batchID
            self.source = source
        }

        /// Stores a group: a full one in one statement, a short one (the end of an ingest) one message at a time.
        func store(_ rows: InboundRows, into summary: inout IngestSummary) throws {
            for (author, count) in rows.unmatched { summary.unmatched[author, default: 0] += count }
            guard rows.isFull else {
                for message in rows.messages { try KelasDatabase.insert(db, message, batchID: batchID, source: source, into: &summary) }
                return
            }
            let statement = try db.cachedStatement(sql: Self.sql)
            try rows.texts.withUnsafeBufferPointer { texts in
                var row = BulkRow(statement, in: db)
                row.bind(batchID); row.bind(source)
                var span = rows.spans.makeIterator()
                func text() { row.bind(texts, span.next() ?? nil) }
                for message in rows.messages {
                    text(); text(); text()                                      // id, phone, author
                    row.bind(message.sentAt.timeIntervalSince1970)
                    text(); row.bind(message.kind == .voice)                    // type, isVoice
                    text(); text(); text(); text()                              // text, quoting, groupID, mentions
                    row.bind(message.seconds)
                }
                // Nothing may read the buffer once it is gone.
                defer { row.clear() }
                try row.run()
            }
            let added = db.changesCount
            if added > 0 { summary.added[batchID, default: 0] += added }
            guard added < rows.messages.count else { return }
            summary.duplicates += rows.messages.count - added
            for message in rows.messages { try KelasDatabase.fill(db, message, batchID: batchID) }
        }
    }

    /// An author matched since the last import (an alias added to the batch file) fills in the gap of a stored copy.
    fileprivate static func fill(_ db: Database, _ message: InboundMessage, batchID: String?) throws {
        guard message.phone != nil || batchID != nil else { return }
        let fill = try db.cachedStatement(sql: """
            UPDATE inboundMessage SET phone = COALESCE(phone, ?1), batchID = COALESCE(batchID, ?2)
            WHERE id = ?3 AND ((phone IS NULL AND ?1 IS NOT NULL) OR (batchID IS NULL AND ?2 IS NOT NULL))
            """)
        try fill.execute(arguments: [message.phone?.e164, batchID, message.id])
    }
}

/// Finds the batch a sender's message belongs to: among the batches that list the number, the latest that had
/// started by the message's day (else the earliest). Looks each number, group and hidden id up by an index when first
/// asked (`person_phone`, `batchByGroup`, `lidMap`'s key) and remembers it for the rest of the ingest: the cost of an
/// ingest follows its messages, not the number of people stored.
struct BatchRouter {
    private let db: Database
    private var batchesOf: [PhoneNumber: [(id: String, start: Date)]] = [:]
    private var groups: [String: String?] = [:]
    /// Hidden ids learnt with their phones (nil: looked up, none).
    private var knownLids: [String: PhoneNumber?] = [:]
    /// Per batch: people by lower-cased name and alias (nil when two share one), for senders known only by push name.
    private var names: [String: [String: PhoneNumber?]] = [:]

    init(_ db: Database) {
        self.db = db
    }

    /// The batch naming `group` as its `delivery.group`.
    mutating func batch(ofGroup group: String) throws -> String? {
        if let known = groups[group] { return known }
        let id = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM batch WHERE waGroup = ?"), arguments: [group])
        groups[group] = .some(id)
        return id
    }

    /// The phone learnt for a hidden id.
    mutating func phone(ofLid lid: String) throws -> PhoneNumber? {
        if let known = knownLids[lid] { return known }
        let phone = try String.fetchOne(db.cachedStatement(sql: "SELECT phone FROM lidMap WHERE lid = ?"), arguments: [lid])
            .map { PhoneNumber(e164: $0) }
        knownLids[lid] = .some(phone)
        return phone
    }

    /// Remembers a pair learnt from this ingest's payloads.
    mutating func learn(lid: String, phone: PhoneNumber) { knownLids[lid] = .some(phone) }

    /// The participant behind a group sender without a number: by their lid (learnt), else by push name against the
    /// batch's names and aliases when exactly one person has it.
    mutating func sender(of message: InboundMessage, in batchID: String) throws -> PhoneNumber? {
        if let lid = message.lid, let phone = try phone(ofLid: lid) { return phone }
        if names[batchID] == nil {
            var table: [String: PhoneNumber?] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT phone, name, alias FROM person WHERE batchID = ?"),
                                        arguments: [batchID]) {
                let phone = PhoneNumber(e164: row["phone"])
                for name in [row["name"] as String?, row["alias"] as String?].compactMap({ $0?.lowercased() }) where !name.isEmpty {
                    if let existing = table[name] {
                        if existing != phone { table[name] = .some(nil) }
                    } else {
                        table[name] = .some(phone)
                    }
                }
            }
            names[batchID] = table
        }
        let name = message.author.trimmingCharacters(in: .whitespaces).lowercased()
        return names[batchID]?[name] ?? nil
    }

    mutating func batch(of phone: PhoneNumber, at: Date) throws -> String? {
        if batchesOf[phone] == nil {
            // A statement prepared once per connection: preparing it for every sender was a tenth of a webhook's cost.
            batchesOf[phone] = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT b.id, b.start, b.timezone FROM person p JOIN batch b ON b.id = p.batchID WHERE p.phone = ?
                """), arguments: [phone.e164]).map { row in
                let id: String = row["id"]
                return (id, KelasTimeZone.instant(try KelasDatabase.start(row, batchID: id), LocalTime(secondsOfDay: 0),
                                                  in: try KelasDatabase.zone(row, batchID: id)))
            }.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        }
        guard let batches = batchesOf[phone] else { return nil }
        return (batches.last { $0.start <= at } ?? batches.first)?.id
    }
}

/// Up to `size` messages of one batch laid out for `BatchRows`: their texts one after another in one buffer, and where
/// each begins and ends (`nil`: NULL), in the statement's order. Made where the messages are made — a chat export's
/// parsing thread — so that the thread storing them only binds and steps.
struct InboundRows: Sendable {
    static let size = 64
    private(set) var messages: [InboundMessage] = []
    private(set) var texts: [UInt8] = []
    private(set) var spans: [Range<Int>?] = []
    /// Authors matched to nobody, with how many of these messages each sent.
    private(set) var unmatched: [String: Int] = [:]

    init() {
        messages.reserveCapacity(Self.size)
        spans.reserveCapacity(Self.size * 8)
    }

    var isFull: Bool { messages.count == Self.size }

    /// Lays out what `produce` emits in full groups, handing each to `handOver` as it fills, then the last (short,
    /// perhaps empty) one; returns what `produce` returns.
    static func grouping<T>(_ produce: (_ emit: (InboundMessage) throws -> Void) throws -> T,
                            _ handOver: (InboundRows) throws -> Void) throws -> T {
        var group = InboundRows()
        // `handOver` is only called while `produce` runs (two closures the compiler cannot tell apart from re-entry).
        let result = try withoutActuallyEscaping(handOver) { handOver in
            try produce { message in
                try group.append(message)
                if group.isFull {
                    try handOver(group)
                    group = InboundRows()
                }
            }
        }
        try handOver(group)
        return result
    }

    mutating func append(_ message: InboundMessage) throws {
        // Every other NOT NULL column is bound from a value that is never nil (see `BatchRows`).
        guard message.sentAt.timeIntervalSince1970.isFinite else {
            throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_NOTNULL, message: "NOT NULL constraint failed: inboundMessage.sentAt (message \(message.id))")
        }
        if message.phone == nil { unmatched[message.author, default: 0] += 1 }
        put(message.id); put(message.phone?.e164); put(message.author); put(message.kind.rawValue)
        put(message.text); put(message.quoting); put(message.groupID); put(KelasDatabase.mentions(message))
        messages.append(message)
    }

    private mutating func put(_ text: String?) {
        guard var text else { return spans.append(nil) }
        let start = texts.count
        text.withUTF8 { texts.append(contentsOf: $0) }
        spans.append(start..<texts.count)
    }
}
