import Foundation
import GRDB
import KelasCore

extension KelasDatabase {
    /// Stores a simulated week as a real batch would be: the batch and its plan, every message of the group, the
    /// trainers' calls as `phoned` marks and the survey answers they typed (as `kelas results set` does), then the
    /// statuses as of the week's end — in one transaction. The outbox entries are closed as `skipped` ("simulated") so
    /// `kelas run` never sends a simulated batch.
    public func store(_ week: SimulatedWeek, source: String) throws {
        _ = try store(batch: week.batch, curriculum: week.curriculum, messages: week.messages, calls: week.calls, source: source) { week }
    }

    /// Stores a simulated chat (`Simulator.chat()`) as `store(_:source:)` stores its week, while `finish` — tracking and
    /// scoring it (`Simulator.finish`) — runs on another thread: the messages are stored meanwhile, the answers trainers
    /// typed once it is done. Returns the week `finish` made.
    public func store(_ chat: SimulatedChat, source: String, finishing finish: @escaping @Sendable () -> SimulatedWeek) throws -> SimulatedWeek {
        let week = Background(finish)
        return try store(batch: chat.batch, curriculum: chat.curriculum, messages: chat.messages, calls: chat.calls, source: source) {
            week.value
        }
    }

    private func store(batch simulated: Batch, curriculum: Curriculum, messages: [SimulatedMessage], calls: [SimulatedCall], source: String,
                       week: () -> SimulatedWeek) throws -> SimulatedWeek {
        var batch = simulated
        batch.delivery.mode = .group
        let before = KelasTimeZone.instant(batch.start, LocalTime(secondsOfDay: 0), in: batch.timeZone).addingTimeInterval(-86_400)
        _ = try addBatch(LoadedBatch(batch: batch, curriculum: curriculum), source: source, now: before)
        return try writer.write { db in
            try Self.bulk(db, batchIDs: [batch.id]) {
                var summary = IngestSummary()
                // Made and laid out on another thread while this one stores, 64 to a statement (as a chat export).
                let batchID = batch.id
                try Self.storeStreaming(db, batchID: batchID, source: source, into: &summary) { emit in
                    for message in SimulatedWeek.inbound(messages, batchID: batchID) { try emit(message) }
                }
                let mark = try db.cachedStatement(sql: "INSERT INTO mark (batchID, phone, session, kind, note, at) VALUES (?, ?, ?, 'phoned', ?, ?)")
                for call in calls where call.reached {
                    var row = BulkRow(mark, in: db)
                    row.bind(batch.id); row.bind(call.phone.e164); row.bind(call.session); row.bind("simulated call")
                    row.bind(call.at.timeIntervalSince1970)
                    try row.run()
                }
                // The answers trainers typed, `typedRows` to a statement (a week of 100,000 participants has a million).
                let week = week()
                let one = try db.cachedStatement(sql: Self.typedSQL(rows: 1))
                let many = try db.cachedStatement(sql: Self.typedSQL(rows: Self.typedRows))
                var pending: [(phone: String, survey: String, statement: Int, option: Int, at: Double)] = []
                pending.reserveCapacity(Self.typedRows)
                func flush() throws {
                    var row = BulkRow(pending.count == Self.typedRows ? many : one, in: db)
                    for answer in pending {
                        if row.bound == 0 { row.bind(batch.id) }
                        row.bind(answer.phone); row.bind(answer.survey); row.bind(answer.statement); row.bind(answer.option); row.bind(answer.at)
                        if pending.count < Self.typedRows { try row.run() }
                    }
                    if pending.count == Self.typedRows { try row.run() }
                    pending.removeAll(keepingCapacity: true)
                }
                for typing in week.typed {
                    for (statement, option) in typing.answers.sorted(by: { $0.key < $1.key }) {
                        pending.append((typing.phone.e164, typing.survey.rawValue, statement, option, typing.at.timeIntervalSince1970))
                        if pending.count == Self.typedRows { try flush() }
                    }
                }
                try flush()
                try db.cachedStatement(sql: """
                    UPDATE outbox SET state = 'skipped', lastError = 'simulated: posted by the simulator', leaseUntil = NULL
                    WHERE batchID = ? AND state IN ('queued', 'claimed')
                    """).execute(arguments: [batch.id])
                return week
            }
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
