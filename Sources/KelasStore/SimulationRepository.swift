import Foundation
import GRDB
import KelasCore

extension KelasDatabase {
    /// Stores a simulated week as a real batch would be: the batch and its plan, every message of the group, the
    /// trainers' calls as `phoned` marks and the survey answers they typed (as `kelas results set` does), then the statuses as of the week's end — in one transaction. The outbox
    /// entries are closed as `skipped` ("simulated") so `kelas run` never sends a simulated batch.
    public func store(_ week: SimulatedWeek, source: String) throws {
        var batch = week.batch
        batch.delivery.mode = .group
        let before = KelasTimeZone.instant(batch.start, LocalTime(secondsOfDay: 0), in: batch.timeZone).addingTimeInterval(-86_400)
        _ = try addBatch(LoadedBatch(batch: batch, curriculum: week.curriculum), source: source, now: before)
        try writer.write { db in
            try Self.bulk(db, batchIDs: [batch.id]) {
                var summary = IngestSummary()
                // Made and laid out on another thread while this one stores, 64 to a statement (as a chat export).
                try Self.storeStreaming(db, batchID: batch.id, source: source, into: &summary) { emit in
                    for message in week.inboundMessages() { try emit(message) }
                }
                let mark = try db.cachedStatement(sql: "INSERT INTO mark (batchID, phone, session, kind, note, at) VALUES (?, ?, ?, 'phoned', ?, ?)")
                for call in week.calls where call.reached {
                    var row = BulkRow(mark, in: db)
                    row.bind(batch.id); row.bind(call.phone.e164); row.bind(call.session); row.bind("simulated call")
                    row.bind(call.at.timeIntervalSince1970)
                    try row.run()
                }
                let typed = try db.cachedStatement(sql: """
                    INSERT INTO surveyAnswer (batchID, phone, survey, statement, option, source, at) VALUES (?, ?, ?, ?, ?, 'trainer', ?)
                    """)
                for typing in week.typed {
                    for (statement, option) in typing.answers.sorted(by: { $0.key < $1.key }) {
                        var row = BulkRow(typed, in: db)
                        row.bind(batch.id); row.bind(typing.phone.e164); row.bind(typing.survey.rawValue); row.bind(statement)
                        row.bind(option); row.bind(typing.at.timeIntervalSince1970)
                        try row.run()
                    }
                }
                try db.cachedStatement(sql: """
                    UPDATE outbox SET state = 'skipped', lastError = 'simulated: posted by the simulator', leaseUntil = NULL
                    WHERE batchID = ? AND state IN ('queued', 'claimed')
                    """).execute(arguments: [batch.id])
            }
        }
    }
}
