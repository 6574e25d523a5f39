import Foundation
import GRDB
import KelasCore

extension KelasDatabase {
    /// Stores a simulated week as a real batch would be: the batch and its plan, every message of the group, the
    /// trainers' calls as `phoned` marks and the survey answers they typed (as `kelas results set` does), then the
    /// statuses as of the week's end — in one transaction. The outbox entries are closed as `skipped` ("simulated") so
    /// `kelas run` never sends a simulated batch.
    public func store(_ week: SimulatedWeek, source: String) throws {
        try addSimulated(week.batch, curriculum: week.curriculum, source: source)
        _ = try store(batch: week.batch, messages: week.messages, calls: week.calls, source: source) { meanwhile, typed in
            try meanwhile()
            for typing in week.typed { try typed(typing) }
            return week
        }
    }

    /// Simulates a week and stores it as `store(_:source:)` does, each half beside other work: the batch is added while
    /// the chat is made (`Simulator.chat()`) on another thread, then the chat's messages are stored while another thread
    /// tracks and scores it (`Simulator.finish`), and the answers trainers typed are stored as that thread decides them.
    /// Returns the week, the same as `simulator.run()`.
    public func store(_ simulator: Simulator, source: String) throws -> SimulatedWeek {
        let chat = Background { simulator.chat() }
        try addSimulated(simulator.batch, curriculum: simulator.curriculum, source: source)
        let made = chat.value
        return try store(batch: simulator.batch, messages: made.messages, calls: made.calls, source: source) { meanwhile, typed in
            // Scored on another thread from now on; each typed survey comes over as it is decided.
            try stream(group: 16, ahead: 16, produce: { emit in simulator.finish(made) { typing in try? emit(typing) } },
                       meanwhile: meanwhile, consume: typed)
        }
    }

    /// The simulated batch as a group batch, with its plan, added the day before it starts.
    private func addSimulated(_ simulated: Batch, curriculum: Curriculum, source: String) throws {
        var batch = simulated
        batch.delivery.mode = .group
        let before = KelasTimeZone.instant(batch.start, LocalTime(secondsOfDay: 0), in: batch.timeZone).addingTimeInterval(-86_400)
        _ = try addBatch(LoadedBatch(batch: batch, curriculum: curriculum), source: source, now: before)
    }

    /// The week's rows in one bulk transaction. `scored` gives the week: it runs `meanwhile` (the messages and calls
    /// stored) and hands each survey a trainer typed to `typed`, as it comes (from a finished week, or from a thread
    /// still scoring it).
    private func store(batch: Batch, messages: [SimulatedMessage], calls: [SimulatedCall], source: String,
                       scored: (_ meanwhile: () throws -> Void, _ typed: (SimulatedTyping) throws -> Void) throws -> SimulatedWeek) throws -> SimulatedWeek {
        try writer.write { db in
            try Self.bulk(db, batchIDs: [batch.id]) {
                let batchID = batch.id
                var typedRows = TypedRows(db, batchID: batchID)
                let week = try scored({
                    var summary = IngestSummary()
                    // Made and laid out on another thread while this one stores, 64 to a statement (as a chat export).
                    try Self.storeStreaming(db, batchID: batchID, source: source, into: &summary) { emit in
                        for message in SimulatedWeek.inbound(messages, batchID: batchID) { try emit(message) }
                    }
                    let mark = try db.cachedStatement(sql: "INSERT INTO mark (batchID, phone, session, kind, note, at) VALUES (?, ?, ?, 'phoned', ?, ?)")
                    for call in calls where call.reached {
                        var row = BulkRow(mark, in: db)
                        row.bind(batchID); row.bind(call.phone.e164); row.bind(call.session); row.bind("simulated call")
                        row.bind(call.at.timeIntervalSince1970)
                        try row.run()
                    }
                }, { typing in try typedRows.add(typing) })
                try typedRows.flush()
                try db.cachedStatement(sql: """
                    UPDATE outbox SET state = 'skipped', lastError = 'simulated: posted by the simulator', leaseUntil = NULL
                    WHERE batchID = ? AND state IN ('queued', 'claimed')
                    """).execute(arguments: [batchID])
                return week
            }
        }
    }

    /// The answers trainers typed, `typedRows` to a statement (a week of 100,000 participants has a million), the rest
    /// one by one.
    private struct TypedRows {
        let db: Database
        let batchID: String
        private var pending: [(phone: String, survey: String, statement: Int, option: Int, at: Double)] = []

        init(_ db: Database, batchID: String) {
            self.db = db
            self.batchID = batchID
            pending.reserveCapacity(KelasDatabase.typedRows)
        }

        mutating func add(_ typing: SimulatedTyping) throws {
            for (statement, option) in typing.options.enumerated() {
                pending.append((typing.phone.e164, typing.survey.rawValue, statement, Int(option), typing.at.timeIntervalSince1970))
                if pending.count == KelasDatabase.typedRows { try flush() }
            }
        }

        mutating func flush() throws {
            defer { pending.removeAll(keepingCapacity: true) }
            let full = pending.count == KelasDatabase.typedRows
            var row = BulkRow(try db.cachedStatement(sql: KelasDatabase.typedSQL(rows: full ? KelasDatabase.typedRows : 1)), in: db)
            for answer in pending {
                if row.bound == 0 { row.bind(batchID) }
                row.bind(answer.phone); row.bind(answer.survey); row.bind(answer.statement); row.bind(answer.option); row.bind(answer.at)
                if !full { try row.run() }
            }
            if full { try row.run() }
        }
    }

    static let typedRows = 64

    /// Inserts `rows` typed answers of one batch: the batch is parameter 1, each row's phone, survey, statement, option
    /// and time follow. Many rows to a statement journal the pages they change (in memory: `temp_store`), since a row
    /// refused by a constraint undoes the whole statement.
    static func typedSQL(rows: Int) -> String {
        let values = (0..<rows).map { row in
            let first = 2 + row * 5
            return "(?1, ?\(first), ?\(first + 1), ?\(first + 2), ?\(first + 3), 'trainer', ?\(first + 4))"
        }
        return "INSERT INTO surveyAnswer (batchID, phone, survey, statement, option, source, at) VALUES " + values.joined(separator: ", ")
    }
}
