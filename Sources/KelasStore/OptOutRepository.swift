import Foundation
import GRDB
import KelasCore

extension KelasDatabase {
    /// Who is opted out of a batch (everything stored counts, whatever a rehearsal's clock says): the latest of what they wrote in the group (a message that is only a stop or
    /// start word) and what an admin recorded, per participant.
    public func optOuts(batchID: String) throws -> [PhoneNumber: OptOutState] {
        try writer.read { db in try Self.optOuts(db, batchID: batchID) }
    }

    static func optOuts(_ db: Database, batchID: String) throws -> [PhoneNumber: OptOutState] {
        let batch = try requireBatch(db, batchID)
        let words: OptOutWords = try (batch["optOutWords"] as String?).map {
            try JSONDecoder().decode(OptOutWords.self, from: Data($0.utf8))
        } ?? .default
        var events: [(phone: PhoneNumber, at: Date, out: Bool, how: String)] = []
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT m.phone, m.sentAt, m.text FROM inboundMessage m JOIN person p ON p.batchID = m.batchID AND p.phone = m.phone
            WHERE m.batchID = ? AND p.role = 'participant' AND m.type = 'text' AND length(m.text) <= 40
            """), arguments: [batchID]) {
            let text: String? = row["text"]
            guard let out = words.meaning(of: text) else { continue }
            events.append((PhoneNumber(e164: row["phone"]), Date(timeIntervalSince1970: row["sentAt"]), out,
                           "wrote \(text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")"))
        }
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT phone, optedOut, at, note FROM optOut WHERE batchID = ? ORDER BY at, id"),
                                    arguments: [batchID]) {
            let note: String? = row["note"]
            events.append((PhoneNumber(e164: row["phone"]), Date(timeIntervalSince1970: row["at"]), row["optedOut"] as Bool,
                           "recorded by an admin" + (note.map { ": \($0)" } ?? "")))
        }
        return OptOutState.current(events)
    }

    /// Records that a participant opted out (or back in), as an admin was told: `kelas optout add|remove`.
    @discardableResult
    public func setOptOut(batchID: String, participant: String, optedOut: Bool, note: String?, now: Date) throws -> PhoneNumber {
        try writer.write { db in
            _ = try Self.requireBatch(db, batchID)
            let phone = try Self.findParticipant(db, batchID: batchID, participant)
            // Records keep the order they were made in, even when a rehearsal's clock (`KELAS_NOW`, a clock running on
            // from a fixed instant in each process) gives a later record an earlier time.
            try db.execute(sql: """
                INSERT INTO optOut (batchID, phone, optedOut, at, note)
                VALUES (?, ?, ?, MAX(?, COALESCE((SELECT MAX(at) FROM optOut WHERE batchID = ?), 0) + 0.001), ?)
                """, arguments: [batchID, phone.e164, optedOut, now.timeIntervalSince1970, batchID, note])
            return phone
        }
    }
}
