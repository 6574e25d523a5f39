import Foundation

/// Counts of an export, as `kelas ingest chat --dry-run` prints them.
public struct ChatExportStats: Sendable, Hashable, Codable {
    public struct Author: Sendable, Hashable, Codable {
        public var name: String
        /// The participant's phone number when the author is a participant of the batch.
        public var participant: String?
        /// participant, trainer or admin; nil when unmatched.
        public var role: String?
        public var messages: Int
        public var voiceNotes: Int

        enum CodingKeys: String, CodingKey { case name, participant, role, messages, voiceNotes }

        /// Unmatched authors keep `"participant": null`, so every author has the same keys.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(participant, forKey: .participant)
            try container.encode(role, forKey: .role)
            try container.encode(messages, forKey: .messages)
            try container.encode(voiceNotes, forKey: .voiceNotes)
        }
    }

    public var format: String
    public var messages = 0
    public var voiceNotes = 0
    public var media = 0
    public var deleted = 0
    public var systemLines = 0
    public var authors: [Author] = []
    public var unmatched: [String] = []
    /// Lines that looked like headers and were not (kept as message text), with the first ones' numbers.
    public var mangled = MangledLines()

    public init(format: String) {
        self.format = format
    }
}

/// Turns an export's entries into inbound messages of one batch: matches authors, resolves @-mentions,
/// gives each message an id that is the same in any later export of the same chat, and tallies what it saw.
public struct ChatImport {
    public let batchID: String
    public let people: PeopleDirectory
    public let timeZone: TimeZone
    /// How message ids are written (`ChatMessageIDs`).
    public let ids: ChatMessageIDs
    public private(set) var stats: ChatExportStats
    /// Each author seen: where in `stats.authors`, and who it is (nil: nobody of the batch).
    private var authors: [String: Author] = [:]
    /// The same by the parser's author number (a column written with and without marks is one author).
    private var byNumber: [Author?] = []
    /// An author of the export: the name, where in `stats.authors`, and who it is.
    public struct Author: Sendable {
        public var name: String
        /// Where in `stats.authors`.
        public var index: Int
        /// The person's number, nil when nobody of the batch.
        public var phone: PhoneNumber?
        /// A trainer or admin, whose @-mentions count.
        public var mentions: Bool
    }
    /// Occurrences of one (author, text) in the current minute so far (by digest), so two identical "ok"s in a
    /// minute stay two messages.
    private var occurrences: [UInt64: Int] = [:]
    /// The digest of the batch id, where every message id's digest starts.
    private let batchDigest: FNV1a
    private var occurrenceMinute: Minute?
    private struct Minute: Equatable {
        var date: LocalDate
        var time: LocalTime
    }
    /// The last day seen: its days since 1970 and the zone's offset that day.
    private var dayCache: (date: LocalDate, days: Int, offset: Int)?

    public init(batchID: String, people: PeopleDirectory, timeZone: TimeZone, format: ChatFormat, ids: ChatMessageIDs = .timeOrdered) {
        self.batchID = batchID
        self.people = people
        self.timeZone = timeZone
        self.ids = ids
        self.stats = ChatExportStats(format: format.description)
        var digest = FNV1a()
        digest.add(batchID)
        self.batchDigest = digest
    }

    /// The inbound message for an entry (nil for system lines, which are only counted).
    public mutating func message(for entry: ChatEntry) -> InboundMessage? {
        guard let known = count(entry), let author = entry.author else { return nil }
        let minute = Minute(date: entry.date, time: entry.time)
        if occurrenceMinute != minute {
            occurrences.removeAll(keepingCapacity: true)
            occurrenceMinute = minute
        }
        var hasher = batchDigest
        let day = day(entry.date)
        hasher.add(day.days); hasher.add(entry.time.secondsOfDay)
        hasher.add(author); hasher.add(entry.text)
        // Within one minute the digest so far stands for (author, text): the occurrence counter's key.
        let occurrence = occurrences[hasher.value, default: 0]
        occurrences[hasher.value] = occurrence + 1
        hasher.add(count: occurrence)
        let mentions = known.mentions ? people.mentions(in: entry.text) : []
        let local = day.days * 86_400 + entry.time.secondsOfDay
        let id = switch ids {
        case .timeOrdered: hasher.id(prefix: "chat:", time: local)
        case .digestOnly: hasher.id(prefix: "chat:")
        }
        return InboundMessage(id: id, phone: known.phone, author: author,
                              sentAt: Date(timeIntervalSince1970: Double(local - day.offset)),
                              kind: entry.kind, text: entry.text, mentions: mentions)
    }

    /// Counts an entry in `stats` (all a dry run needs) and says who wrote it (nil for system lines).
    @discardableResult
    public mutating func count(_ entry: ChatEntry) -> Author? {
        guard let author = entry.author else {
            stats.systemLines += 1
            return nil
        }
        let known: Author
        if let number = entry.authorNumber, number < byNumber.count, let cached = byNumber[number], cached.name == author {
            known = cached
        } else if let cached = authors[author] {
            known = cached
            remember(known, number: entry.authorNumber)
        } else {
            let person = people.match(author: author)
            known = Author(name: author, index: stats.authors.count, phone: person?.phone,
                           mentions: person.map { $0.role != .participant } ?? false)
            authors[author] = known
            remember(known, number: entry.authorNumber)
            stats.authors.append(.init(name: author, participant: person?.role == .participant ? person?.phone.e164 : nil,
                                       role: person?.role.rawValue, messages: 0, voiceNotes: 0))
            if person == nil { stats.unmatched.append(author) }
        }
        stats.messages += 1
        stats.authors[known.index].messages += 1
        if entry.kind == .voice {
            stats.voiceNotes += 1
            stats.authors[known.index].voiceNotes += 1
        } else if entry.kind.isMedia {
            stats.media += 1
        }
        if entry.kind == .deleted { stats.deleted += 1 }
        return known
    }

    private mutating func remember(_ author: Author, number: Int?) {
        guard let number else { return }
        if number >= byNumber.count { byNumber.append(contentsOf: repeatElement(nil, count: number + 1 - byNumber.count)) }
        byNumber[number] = author
    }

    /// The entry's day as days since 1970, and the batch zone's offset that day: worked out once per day.
    private mutating func day(_ date: LocalDate) -> (days: Int, offset: Int) {
        if let cache = dayCache, cache.date == date { return (cache.days, cache.offset) }
        let noon = KelasTimeZone.instant(date, LocalTime(hour: 12, minute: 0), in: timeZone)
        let cache = (date: date, days: date.daysSinceEpoch, offset: timeZone.secondsFromGMT(for: noon))
        dayCache = cache
        return (cache.days, cache.offset)
    }
}

/// 64-bit FNV-1a over UTF-8 fields separated by a unit separator: a stable digest for export message ids.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { add(bytes: $0) }
        value = (value ^ 0x1F) &* Self.prime
    }

    /// The bytes, with no separator after them.
    mutating func add(bytes: UnsafeBufferPointer<UInt8>) {
        var value = self.value
        for byte in bytes { value = (value ^ UInt64(byte)) &* Self.prime }
        self.value = value
    }

    mutating func add(_ number: Int) {
        var number = number
        for _ in 0..<8 {
            value = (value ^ UInt64(UInt8(truncatingIfNeeded: number))) &* Self.prime
            number >>= 8
        }
        value = (value ^ 0x1F) &* Self.prime
    }

    /// Adds a count as its decimal digits (as `add(String(count))` would).
    mutating func add(count: Int) {
        add(String(count))
    }

    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// `prefix` and the digest as 16 lower-case hex digits.
    func id(prefix: String) -> String {
        id(prefix: prefix, time: nil)
    }

    /// `prefix`, `time` as 8 lower-case hex digits (clamped to 0...2^32-1) if given, then the digest as 16.
    func id(prefix: String, time: Int?) -> String {
        let prefixLength = prefix.utf8.count
        let timeLength = time == nil ? 0 : 8
        return String(unsafeUninitializedCapacity: prefixLength + timeLength + 16) { buffer in
            _ = buffer.initialize(from: prefix.utf8)
            if let time { Self.hex(UInt64(UInt32(clamping: time)), digits: 8, into: buffer, at: prefixLength) }
            Self.hex(value, digits: 16, into: buffer, at: prefixLength + timeLength)
            return prefixLength + timeLength + 16
        }
    }

    /// Writes `number`'s last `digits` hex digits (lower case) at `start`.
    private static func hex(_ number: UInt64, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var rest = number
        for index in stride(from: start + digits - 1, through: start, by: -1) {
            let digit = UInt8(truncatingIfNeeded: rest & 0xF)
            buffer[index] = digit < 10 ? 0x30 + digit : 0x57 + digit
            rest >>= 4
        }
    }
}

/// How a chat export's message ids are written. Each id stands for the same message in any later export of the chat
/// (so importing again adds only what is new); the forms differ in where a new id lands in the store's index of ids.
public enum ChatMessageIDs: Sendable, Equatable {
    /// `chat:` + the message's local time (seconds since 1970, 8 hex digits) + its digest (16): an export's ids come
    /// in time order, so storing one appends to the index instead of writing all over it (a 50 MB export stores in
    /// three quarters of the time). Every batch that had no chat export stored before store v20.
    case timeOrdered
    /// `chat:` + the digest alone: the ids of exports stored before v20, kept for those batches so that importing
    /// an export again still finds the messages already stored.
    case digestOnly
}

/// What an export is read against: the batch's people, its time zone, and the dates it should cover.
public struct ChatContext: Sendable {
    public var batchID: String
    public var people: PeopleDirectory
    public var timeZone: TimeZone
    /// The dates the chat should cover, to settle a date order the dates leave open.
    public var expected: ClosedRange<LocalDate>?
    /// How message ids are written: as the batch's stored messages were.
    public var ids: ChatMessageIDs

    public init(batchID: String, people: PeopleDirectory, timeZone: TimeZone, expected: ClosedRange<LocalDate>?,
                ids: ChatMessageIDs = .timeOrdered) {
        self.batchID = batchID
        self.people = people
        self.timeZone = timeZone
        self.expected = expected
        self.ids = ids
    }

    /// An export read for no batch (a dry run): nobody matches, times are WIB.
    public static var none: ChatContext {
        ChatContext(batchID: "", people: PeopleDirectory([]), timeZone: TimeZone(identifier: "Asia/Jakarta") ?? .gmt, expected: nil)
    }
}

extension ChatExportFile {
    /// Detects the format (told to `detected` before the long part), then reads every entry in one streaming pass,
    /// handing each message to `body`; system lines are only counted.
    public func read(_ context: ChatContext, dateOrder: DateOrder? = nil, detected: (ChatFormat) -> Void = { _ in },
                     _ body: (InboundMessage) throws -> Void) throws -> (format: ChatFormat, stats: ChatExportStats) {
        try read(context, dateOrder: dateOrder, detected: detected, makeMessages: true, body)
    }

    /// Reads the export for its counts only (a dry run): no message is made.
    public func count(_ context: ChatContext, dateOrder: DateOrder? = nil,
                      detected: (ChatFormat) -> Void = { _ in }) throws -> (format: ChatFormat, stats: ChatExportStats) {
        try read(context, dateOrder: dateOrder, detected: detected, makeMessages: false) { _ in }
    }

    private func read(_ context: ChatContext, dateOrder: DateOrder?, detected: (ChatFormat) -> Void, makeMessages: Bool,
                      _ body: (InboundMessage) throws -> Void) throws -> (format: ChatFormat, stats: ChatExportStats) {
        let format = try detectFormat(expected: context.expected, forced: dateOrder)
        detected(format)
        return (format, try read(context, format: format, makeMessages: makeMessages, body))
    }

    /// Reads every entry in the format already detected (`detectFormat`), handing each message to `body`.
    public func read(_ context: ChatContext, format: ChatFormat, _ body: (InboundMessage) throws -> Void) throws -> ChatExportStats {
        try read(context, format: format, makeMessages: true, body)
    }

    private func read(_ context: ChatContext, format: ChatFormat, makeMessages: Bool,
                      _ body: (InboundMessage) throws -> Void) throws -> ChatExportStats {
        var chat = ChatImport(batchID: context.batchID, people: context.people, timeZone: context.timeZone, format: format, ids: context.ids)
        let mangled = try entries(format: format) { entry in
            if makeMessages {
                if let message = chat.message(for: entry) { try body(message) }
            } else {
                chat.count(entry)
            }
        }
        var stats = chat.stats
        stats.mangled = mangled
        return stats
    }
}
