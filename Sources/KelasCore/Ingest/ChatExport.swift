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
        let n = bytes.count
        var i = 0
        @inline(__always) func at(_ k: Int) -> UInt8 { k < n ? bytes[k] : 0 }
        // A byte-order mark or left-to-right marks may precede the header.
        while true {
            if at(i) == 0xEF, at(i + 1) == 0xBB, at(i + 2) == 0xBF { i += 3; continue }
            if at(i) == 0xE2, at(i + 1) == 0x80, at(i + 2) == 0x8E || at(i + 2) == 0x8F { i += 3; continue }
            break
        }
        let bracket = at(i) == UInt8(ascii: "[")
        if bracket { i += 1 }
        func number(_ maxDigits: Int) -> (value: Int, digits: Int)? {
            var value = 0, digits = 0
            while digits < maxDigits, case let byte = at(i), byte >= 0x30, byte <= 0x39 {
                value = value * 10 + Int(byte - 0x30); digits += 1; i += 1
            }
            if digits == 0 || (at(i) >= 0x30 && at(i) <= 0x39) { return nil }
            return (value, digits)
        }
        func spaces() -> Int {
            var count = 0
            while true {
                if at(i) == 0x20 { i += 1 } else if at(i) == 0xC2, at(i + 1) == 0xA0 { i += 2 }
                else if at(i) == 0xE2, at(i + 1) == 0x80, at(i + 2) == 0xAF { i += 3 } else { return count }
                count += 1
            }
        }
        guard let a = number(4) else { return nil }
        let separator = at(i)
        guard separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") || separator == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let b = number(2), at(i) == separator else { return nil }
        i += 1
        guard let c = number(4) else { return nil }
        if at(i) == UInt8(ascii: ",") { i += 1 }
        guard spaces() > 0, let hour = number(2) else { return nil }
        let timeSeparator = at(i)
        guard timeSeparator == UInt8(ascii: ":") || timeSeparator == UInt8(ascii: ".") else { return nil }
        i += 1
        guard let minute = number(2), minute.digits == 2, minute.value < 60 else { return nil }
        dateAndTime = true
        var second = 0, hasSeconds = false
        if at(i) == timeSeparator, at(i + 1) >= 0x30, at(i + 1) <= 0x39 {
            i += 1
            guard let s = number(2), s.digits == 2, s.value < 60 else { return nil }
            second = s.value; hasSeconds = true
        }
        // An optional AM/PM or Indonesian day-part marker.
        let beforeMarker = i
        var marker: Marker?
        if spaces() > 0 {
            func word(_ text: String) -> Bool {
                var k = i
                for expected in text.utf8 {
                    let byte = at(k)
                    let lower = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                    guard lower == expected else { return false }
                    k += 1
                }
                // The marker must end here (not `pagination`).
                let next = at(k)
                guard !(next >= 0x61 && next <= 0x7A) && !(next >= 0x41 && next <= 0x5A) else { return false }
                i = k
                return true
            }
            if word("a.m.") || word("am") { marker = .am }
            else if word("p.m.") || word("pm") { marker = .pm }
            else if word("pagi") { marker = .pagi }
            else if word("siang") { marker = .siang }
            else if word("sore") { marker = .sore }
            else if word("malam") { marker = .malam }
            if marker == nil { i = beforeMarker }
        }
        if bracket {
            guard at(i) == UInt8(ascii: "]") else { return nil }
            i += 1
            _ = spaces()
        } else {
            guard spaces() > 0, at(i) == UInt8(ascii: "-") else { return nil }
            i += 1
            guard spaces() > 0 || i == n else { return nil }
        }
        let header = ChatHeader(platform: bracket ? .ios : .android, a: a.value, b: b.value, c: c.value, aDigits: a.digits,
                                cDigits: c.digits, hour: hour.value, minute: minute.value, second: second, hasSeconds: hasSeconds,
                                marker: marker, restStart: i)
        return header.hour24 == nil ? nil : header
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
    private var current: (line: Int, date: LocalDate, time: LocalTime, author: String?, text: String)?
    private var continuation: [String] = []
    /// iOS writes system lines with the group's name as author; learned from the encryption notice.
    private var groupName: String?
    /// Author column → whether it is really the start of an Android system line, and the author without marks.
    private var authors: [String: (system: Bool, name: String)] = [:]
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
            var author: String?
            var textStart = header.restStart
            // `Author: text`; no ": " means a system line.
            var k = header.restStart
            while k + 1 < line.count {
                if line[k] == 0x3A, line[k + 1] == 0x20 {
                    author = String(decoding: UnsafeBufferPointer(rebasing: line[header.restStart..<k]), as: UTF8.self)
                    textStart = k + 2
                    break
                }
                k += 1
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: line[textStart...]), as: UTF8.self)
            current = (number, date, LocalTime(hour: hour, minute: header.minute, second: header.second), author, text)
            return finished
        }
        if dateAndTime { mangled.add(line: number) }
        if current == nil { strayLines += 1 } else { continuation.append(String(decoding: line, as: UTF8.self)) }
        return nil
    }

    /// The last entry, at the end of the export.
    public mutating func finish() -> ChatEntry? {
        guard let current else { return nil }
        self.current = nil
        var text = current.text
        if !continuation.isEmpty {
            text += "\n" + continuation.joined(separator: "\n")
            continuation.removeAll(keepingCapacity: true)
        }
        return classify(line: current.line, date: current.date, time: current.time, author: current.author, text)
    }

    private mutating func classify(line: Int, date: LocalDate, time: LocalTime, author: String?, _ text: String) -> ChatEntry {
        func system(_ text: String) -> ChatEntry { ChatEntry(line: line, date: date, time: time, author: nil, text: text, kind: .other) }
        guard let author else { return system(ChatText.stripMarks(text)) }
        let known: (system: Bool, name: String)
        if let cached = authors[author] {
            known = cached
        } else {
            // Android system lines have no author; a colon in them belongs to a quoted subject.
            known = (format.platform == .android && ChatText.isSystemPhrase(author), ChatText.stripMarks(author))
            authors[author] = known
        }
        if known.system { return system(ChatText.stripMarks(author + ": " + text)) }
        if format.platform == .ios, text.unicodeScalars.first == "\u{200E}" || author == groupName, ChatText.isSystemPhrase(text) {
            if groupName == nil, ChatText.isEncryptionNotice(text) { groupName = author }
            return system(ChatText.stripMarks(text))
        }
        return ChatEntry(line: line, date: date, time: time, author: known.name, text: text, kind: ChatText.kind(of: text))
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

    /// Drops the invisible direction marks WhatsApp puts around attachments and names.
    static func stripMarks(_ text: String) -> String {
        var result = text
        result.unicodeScalars.removeAll { ["\u{200E}", "\u{200F}", "\u{202A}", "\u{202C}", "\u{2068}", "\u{2069}", "\u{FEFF}"].contains($0) }
        return result.trimmingCharacters(in: .whitespaces)
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

    /// A cheap test on bytes that lets most messages skip lower-casing and the phrase tables.
    static func mightBeSpecial(_ line: Substring.UTF8View) -> Bool {
        guard line.count <= 300 else { return false }
        var end = line.endIndex
        // Trailing spaces and direction marks (E2 80 8E/8F) do not count.
        while end > line.startIndex {
            let before = line.index(before: end)
            if line[before] == 0x20 { end = before; continue }
            if line[before] == 0x8E || line[before] == 0x8F, line.distance(from: line.startIndex, to: before) >= 2,
               line[line.index(before, offsetBy: -2)] == 0xE2 { end = line.index(before, offsetBy: -2); continue }
            break
        }
        let length = line.distance(from: line.startIndex, to: end)
        return endings.contains { ending in
            guard ending.count <= length else { return false }
            var index = line.index(end, offsetBy: -ending.count)
            for expected in ending {
                let byte = line[index]
                guard (byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte) == expected else { return false }
                index = line.index(after: index)
            }
            return true
        }
    }

    /// What a message is, from its first line: deleted, a voice note, a media placeholder or attachment, or text.
    static func kind(of text: String) -> InboundMessage.Kind {
        // Only the first line decides: an attachment's caption follows on the next lines.
        let firstLine = text.utf8.firstIndex(of: 0x0A).map { text[..<$0] } ?? Substring(text)
        guard mightBeSpecial(firstLine.utf8) else { return .text }
        let lowered = stripMarks(String(firstLine)).lowercased()
        if deleted.contains(lowered) { return .deleted }
        if let kind = omitted[lowered] { return kind }
        if lowered.hasSuffix("document omitted") || lowered.hasSuffix("dokumen tidak disertakan") { return .document }
        let attached = lowered.hasSuffix("(file attached)") || lowered.hasSuffix("(file terlampir)")
            || ((lowered.hasPrefix("<attached:") || lowered.hasPrefix("<terlampir:")) && lowered.hasSuffix(">"))
        guard attached else { return .text }
        if lowered.contains("ptt-") || lowered.contains("-audio-") { return lowered.contains(".opus") || lowered.contains("-audio-") ? .voice : .audio }
        if lowered.hasPrefix("aud-") || [".mp3", ".m4a", ".aac", ".ogg", ".wav", ".opus"].contains(where: lowered.contains) { return .audio }
        if lowered.contains("img-") || lowered.contains("-photo-") || [".jpg", ".jpeg", ".png", ".heic"].contains(where: lowered.contains) { return .image }
        if lowered.contains("stk-") || lowered.contains("-sticker-") || lowered.contains(".webp") { return .sticker }
        if lowered.contains("vid-") || lowered.contains("-video-") || [".mp4", ".3gp", ".mov"].contains(where: lowered.contains) { return .video }
        return .document
    }
}
