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
    public private(set) var stats: ChatExportStats
    private var authorIndex: [String: Int] = [:]
    private var matched: [String: PeopleDirectory.Person?] = [:]
    /// Occurrences of one (time, author, text) so far, so two identical "ok"s in a minute stay two messages.
    private var occurrences: [String: Int] = [:]
    private var occurrenceMinute: (LocalDate, LocalTime)?
    private var offsetCache: (day: LocalDate, offset: Int)?

    public init(batchID: String, people: PeopleDirectory, timeZone: TimeZone, format: ChatFormat) {
        self.batchID = batchID
        self.people = people
        self.timeZone = timeZone
        self.stats = ChatExportStats(format: format.description)
    }

    /// The inbound message for an entry (nil for system lines, which are only counted).
    public mutating func message(for entry: ChatEntry) -> InboundMessage? {
        guard let author = entry.author else {
            stats.systemLines += 1
            return nil
        }
        let person: PeopleDirectory.Person?
        if let cached = matched[author] { person = cached } else {
            person = people.match(author: author)
            matched[author] = .some(person)
        }
        stats.messages += 1
        if entry.kind == .voice { stats.voiceNotes += 1 } else if entry.kind.isMedia { stats.media += 1 }
        if entry.kind == .deleted { stats.deleted += 1 }
        if let index = authorIndex[author] {
            stats.authors[index].messages += 1
            if entry.kind == .voice { stats.authors[index].voiceNotes += 1 }
        } else {
            authorIndex[author] = stats.authors.count
            stats.authors.append(.init(name: author, participant: person?.role == .participant ? person?.phone.e164 : nil,
                                       role: person?.role.rawValue, messages: 1, voiceNotes: entry.kind == .voice ? 1 : 0))
            if person == nil { stats.unmatched.append(author) }
        }
        if occurrenceMinute.map({ $0 != (entry.date, entry.time) }) ?? true {
            occurrences.removeAll(keepingCapacity: true)
            occurrenceMinute = (entry.date, entry.time)
        }
        let key = author + "\u{1F}" + entry.text
        let occurrence = occurrences[key, default: 0]
        occurrences[key] = occurrence + 1
        var hasher = FNV1a()
        hasher.add(batchID); hasher.add(entry.date.daysSinceEpoch); hasher.add(entry.time.secondsOfDay)
        hasher.add(author); hasher.add(entry.text); hasher.add(String(occurrence))
        let mentions = person.map { $0.role != .participant } ?? false ? people.mentions(in: entry.text) : []
        return InboundMessage(id: "chat:" + hasher.hex, phone: person?.phone, author: author, sentAt: instant(entry),
                              kind: entry.kind, text: entry.text, mentions: mentions)
    }

    /// The entry's local time in the batch's zone, with the zone's offset looked up once per day.
    private mutating func instant(_ entry: ChatEntry) -> Date {
        let offset: Int
        if let cache = offsetCache, cache.day == entry.date {
            offset = cache.offset
        } else {
            let noon = KelasTimeZone.instant(entry.date, LocalTime(hour: 12, minute: 0), in: timeZone)
            offset = timeZone.secondsFromGMT(for: noon)
            offsetCache = (entry.date, offset)
        }
        return Date(timeIntervalSince1970: Double(entry.date.daysSinceEpoch * 86_400 + entry.time.secondsOfDay - offset))
    }
}

/// 64-bit FNV-1a over UTF-8 fields separated by a unit separator: a stable digest for export message ids.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        value = (value ^ 0x1F) &* 0x0000_0100_0000_01B3
    }

    mutating func add(_ number: Int) {
        var number = number
        for _ in 0..<8 {
            value = (value ^ UInt64(UInt8(truncatingIfNeeded: number))) &* 0x0000_0100_0000_01B3
            number >>= 8
        }
        value = (value ^ 0x1F) &* 0x0000_0100_0000_01B3
    }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// What an export is read against: the batch's people, its time zone, and the dates it should cover.
public struct ChatContext: Sendable {
    public var batchID: String
    public var people: PeopleDirectory
    public var timeZone: TimeZone
    /// The dates the chat should cover, to settle a date order the dates leave open.
    public var expected: ClosedRange<LocalDate>?

    public init(batchID: String, people: PeopleDirectory, timeZone: TimeZone, expected: ClosedRange<LocalDate>?) {
        self.batchID = batchID
        self.people = people
        self.timeZone = timeZone
        self.expected = expected
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
        let format = try detectFormat(expected: context.expected, forced: dateOrder)
        detected(format)
        var chat = ChatImport(batchID: context.batchID, people: context.people, timeZone: context.timeZone, format: format)
        let mangled = try entries(format: format) { entry in
            if let message = chat.message(for: entry) { try body(message) }
        }
        var stats = chat.stats
        stats.mangled = mangled
        return (format, stats)
    }
}
