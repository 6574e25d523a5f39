import Foundation

/// The most Kelas reads whole from one file. A batch, curriculum or scenario file is a few kilobytes, a participants
/// file of a few thousand people well under a megabyte; anything far larger is a mistake (the wrong file) or an
/// attack, and is refused before it is read, with the cap in the error. Chat exports are streamed and have no cap.
public enum FileLimits {
    /// YAML: batch, curriculum, scenario files.
    public static let yaml = 1 << 20
    /// Participants CSV.
    public static let csv = 16 << 20
    /// Webhook payload files for `kelas ingest webhook` (JSON or JSON lines), and standard input.
    public static let payloads = 256 << 20

    /// Why a file was not read.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var phrase: Phrase
        public var fixPhrase: Phrase

        init(_ key: String, _ values: [String: String]) {
            phrase = Phrase(key, values)
            fixPhrase = Phrase(key + ".fix", values)
        }

        public var description: String { phrase.description }
        public var fix: String { fixPhrase.description }

        /// What went wrong and its fix, in `localizer`'s language.
        public func text(_ localizer: Localizer) -> String { localizer(phrase) + " — " + localizer(fixPhrase) }
    }

    /// The bytes of `path`, refusing a file over `limit` before reading it (and one that grows past it while read).
    public static func read(_ path: String, limit: Int) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure("file.missing", ["path": path])
        }
        if isDirectory.boolValue { throw Failure("file.folder", ["path": path]) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Failure("file.permissions", ["path": path])
        }
        defer { try? handle.close() }
        return try read(handle, name: path, limit: limit)
    }

    /// Reads `handle` to its end (a file or standard input), refusing more than `limit` bytes.
    public static func read(_ handle: FileHandle, name: String, limit: Int) throws -> Data {
        var data = Data()
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { return data }
            data.append(chunk)
            if data.count > limit { throw tooLarge(name, limit: limit) }
        }
    }

    static func tooLarge(_ name: String, limit: Int) -> Failure {
        Failure("file.tooLarge", ["path": name, "limit": describe(limit)])
    }

    /// `1 MiB`, `256 MiB`.
    public static func describe(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }
}

extension FileLimits {
    /// A CSV file read whole (capped like a participants file), as text, or nil with the reason logged.
    public static func readCSV(_ path: String, log: DiagnosticLog) -> String? {
        readText(path, log: log, limit: csv)
    }
}
