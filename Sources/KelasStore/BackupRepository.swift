import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a backup holds, checked on the copy itself.
public struct BackupSummary: Sendable, Equatable {
    public var batches: Int
    public var messages: Int
    public var outbox: Int
    public var bytes: Int
}

/// Why a backup was not written.
public struct BackupError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension KelasDatabase {
    /// Writes a consistent copy of the store to `path` with SQLite's online backup (the store as of one moment, while
    /// the server keeps writing), checks the copy's integrity, and only then moves it into place: `path` is never
    /// half-written, and a failed backup leaves whatever was there.
    public func backup(to path: String) throws -> BackupSummary {
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let copy = try DatabaseQueue(path: partial)
            try writer.backup(to: copy)
            let summary = try copy.read { db -> BackupSummary in
                let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard check == ["ok"] else { throw BackupError(description: "the copy failed its integrity check: \(check.prefix(3).joined(separator: "; "))") }
                return BackupSummary(batches: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batch") ?? 0,
                                     messages: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inboundMessage") ?? 0,
                                     outbox: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0, bytes: 0)
            }
            try copy.close()
            guard rename(partial, path) == 0 else {
                throw BackupError(description: "cannot move the copy to \(path): \(String(cString: strerror(errno)))")
            }
            var result = summary
            result.bytes = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
            return result
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}
