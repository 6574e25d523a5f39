import Foundation
import GRDB
import KelasCore

/// A trainer's mark as stored (`kelas mark`, or the buttons of `/today`).
public struct StoredMark: Sendable, Equatable {
    public var id: Int64
    public var phone: PhoneNumber
    public var session: Int
    public var kind: MarkKind
    public var note: String?
    public var at: Date
}

/// A participant's latest answer in a prompt's window: its text, or a voice note.
public struct LatestAnswer: Sendable, Equatable {
    public var text: String?
    public var isVoice: Bool
    /// A voice note's length, when the gateway said.
    public var seconds: Int?
    public var at: Date
}

extension KelasDatabase {
    /// A batch's prompts, in the order they open.
    public func prompts(batchID: String) throws -> [Prompt] {
        try writer.read { db in try Self.prompts(db, batchID: batchID) }
    }

    /// Each participant's latest answer between `from` and `to` (what the trainer's page shows under a discussion).
    public func latestAnswers(batchID: String, from: Date, to: Date) throws -> [PhoneNumber: LatestAnswer] {
        try writer.read { db in
            var answers: [PhoneNumber: LatestAnswer] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT m.phone, m.text, m.isVoice, m.seconds, m.sentAt FROM inboundMessage m JOIN person p ON p.batchID = m.batchID AND p.phone = m.phone
                WHERE m.batchID = ? AND p.role = 'participant' AND m.sentAt >= ? AND m.sentAt <= ? AND m.type NOT IN ('reaction', 'deleted', 'sticker')
                ORDER BY m.sentAt
                """), arguments: [batchID, from.timeIntervalSince1970, to.timeIntervalSince1970]) {
                answers[PhoneNumber(e164: row["phone"])] = LatestAnswer(text: row["text"], isVoice: row["isVoice"], seconds: row["seconds"],
                                                                        at: Date(timeIntervalSince1970: row["sentAt"]))
            }
            return answers
        }
    }

    /// A batch's marks made since `since`, newest first.
    public func marks(batchID: String, since: Date) throws -> [StoredMark] {
        try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM mark WHERE batchID = ? AND at >= ? ORDER BY at DESC, id DESC"),
                             arguments: [batchID, since.timeIntervalSince1970]).map { row in
                StoredMark(id: row["id"], phone: PhoneNumber(e164: row["phone"]), session: row["session"],
                           kind: try row.parsed("kind", table: "mark", key: String(row["id"] as Int64), MarkKind.init(rawValue:)),
                           note: row["note"], at: Date(timeIntervalSince1970: row["at"]))
            }
        }
    }

    /// Takes a mark back (the undo of `/today`) and updates the statuses. False when the batch has no such mark.
    @discardableResult
    public func undoMark(batchID: String, id: Int64, now: Date) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM mark WHERE batchID = ? AND id = ?", arguments: [batchID, id])
            return db.changesCount > 0
        }
    }
}
