import Foundation
import GRDB
import KelasCore

/// Who is signed in: an admin (everything) or a trainer (the batches that list them).
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable, CaseIterable { case admin, trainer }
    public var role: Role
    public var phone: PhoneNumber?
    public var name: String
    /// The token every form of this session carries.
    public var csrf: String
    /// The stored hash of the session id (to sign out).
    public var sessionHash: String

    public init(role: Role, phone: PhoneNumber?, name: String, csrf: String, sessionHash: String) {
        self.role = role
        self.phone = phone
        self.name = name
        self.csrf = csrf
        self.sessionHash = sessionHash
    }
}

/// One entry of `kelas access list`.
public struct AccessEntry: Sendable, Equatable {
    public var id: Int64
    public var role: Principal.Role
    public var phone: PhoneNumber?
    public var name: String
    public var createdAt: Date
    /// The sign-in link is still unused (and unexpired).
    public var linkPending: Bool
    public var revokedAt: Date?
    /// Sessions signed in with it that are still valid.
    public var sessions: Int
}

extension KelasDatabase {
    /// Gives a trainer access: `linkHash` is the hash of the one-time sign-in secret (the secret itself is printed once
    /// and never stored). The trainer must be listed in a batch of the store.
    public func addTrainerAccess(phone text: String, linkHash: String, expiresAt: Date, now: Date) throws -> (id: Int64, name: String, phone: PhoneNumber) {
        try writer.write { db in
            let phone: PhoneNumber
            switch PhoneNumber.parse(text) {
            case .success(let parsed): phone = parsed
            case .failure: throw StoreError.unknownTrainer(text, known: try Self.trainers(db))
            }
            guard let name = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM person WHERE phone = ? AND role = 'trainer' LIMIT 1"),
                                                 arguments: [phone.e164]) else {
                throw StoreError.unknownTrainer(text, known: try Self.trainers(db))
            }
            try db.execute(sql: """
                INSERT INTO access (role, phone, name, linkHash, linkExpiresAt, createdAt) VALUES ('trainer', ?, ?, ?, ?, ?)
                """, arguments: [phone.e164, name, linkHash, expiresAt.timeIntervalSince1970, now.timeIntervalSince1970])
            return (db.lastInsertedRowID, name, phone)
        }
    }

    /// A row's role; one this version cannot read is an error naming the row, never a guess.
    static func role(_ row: Row, table: String = "access") throws -> Principal.Role {
        let key = (row["id"] as Int64?).map(String.init) ?? "session"
        return try row.parsed("role", table: table, key: key, Principal.Role.init(rawValue:))
    }

    static func trainers(_ db: Database) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT name || ' ' || phone FROM person WHERE role = 'trainer' ORDER BY name"))
    }

    /// Every access given, newest first.
    public func accessList(now: Date) throws -> [AccessEntry] {
        try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT a.*, (SELECT COUNT(*) FROM session s WHERE s.accessID = a.id AND s.revokedAt IS NULL AND s.expiresAt > ?1) AS sessions
                FROM access a ORDER BY a.id DESC
                """), arguments: [now.timeIntervalSince1970]).map { row in
                AccessEntry(id: row["id"], role: try Self.role(row),
                            phone: (row["phone"] as String?).map(PhoneNumber.init(e164:)), name: row["name"],
                            createdAt: Date(timeIntervalSince1970: row["createdAt"]),
                            linkPending: (row["linkHash"] as String?) != nil && (row["linkExpiresAt"] as Double? ?? 0) > now.timeIntervalSince1970,
                            revokedAt: (row["revokedAt"] as Double?).map(Date.init(timeIntervalSince1970:)), sessions: row["sessions"])
            }
        }
    }

    /// Revokes an access (by its id, or every access of a trainer's phone): its link stops working and its sessions end.
    /// Returns how many accesses it revoked.
    @discardableResult
    public func revokeAccess(_ text: String, now: Date) throws -> Int {
        try writer.write { db in
            var ids: [Int64] = []
            // An id is a short number; a phone (08…, +62…) is at least ten digits.
            if text.count < 9, text.allSatisfy(\.isNumber), let id = Int64(text) {
                ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM access WHERE id = ?"), arguments: [id])
            } else if case .success(let phone) = PhoneNumber.parse(text) {
                ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM access WHERE phone = ?"), arguments: [phone.e164])
            }
            guard !ids.isEmpty else { throw StoreError.unknownAccess(text) }
            for id in ids {
                try db.execute(sql: "UPDATE access SET revokedAt = COALESCE(revokedAt, ?), linkHash = NULL WHERE id = ?", arguments: [now.timeIntervalSince1970, id])
                try db.execute(sql: "UPDATE session SET revokedAt = COALESCE(revokedAt, ?) WHERE accessID = ?", arguments: [now.timeIntervalSince1970, id])
            }
            return ids.count
        }
    }

    /// Signs in with a trainer's one-time link: when it is unused, unexpired and not revoked, it is used up and a
    /// session starts (only `sessionHash` is stored). Nil otherwise.
    public func redeemLink(linkHash: String, sessionHash: String, csrf: String, now: Date, lifetime: TimeInterval) throws -> Principal? {
        try writer.write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM access WHERE linkHash = ? AND revokedAt IS NULL AND linkExpiresAt > ?
                """), arguments: [linkHash, now.timeIntervalSince1970]) else { return nil }
            let id: Int64 = row["id"]
            try db.execute(sql: "UPDATE access SET linkHash = NULL WHERE id = ?", arguments: [id])
            let role = try Self.role(row)
            try db.execute(sql: """
                INSERT INTO session (idHash, accessID, role, phone, name, csrf, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [sessionHash, id, role.rawValue, row["phone"] as String?, row["name"] as String, csrf,
                                 now.timeIntervalSince1970, now.addingTimeInterval(lifetime).timeIntervalSince1970])
            return Principal(role: role, phone: (row["phone"] as String?).map(PhoneNumber.init(e164:)), name: row["name"], csrf: csrf,
                             sessionHash: sessionHash)
        }
    }

    /// Starts an admin session (after the admin token was given at the sign-in form).
    public func startAdminSession(sessionHash: String, csrf: String, now: Date, lifetime: TimeInterval) throws -> Principal {
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO session (idHash, accessID, role, phone, name, csrf, createdAt, expiresAt) VALUES (?, NULL, 'admin', NULL, 'admin', ?, ?, ?)
                """, arguments: [sessionHash, csrf, now.timeIntervalSince1970, now.addingTimeInterval(lifetime).timeIntervalSince1970])
            return Principal(role: .admin, phone: nil, name: "admin", csrf: csrf, sessionHash: sessionHash)
        }
    }

    /// The signed-in principal of a session, when it is valid now (not expired, not revoked, its access not revoked).
    public func session(hash: String, now: Date) throws -> Principal? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT s.* FROM session s LEFT JOIN access a ON a.id = s.accessID
                WHERE s.idHash = ? AND s.revokedAt IS NULL AND s.expiresAt > ? AND a.revokedAt IS NULL
                """), arguments: [hash, now.timeIntervalSince1970]) else { return nil }
            return Principal(role: try Self.role(row, table: "session"), phone: (row["phone"] as String?).map(PhoneNumber.init(e164:)),
                             name: row["name"], csrf: row["csrf"], sessionHash: hash)
        }
    }

    /// Signs a session out.
    public func endSession(hash: String, now: Date) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE session SET revokedAt = COALESCE(revokedAt, ?) WHERE idHash = ?", arguments: [now.timeIntervalSince1970, hash])
        }
    }

    /// The batches that list `phone` as a trainer.
    public func batchIDs(trainer phone: PhoneNumber) throws -> Set<String> {
        try writer.read { db in
            Set(try String.fetchAll(db.cachedStatement(sql: "SELECT batchID FROM person WHERE phone = ? AND role = 'trainer'"), arguments: [phone.e164]))
        }
    }
}
