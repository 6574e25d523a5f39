import Foundation

/// The order of day, month and year in an export's dates.
public enum DateOrder: String, Sendable, Hashable, CaseIterable {
    case dmy, mdy, ymd, ydm

    /// `day/month/year`, in the reader's language.
    public var pattern: Phrase { Phrase("chat.order." + rawValue) }
}

/// How an export writes its message headers, as detected (or forced).
public struct ChatFormat: Sendable, Hashable, CustomStringConvertible {
    public enum Platform: String, Sendable, Hashable {
        /// `12/07/21 07.30 - Name: text`
        case android
        /// `[12/07/21 07.30.15] Name: text`
        case ios
    }

    public var platform: Platform
    public var dateOrder: DateOrder
    public var twelveHour: Bool
    public var seconds: Bool
    /// Why this date order: detected from the dates, forced, or chosen among ambiguous ones.
    public var why: Phrase

    /// `why` in English.
    public var reason: String { why.description }

    public init(platform: Platform, dateOrder: DateOrder, twelveHour: Bool = false, seconds: Bool = false, why: Phrase = .verbatim("")) {
        self.platform = platform
        self.dateOrder = dateOrder
        self.twelveHour = twelveHour
        self.seconds = seconds
        self.why = why
    }

    /// `android dmy 24h`: the short form used in JSON.
    public var description: String { "\(platform.rawValue) \(dateOrder.rawValue) \(twelveHour ? "12h" : "24h")" }

    /// `Android, day/month/year, 24-hour clock`: for people, in their language.
    public var summaryPhrase: Phrase {
        Phrase(twelveHour ? (seconds ? "chat.format12s" : "chat.format12") : (seconds ? "chat.format24s" : "chat.format24"),
               ["platform": platform == .android ? "Android" : "iOS"], parts: ["order": dateOrder.pattern])
    }

    /// `summaryPhrase` in English.
    public var summary: String { summaryPhrase.description }
}

/// One message or system line of an export, with its local date and time as written.
public struct ChatEntry: Sendable, Hashable {
    /// The export line on which the entry starts (1-based).
    public var line: Int
    public var date: LocalDate
    public var time: LocalTime
    /// `nil` for system lines (joined, left, added, subject changed, encryption notices…).
    public var author: String?
    /// The whole text, lines joined with `\n`.
    public var text: String
    /// What the message is; `.other` for system lines.
    public var kind: InboundMessage.Kind
    /// The parser's number for the author's column (the same for each message of one author in one export), so that
    /// the import can recognise an author without hashing the name again; nil for system lines.
    var authorNumber: Int?

    public var isSystem: Bool { author == nil }
}

/// What can go wrong reading an export.
public enum ChatExportError: Error, Sendable, Equatable, CustomStringConvertible {
    case noMessages(file: String)
    case noChatInArchive(file: String, entries: [String])
    case unreadable(file: String, reason: String)
    /// Too many lines look like headers and do not parse: nothing was stored.
    case mangled(file: String, format: String, lines: MangledLines, headers: Int)

    /// What went wrong and what to do, in the reader's language.
    public var phrase: Phrase {
        switch self {
        case .noMessages(let file):
            Phrase("chat.noMessages", ["file": file])
        case .noChatInArchive(let file, let entries):
            Phrase("chat.noChat", ["file": file, "entries": entries.prefix(5).joined(separator: ", ") + (entries.count > 5 ? ", …" : "")])
        case .unreadable(let file, let reason):
            Phrase("file.unreadable", ["path": file, "problem": reason])
        case .mangled(let file, let format, let lines, let headers):
            Phrase("chat.mangled", ["file": file, "count": String(lines.count), "format": format, "lines": lines.listed, "headers": String(headers)])
        }
    }

    public var description: String { phrase.description }
}

/// The date, time and start of the rest of a header line, before the date order is known.
struct ChatHeader {
    enum Marker { case am, pm, pagi, siang, sore, malam }

    var platform: ChatFormat.Platform
    var a: Int, b: Int, c: Int
    var aDigits: Int, cDigits: Int
    var hour: Int, minute: Int, second: Int
    var hasSeconds: Bool
    var marker: Marker?
    /// Byte offset where `Author: text` (or the system text) begins.
    var restStart: Int

    /// The 24-hour clock hour, or nil when the hour does not fit the marker.
    var hour24: Int? {
        guard let marker else { return hour <= 23 ? hour : nil }
        guard (1...12).contains(hour) || (hour == 0 && marker != .pm) else { return nil }
        switch marker {
        case .am, .pagi: return hour == 12 ? 0 : hour
        case .pm, .sore: return hour == 12 ? 12 : hour + 12
        case .siang: return hour >= 11 ? hour : hour + 12
        case .malam: return hour == 12 ? 0 : (hour >= 6 ? hour + 12 : hour)
        }
    }

    func date(_ order: DateOrder) -> LocalDate? {
        let (day, month, year): (Int, Int, Int)
        switch order {
        case .dmy: (day, month, year) = (a, b, c)
        case .mdy: (day, month, year) = (b, a, c)
        case .ymd, .ydm:
            // The year first: 2 or 4 digits, then day and month of at most 2.
            guard aDigits == 4 || aDigits == 2, cDigits <= 2 else { return nil }
            (day, month, year) = order == .ymd ? (c, b, a) : (b, c, a)
        }
        if (order == .dmy || order == .mdy) && aDigits > 2 { return nil }
        let fullYear = year < 100 ? 2000 + year : year
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: fullYear) else { return nil }
        return LocalDate(year: fullYear, month: month, day: day)
    }

    /// Reads the header at the start of a line, or nil when the line is not one (a continuation line).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> ChatHeader? {
        var dateAndTime = false
        return read(bytes, dateAndTime: &dateAndTime)
    }

    /// Like `read(_:)`; `dateAndTime` tells whether the line at least starts with a date and a time, as a header does
    /// (a line that does and is still no header is mangled, not a continuation).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, dateAndTime: inout Bool) -> ChatHeader? {
        var cursor = ByteCursor(bytes)
        // A byte-order mark or left-to-right marks may precede the header.
        while true {
            if cursor.at(0) == 0xEF, cursor.at(1) == 0xBB, cursor.at(2) == 0xBF { cursor.i += 3; continue }
            if cursor.at(0) == 0xE2, cursor.at(1) == 0x80, cursor.at(2) == 0x8E || cursor.at(2) == 0x8F { cursor.i += 3; continue }
            break
        }
        let bracket = cursor.at(0) == UInt8(ascii: "[")
        if bracket { cursor.i += 1 }
        guard let a = cursor.number(4) else { return nil }
        let separator = cursor.at(0)
        guard separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") || separator == UInt8(ascii: "-") else { return nil }
        cursor.i += 1
        guard let b = cursor.number(2), cursor.at(0) == separator else { return nil }
        cursor.i += 1
        guard let c = cursor.number(4) else { return nil }
        if cursor.at(0) == UInt8(ascii: ",") { cursor.i += 1 }
        guard cursor.spaces() > 0, let hour = cursor.number(2) else { return nil }
        let timeSeparator = cursor.at(0)
        guard timeSeparator == UInt8(ascii: ":") || timeSeparator == UInt8(ascii: ".") else { return nil }
        cursor.i += 1
        guard let minute = cursor.number(2), minute.digits == 2, minute.value < 60 else { return nil }
        dateAndTime = true
        var second = 0, hasSeconds = false
        if cursor.at(0) == timeSeparator, cursor.at(1) >= 0x30, cursor.at(1) <= 0x39 {
            cursor.i += 1
            guard let s = cursor.number(2), s.digits == 2, s.value < 60 else { return nil }
            second = s.value; hasSeconds = true
        }
        // An optional AM/PM or Indonesian day-part marker.
        var marker: Marker?
        let beforeMarker = cursor.i
        if cursor.spaces() > 0 {
            if cursor.word("a.m.") || cursor.word("am") { marker = .am }
            else if cursor.word("p.m.") || cursor.word("pm") { marker = .pm }
            else if cursor.word("pagi") { marker = .pagi }
            else if cursor.word("siang") { marker = .siang }
            else if cursor.word("sore") { marker = .sore }
            else if cursor.word("malam") { marker = .malam }
            if marker == nil { cursor.i = beforeMarker }
        }
        if bracket {
            guard cursor.at(0) == UInt8(ascii: "]") else { return nil }
            cursor.i += 1
            _ = cursor.spaces()
        } else {
            guard cursor.spaces() > 0, cursor.at(0) == UInt8(ascii: "-") else { return nil }
            cursor.i += 1
            guard cursor.spaces() > 0 || cursor.i == bytes.count else { return nil }
        }
        let header = ChatHeader(platform: bracket ? .ios : .android, a: a.value, b: b.value, c: c.value, aDigits: a.digits,
                                cDigits: c.digits, hour: hour.value, minute: minute.value, second: second, hasSeconds: hasSeconds,
                                marker: marker, restStart: cursor.i)
        return header.hour24 == nil ? nil : header
    }
}

/// Reads a header's numbers, spaces and words from the start of a line, byte by byte (0 past the end).
private struct ByteCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The byte `offset` past the cursor, or 0 past the end.
    @inline(__always) func at(_ offset: Int) -> UInt8 {
        let k = i + offset
        return k < bytes.count ? bytes[k] : 0
    }

    /// Up to `maxDigits` digits, and no digit after them.
    mutating func number(_ maxDigits: Int) -> (value: Int, digits: Int)? {
        var value = 0, digits = 0
        while digits < maxDigits, case let byte = at(0), byte >= 0x30, byte <= 0x39 {
            value = value * 10 + Int(byte - 0x30); digits += 1; i += 1
        }
        if digits == 0 || (at(0) >= 0x30 && at(0) <= 0x39) { return nil }
        return (value, digits)
    }

    /// Skips spaces (plain, no-break and narrow no-break) and says how many there were.
    mutating func spaces() -> Int {
        var count = 0
        while true {
            if at(0) == 0x20 { i += 1 } else if at(0) == 0xC2, at(1) == 0xA0 { i += 2 }
            else if at(0) == 0xE2, at(1) == 0x80, at(2) == 0xAF { i += 3 } else { return count }
            count += 1
        }
    }

    /// Skips `text` (lower case; the line's case ignored) when it is there and a whole word (not `pagination`).
    mutating func word(_ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        let start = text.utf8Start
        for offset in 0..<length {
            let byte = at(offset)
            let lower = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            guard lower == start[offset] else { return false }
        }
        let next = at(length)
        guard !(next >= 0x61 && next <= 0x7A) && !(next >= 0x41 && next <= 0x5A) else { return false }
        i += length
        return true
    }
}

/// Decides an export's platform and date order from its header lines, one line at a time.
public struct ChatFormatDetector {
    public private(set) var headers = 0
    private var platforms: [ChatFormat.Platform: Int] = [:]
    /// Header lines each date order can read: a stray mangled line must not decide the format.
    private var readable: [DateOrder: Int] = [:]
    private var lastDate: [DateOrder: LocalDate] = [:]
    private var outOfOrder: [DateOrder: Int] = [:]
    private var inBatch: [DateOrder: Int] = [:]
    private var twelveHour = false
    private var seconds = false
    /// Some header read with a two-digit year first.
    private var shortYearFirst = false
    private let expected: ClosedRange<LocalDate>?

    /// `expected`: the dates the chat should cover (the batch's week), to settle a date order the dates leave open.
    public init(expected: ClosedRange<LocalDate>? = nil) {
        self.expected = expected
    }

    /// True once the format is settled and reading further would not change it (50 headers, so that one mangled line
    /// early on cannot decide).
    public var isSettled: Bool { headers >= 50 && contenders.count == 1 }

    /// The orders that read every header line, or all but 2 % of them (from 50 lines on: a stray mangled line).
    var viable: Set<DateOrder> {
        let needed = headers - headers / 50
        return Set(DateOrder.allCases.filter { (readable[$0] ?? 0) >= needed })
    }

    /// The viable orders, less a two-digit year first (`21-05-07`): a rare way to write dates, while most day-first
    /// dates also read as one. It stays in the running only when no day- or month-first order does, or when it alone
    /// puts the dates in the batch's week.
    var contenders: Set<DateOrder> {
        let candidates = viable
        let usual = candidates.intersection([.dmy, .mdy])
        guard !usual.isEmpty, shortYearFirst else { return candidates }
        let best = usual.map { inBatch[$0] ?? 0 }.max() ?? 0
        return candidates.filter { usual.contains($0) || (inBatch[$0] ?? 0) > best }
    }

    public mutating func feed(_ line: UnsafeBufferPointer<UInt8>) {
        guard let header = ChatHeader.read(line) else { return }
        let fitting = DateOrder.allCases.filter { header.date($0) != nil }
        // A line no order can read is a continuation that happens to start like a date: ignore it.
        guard !fitting.isEmpty else { return }
        for order in fitting { readable[order, default: 0] += 1 }
        headers += 1
        platforms[header.platform, default: 0] += 1
        if header.marker != nil { twelveHour = true }
        if header.hasSeconds { seconds = true }
        if header.aDigits == 2, fitting.contains(.ymd) || fitting.contains(.ydm) { shortYearFirst = true }
        for order in fitting {
            guard let date = header.date(order) else { continue }
            if let last = lastDate[order], date < last { outOfOrder[order, default: 0] += 1 }
            lastDate[order] = date
            if let expected, expected.contains(date) { inBatch[order, default: 0] += 1 }
        }
    }

    /// The format, with the date order forced when `forced` is given.
    public func format(file: String, forced: DateOrder? = nil) throws -> ChatFormat {
        guard headers > 0 else { throw ChatExportError.noMessages(file: file) }
        let platform: ChatFormat.Platform = (platforms[.ios] ?? 0) > (platforms[.android] ?? 0) ? .ios : .android
        if let forced {
            return ChatFormat(platform: platform, dateOrder: forced, twelveHour: twelveHour, seconds: seconds, why: Phrase("chat.forced"))
        }
        let preference: [DateOrder] = [.dmy, .mdy, .ymd, .ydm]
        let candidates = contenders
        let ranked = candidates.sorted {
            (outOfOrder[$0] ?? 0, -(inBatch[$0] ?? 0), preference.firstIndex(of: $0) ?? 0)
                < (outOfOrder[$1] ?? 0, -(inBatch[$1] ?? 0), preference.firstIndex(of: $1) ?? 0)
        }
        guard let chosen = ranked.first else { throw ChatExportError.noMessages(file: file) }
        var reason = Phrase("chat.detected")
        if ranked.count > 1, let runnerUp = ranked.dropFirst().first {
            let because = if (outOfOrder[chosen] ?? 0) < (outOfOrder[runnerUp] ?? 0) { Phrase("chat.inOrder") }
                else if (inBatch[chosen] ?? 0) > (inBatch[runnerUp] ?? 0) { Phrase("chat.inWeek") }
                else { Phrase("chat.usual") }
            reason = Phrase("chat.ambiguous", parts: ["other": runnerUp.pattern, "chosen": chosen.pattern, "because": because])
        }
        return ChatFormat(platform: platform, dateOrder: chosen, twelveHour: twelveHour, seconds: seconds, why: reason)
    }
}

/// Lines of an export that look like headers and are not: how many, and the first ones' numbers.
public struct MangledLines: Sendable, Hashable, Codable {
    public var count = 0
    /// The first `shown` line numbers.
    public var lines: [Int] = []
    static let shown = 20

    mutating func add(line: Int) {
        count += 1
        if lines.count < Self.shown { lines.append(line) }
    }

    /// `14, 15, 92 and 3 more`.
    public var listed: String {
        lines.map(String.init).joined(separator: ", ") + (count > lines.count ? " and \(count - lines.count) more" : "")
    }

    /// More than a small share of the headers: the export is not what the format says, and storing it would lose or
    /// misplace messages. The share: 2 % of the header lines, and at least 3 lines.
    public func tooMany(headers: Int) -> Bool { count > max(2, headers / 50) }
}

/// Turns export lines into entries, one line at a time: memory stays flat however long the export.
public struct ChatExportParser {
    public let format: ChatFormat
    /// The entry being read: its header, and its text's bytes so far (continuation lines joined with `\n`).
    private var current: Pending?
    private struct Pending {
        var line: Int
        var date: LocalDate
        var time: LocalTime
        /// The author's number in `authorList`.
        var author: Int?
        var kind: InboundMessage.Kind
        /// The text so far: the first line, then each continuation line after a `\n`.
        var text: String
    }
    /// iOS writes system lines with the group's name as author; learned from the encryption notice.
    private var groupName: String?
    /// Author column → whether it is really the start of an Android system line, and the author without marks.
    private var authorTable = ByteKeyTable()
    /// Author columns by number (`authorTable`'s): as written, whether it is really the start of an Android system
    /// line, and the author without marks.
    private var authorList: [Author] = []
    private struct Author {
        var column: String
        var system: Bool
        var name: String
    }
    /// Lines before the first header (not part of any message).
    public private(set) var strayLines = 0
    /// Lines that start with a date and a time as a header does, yet are not one of this format's headers (a date
    /// this order cannot read, another platform's form, a header cut short): kept as text of the message before, and
    /// counted so that they are never lost unseen.
    public private(set) var mangled = MangledLines()
    /// Header lines read.
    public private(set) var headers = 0

    public init(format: ChatFormat) {
        self.format = format
    }

    /// Reads one line; returns the previous entry when this line starts a new one.
    public mutating func feed(_ line: UnsafeBufferPointer<UInt8>, number: Int) -> ChatEntry? {
        var dateAndTime = false
        let read = ChatHeader.read(line, dateAndTime: &dateAndTime)
        if let header = read, header.platform == format.platform, let date = header.date(format.dateOrder),
           let hour = header.hour24 {
            headers += 1
            let finished = finish()
            var author: Int?
            var textStart = header.restStart
            // `Author: text`; no ": " means a system line.
            if let base = line.baseAddress, header.restStart < line.count {
                var k = header.restStart
                while let colon = memchr(base + k, 0x3A, line.count - k).map({ base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }) {
                    guard colon + 1 < line.count else { break }
                    if line[colon + 1] == 0x20 {
                        author = self.number(ofAuthor: UnsafeBufferPointer(rebasing: line[header.restStart..<colon]))
                        textStart = colon + 2
                        break
                    }
                    k = colon + 1
                }
            }
            let firstLine = UnsafeBufferPointer(rebasing: line[textStart...])
            // Only the first line decides what a message is: an attachment's caption follows on the next lines.
            current = Pending(line: number, date: date, time: LocalTime(hour: hour, minute: header.minute, second: header.second),
                              author: author, kind: ChatText.kind(firstLine: firstLine), text: String(decoding: firstLine, as: UTF8.self))
            return finished
        }
        if dateAndTime { mangled.add(line: number) }
        if current == nil {
            strayLines += 1
        } else {
            current?.text.append("\n")
            current?.text.append(String(decoding: line, as: UTF8.self))
        }
        return nil
    }

    /// The number of an author column, learning whether it is an Android system line and its name without marks the
    /// first time it is seen.
    private mutating func number(ofAuthor column: UnsafeBufferPointer<UInt8>) -> Int {
        let (number, isNew) = authorTable.number(of: column)
        if isNew {
            let written = String(decoding: column, as: UTF8.self)
            // Android system lines have no author; a colon in them belongs to a quoted subject.
            authorList.append(Author(column: written, system: format.platform == .android && ChatText.isSystemPhrase(written),
                                     name: ChatText.stripMarks(written)))
        }
        return number
    }

    /// The last entry, at the end of the export.
    public mutating func finish() -> ChatEntry? {
        guard let current else { return nil }
        self.current = nil
        return classify(line: current.line, date: current.date, time: current.time, author: current.author, kind: current.kind,
                        current.text)
    }

    private mutating func classify(line: Int, date: LocalDate, time: LocalTime, author number: Int?, kind: InboundMessage.Kind,
                                   _ text: String) -> ChatEntry {
        func system(_ text: String) -> ChatEntry { ChatEntry(line: line, date: date, time: time, author: nil, text: text, kind: .other) }
        guard let number else { return system(ChatText.stripMarks(text)) }
        let known = authorList[number]
        let author = known.column
        if known.system { return system(ChatText.stripMarks(author + ": " + text)) }
        if format.platform == .ios, text.unicodeScalars.first == "\u{200E}" || author == groupName, ChatText.isSystemPhrase(text) {
            if groupName == nil, ChatText.isEncryptionNotice(text) { groupName = author }
            return system(ChatText.stripMarks(text))
        }
        return ChatEntry(line: line, date: date, time: time, author: known.name, text: text, kind: kind, authorNumber: number)
    }
}

/// The words of exports, in English and Indonesian.
enum ChatText {
    /// Phrases of system lines; matched as whole words, case ignored.
    static let systemPhrases = [
        // English
        "end-to-end encrypted", "secured with end-to-end encryption", "created group", "created this group", "added",
        "removed", "left", "joined using this group's invite link", "joined using this group’s invite link", "joined",
        "changed the subject", "changed this group's icon", "changed this group’s icon", "changed the group description",
        "deleted this group's icon", "changed their phone number", "security code changed", "security code with",
        "changed to +", "is now an admin", "you're now an admin", "you’re now an admin", "changed the group settings",
        "changed this group's settings",
        // Indonesian
        "terenkripsi secara end-to-end", "dienkripsi secara end-to-end", "membuat grup", "menambahkan", "mengeluarkan",
        "keluar", "bergabung menggunakan tautan undangan grup ini", "bergabung", "mengubah subjek", "mengubah ikon grup",
        "mengubah deskripsi grup", "menghapus ikon grup", "mengganti nomor teleponnya", "kode keamanan",
        "sekarang adalah admin", "anda sekarang admin", "mengubah setelan grup",
    ]

    static func isSystemPhrase(_ text: String) -> Bool {
        let lowered = stripMarks(text).lowercased()
        return systemPhrases.contains { containsWord(lowered, $0) }
    }

    static func isEncryptionNotice(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.contains("end-to-end")
    }

    /// `phrase` occurs in `text` with no letter right before or after it.
    static func containsWord(_ text: String, _ phrase: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: phrase, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if !(before?.isLetter ?? false) && !(after?.isLetter ?? false) { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }

    /// The invisible direction marks WhatsApp puts around attachments and names.
    static let marks: Set<Unicode.Scalar> = ["\u{200E}", "\u{200F}", "\u{202A}", "\u{202C}", "\u{2068}", "\u{2069}", "\u{FEFF}"]

    /// Drops the invisible direction marks and the surrounding white space (tabs and space separators).
    static func stripMarks(_ text: String) -> String {
        // Most text is plain ASCII: only spaces and tabs at either end can go.
        if !text.utf8.contains(where: { $0 >= 0x80 }) {
            let utf8 = text.utf8
            guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
                  let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
            return first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) ? text : String(text[first...last])
        }
        func blank(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !marks.contains(scalar) {
            if scalars.isEmpty, blank(scalar) { continue }
            scalars.append(scalar)
        }
        while let last = scalars.last, blank(last) { scalars.removeLast() }
        return String(scalars)
    }

    static let deleted: Set<String> = [
        "this message was deleted", "you deleted this message", "pesan ini telah dihapus", "anda menghapus pesan ini",
    ]
    static let omitted: [String: InboundMessage.Kind] = [
        "<media omitted>": .media, "<media tidak disertakan>": .media, "<media dihapus>": .media,
        "image omitted": .image, "video omitted": .video, "audio omitted": .voice, "document omitted": .document,
        "sticker omitted": .sticker, "gif omitted": .video, "contact card omitted": .other,
        "gambar tidak disertakan": .image, "video tidak disertakan": .video, "audio tidak disertakan": .voice,
        "dokumen tidak disertakan": .document, "stiker tidak disertakan": .sticker, "gif tidak disertakan": .video,
        "kartu kontak tidak disertakan": .other,
    ]

    /// Endings of placeholders and attachment lines, lower case: anything else is plain text, without a closer look.
    static let endings: [[UInt8]] = ["omitted", "disertakan", "dihapus", "deleted", "message", "ini", ">", ")"].map { Array($0.utf8) }

    /// A cheap test on the bytes of a message's first line that lets most messages skip lower-casing and the phrase
    /// tables: only a line ending like a placeholder or an attachment can be one.
    static func mightBeSpecial(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard line.count <= 300 else { return false }
        var end = line.count
        // Trailing spaces and direction marks (E2 80 8E/8F) do not count.
        while end > 0 {
            if line[end - 1] == 0x20 { end -= 1; continue }
            if line[end - 1] == 0x8E || line[end - 1] == 0x8F, end >= 3, line[end - 3] == 0xE2, line[end - 2] == 0x80 { end -= 3; continue }
            break
        }
        return endings.contains { ending in
            guard ending.count <= end else { return false }
            var index = end - ending.count
            for expected in ending {
                let byte = line[index]
                guard (byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte) == expected else { return false }
                index += 1
            }
            return true
        }
    }

    /// What a message is, from the bytes of its first line: deleted, a voice note, a media placeholder or
    /// attachment, or text.
    static func kind(firstLine: UnsafeBufferPointer<UInt8>) -> InboundMessage.Kind {
        guard mightBeSpecial(firstLine) else { return .text }
        return kind(special: String(decoding: firstLine, as: UTF8.self))
    }

    /// What a first line that might be special is.
    private static func kind(special firstLine: String) -> InboundMessage.Kind {
        let lowered = stripMarks(firstLine).lowercased()
        if deleted.contains(lowered) { return .deleted }
        if let kind = omitted[lowered] { return kind }
        let bytes = Array(lowered.utf8)
        func has(_ needle: StaticString) -> Bool { bytes.contains(needle) }
        func starts(_ prefix: StaticString) -> Bool { bytes.starts(with: prefix) }
        func ends(_ suffix: StaticString) -> Bool { bytes.ends(with: suffix) }
        if ends("document omitted") || ends("dokumen tidak disertakan") { return .document }
        let attached = ends("(file attached)") || ends("(file terlampir)")
            || ((starts("<attached:") || starts("<terlampir:")) && ends(">"))
        guard attached else { return .text }
        if has("ptt-") || has("-audio-") { return has(".opus") || has("-audio-") ? .voice : .audio }
        if starts("aud-") || has(".mp3") || has(".m4a") || has(".aac") || has(".ogg") || has(".wav") || has(".opus") { return .audio }
        if has("img-") || has("-photo-") || has(".jpg") || has(".jpeg") || has(".png") || has(".heic") { return .image }
        if has("stk-") || has("-sticker-") || has(".webp") { return .sticker }
        if has("vid-") || has("-video-") || has(".mp4") || has(".3gp") || has(".mov") { return .video }
        return .document
    }
}

fileprivate extension Array where Element == UInt8 {
    /// The bytes of `needle` occur somewhere in these.
    func contains(_ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard pattern.count <= count else { return false }
        return withUnsafeBufferPointer { bytes in
            (0...(bytes.count - pattern.count)).contains { start in
                UnsafeBufferPointer(rebasing: bytes[start..<(start + pattern.count)]).elementsEqual(pattern)
            }
        }
    }

    func starts(with prefix: StaticString) -> Bool {
        starts(with: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
    }

    func ends(with suffix: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
        return pattern.count <= count && self[(count - pattern.count)...].elementsEqual(pattern)
    }
}

/// A small hash table from byte strings to numbers 0, 1, 2, … in the order first seen: recognises a byte string
/// without making a String of it (an export's author columns, looked up once per message).
struct ByteKeyTable {
    /// Open addressing, linear probing; -1 is an empty slot. At most half full.
    private var slots = [Int](repeating: -1, count: 64)
    private var keys: [[UInt8]] = []
    private var hashes: [UInt64] = []

    /// How many byte strings it holds.
    var count: Int { keys.count }

    /// The number of `key`, and whether it was new (and now has the next number).
    mutating func number(of key: UnsafeBufferPointer<UInt8>) -> (number: Int, isNew: Bool) {
        var digest = FNV1a()
        digest.add(bytes: key)
        let hash = digest.value
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while case let number = slots[slot], number >= 0 {
            if hashes[number] == hash, keys[number].withUnsafeBufferPointer({ $0.elementsEqual(key) }) { return (number, false) }
            slot = (slot + 1) & mask
        }
        let number = keys.count
        keys.append(Array(key))
        hashes.append(hash)
        slots[slot] = number
        if keys.count * 2 > slots.count { grow() }
        return (number, true)
    }

    private mutating func grow() {
        slots = [Int](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (number, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = number
        }
    }
}
