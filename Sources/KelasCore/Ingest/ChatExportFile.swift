import Foundation
import ZIPFoundation

/// A WhatsApp chat export on disk: the `.txt` WhatsApp writes, or the `.zip` it shares (the `.txt` inside is read).
///
/// Read as a stream of chunks and lines, never whole: memory stays flat for any size.
public struct ChatExportFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    static let chunkSize = 1 << 20

    /// True for a zip archive (by its first bytes, whatever the file is called).
    public var isZip: Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 4)) == Data([0x50, 0x4B, 0x03, 0x04])
    }

    /// Hands the export's bytes to `body` in chunks.
    public func chunks(_ body: (Data) throws -> Void) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ChatExportError.unreadable(file: path, reason: "no such file")
        }
        if isZip {
            let archive: Archive
            do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
                throw ChatExportError.unreadable(file: path, reason: "not a readable zip archive (\(error))")
            }
            let texts = archive.filter { $0.type == .file && $0.path.lowercased().hasSuffix(".txt") }
            let preferred = texts.first { entry in
                let name = (entry.path as NSString).lastPathComponent.lowercased()
                return name == "_chat.txt" || name.hasPrefix("whatsapp chat") || name.hasPrefix("chat whatsapp")
            }
            guard let entry = preferred ?? texts.first else {
                throw ChatExportError.noChatInArchive(file: path, entries: archive.map(\.path))
            }
            do {
                _ = try archive.extract(entry, bufferSize: Self.chunkSize, skipCRC32: false) { data in try body(data) }
            } catch let stop as StopReading {
                throw stop
            } catch let error as ChatExportError {
                throw error
            } catch {
                throw ChatExportError.unreadable(file: "\(path) (\(entry.path))", reason: "\(error)")
            }
            return
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ChatExportError.unreadable(file: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        while true {
            let data: Data
            do { data = try handle.read(upToCount: Self.chunkSize) ?? Data() } catch {
                throw ChatExportError.unreadable(file: path, reason: error.localizedDescription)
            }
            if data.isEmpty { return }
            try body(data)
        }
    }

    /// Hands each line (without its line break) and its 1-based number to `body`; `body` returns false to stop.
    public func lines(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Bool) throws {
        var splitter = LineSplitter()
        do {
            try chunks { data in
                try splitter.feed(data) { line, number in if try !body(line, number) { throw StopReading() } }
            }
            try splitter.finish { line, number in _ = try body(line, number) }
        } catch is StopReading {
            return
        }
    }

    /// Reads from the start until the format is settled (or the end), so a big export is not read twice in full.
    public func detectFormat(expected: ClosedRange<LocalDate>? = nil, forced: DateOrder? = nil) throws -> ChatFormat {
        var detector = ChatFormatDetector(expected: expected)
        try lines { line, _ in
            detector.feed(line)
            return !detector.isSettled
        }
        return try detector.format(file: path, forced: forced)
    }

    /// Parses every entry in order, handing each to `body`. Returns the lines that looked like headers and were not;
    /// throws `ChatExportError.mangled` (after the last entry) when they are more than a small share.
    @discardableResult
    public func entries(format: ChatFormat, _ body: (ChatEntry) throws -> Void) throws -> MangledLines {
        var parser = ChatExportParser(format: format)
        try lines { line, number in
            if let entry = parser.feed(line, number: number) { try body(entry) }
            return true
        }
        if let last = parser.finish() { try body(last) }
        if parser.mangled.tooMany(headers: parser.headers) {
            throw ChatExportError.mangled(file: path, format: format.summary, lines: parser.mangled, headers: parser.headers)
        }
        return parser.mangled
    }

    struct StopReading: Error {}
}

/// Splits chunks of bytes into lines, carrying a line cut by a chunk boundary over to the next chunk.
struct LineSplitter {
    private var carry: [UInt8] = []
    private(set) var lineNumber = 0

    mutating func feed(_ data: Data, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                guard let newline = Self.index(of: 0x0A, in: bytes, from: start) else {
                    carry.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
                    return
                }
                if carry.isEmpty {
                    try emit(UnsafeBufferPointer(rebasing: bytes[start..<newline]), body)
                } else {
                    carry.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<newline]))
                    let line = carry
                    carry.removeAll(keepingCapacity: true)
                    try line.withUnsafeBufferPointer { try emit($0, body) }
                }
                start = newline + 1
            }
        }
    }

    mutating func finish(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        guard !carry.isEmpty else { return }
        let line = carry
        carry.removeAll()
        try line.withUnsafeBufferPointer { try emit($0, body) }
    }

    private mutating func emit(_ line: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        lineNumber += 1
        var end = line.count
        if end > 0, line[end - 1] == 0x0D { end -= 1 }
        try body(UnsafeBufferPointer(rebasing: line[..<end]), lineNumber)
    }

    private static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
              let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
