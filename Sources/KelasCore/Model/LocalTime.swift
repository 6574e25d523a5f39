import Foundation

/// A calendar date with no time zone, as a trainer writes it (`2021-07-05`).
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, rejecting dates that do not exist (2021-02-30).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public var description: String {
        zeroPadded(year, 4) + "-" + zeroPadded(month, 2) + "-" + zeroPadded(day, 2)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's civil-from-days algorithm, inverted).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((daysSinceEpoch % 7) + 7 + 3) % 7 // 0 = Monday
        return Weekday.allCases[index]
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public enum Weekday: String, Sendable, Hashable, CaseIterable, Codable {
    case monday = "Mon", tuesday = "Tue", wednesday = "Wed", thursday = "Thu", friday = "Fri", saturday = "Sat", sunday = "Sun"

    /// Accepts English and Indonesian names and their three-letter forms (`Fri`, `Friday`, `Jumat`, `Jum'at`).
    public init?(name: String) {
        let key = name.lowercased().replacingOccurrences(of: "'", with: "")
        let names: [String: Weekday] = [
            "mon": .monday, "monday": .monday, "sen": .monday, "senin": .monday,
            "tue": .tuesday, "tuesday": .tuesday, "sel": .tuesday, "selasa": .tuesday,
            "wed": .wednesday, "wednesday": .wednesday, "rab": .wednesday, "rabu": .wednesday,
            "thu": .thursday, "thursday": .thursday, "kam": .thursday, "kamis": .thursday,
            "fri": .friday, "friday": .friday, "jum": .friday, "jumat": .friday,
            "sat": .saturday, "saturday": .saturday, "sab": .saturday, "sabtu": .saturday,
            "sun": .sunday, "sunday": .sunday, "min": .sunday, "minggu": .sunday, "ahad": .sunday,
        ]
        guard let day = names[key] else { return nil }
        self = day
    }
}

/// A time of day in seconds after local midnight; plans are made to the second so fan-out can be spaced.
public struct LocalTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var secondsOfDay: Int

    public init(secondsOfDay: Int) {
        self.secondsOfDay = secondsOfDay
    }

    public init(hour: Int, minute: Int, second: Int = 0) {
        self.secondsOfDay = hour * 3600 + minute * 60 + second
    }

    /// Parses `HH:MM` (or `H:MM`, or `HH.MM` as Indonesian phones write it); `24:00` means the end of the day.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(whereSeparator: { $0 == ":" || $0 == "." }).map(String.init)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...59).contains(minute), (0...23).contains(hour) || (hour == 24 && minute == 0)
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var hour: Int { secondsOfDay / 3600 }
    public var minute: Int { secondsOfDay % 3600 / 60 }
    public var second: Int { secondsOfDay % 60 }

    /// `07:30`, or `07:30:06` when the seconds matter.
    public var description: String {
        zeroPadded(hour, 2) + ":" + zeroPadded(minute, 2) + (second == 0 ? "" : ":" + zeroPadded(second, 2))
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.secondsOfDay < rhs.secondsOfDay }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let time = LocalTime(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an HH:MM time: \(text)"))
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A half-open span of the day, `07:00-21:00`: the start is inside, the end is not.
public struct TimeRange: Sendable, Hashable, CustomStringConvertible {
    public var start: LocalTime
    public var end: LocalTime

    public init(start: LocalTime, end: LocalTime) {
        self.start = start
        self.end = end
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let start = LocalTime(parts[0]), let end = LocalTime(parts[1]), start < end else { return nil }
        self.init(start: start, end: end)
    }

    public func contains(_ time: LocalTime) -> Bool { start <= time && time < end }

    public var description: String { "\(start)-\(end)" }
}

/// A span in which nothing is sent: every day, or only on some weekdays (`Fri 11:30-13:00`).
public struct QuietPeriod: Sendable, Hashable, CustomStringConvertible {
    /// Empty means every day.
    public var weekdays: [Weekday]
    public var range: TimeRange

    public init(weekdays: [Weekday] = [], range: TimeRange) {
        self.weekdays = weekdays
        self.range = range
    }

    /// Parses `17:30-18:15`, `Fri 11:30-13:00` or `Sat,Sun 05:00-07:00`.
    public init?(_ text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch words.count {
        case 1:
            guard let range = TimeRange(words[0]) else { return nil }
            self.init(range: range)
        case 2:
            let days = words[0].split(separator: ",").map { Weekday(name: String($0)) }
            guard !days.isEmpty, !days.contains(nil), let range = TimeRange(words[1]) else { return nil }
            self.init(weekdays: days.compactMap { $0 }, range: range)
        default:
            return nil
        }
    }

    public func applies(on weekday: Weekday) -> Bool { weekdays.isEmpty || weekdays.contains(weekday) }

    public var description: String {
        weekdays.isEmpty ? range.description : weekdays.map(\.rawValue).joined(separator: ",") + " " + range.description
    }
}

/// Time zone names trainers use, resolved to IANA zones. Indonesia has no daylight saving time.
public enum KelasTimeZone {
    public static let aliases: [String: String] = [
        "WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura",
    ]

    public static func resolve(_ name: String) -> TimeZone? {
        let identifier = aliases[name.uppercased()] ?? name
        // TimeZone(identifier:) accepts abbreviations such as "PST" too; only accept real zone ids.
        guard identifier.contains("/") || identifier == "UTC" else { return nil }
        return TimeZone(identifier: identifier)
    }

    /// The instant at which `time` on `date` begins in `zone`.
    public static func instant(_ date: LocalDate, _ time: LocalTime, in zone: TimeZone) -> Date {
        let naive = Double(date.daysSinceEpoch * 86_400 + time.secondsOfDay)
        // Two passes find the offset in force at the local time, not at the naive UTC instant.
        var offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive))
        offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive - Double(offset)))
        return Date(timeIntervalSince1970: naive - Double(offset))
    }

    /// `2021-07-05T07:30:00+07:00`: ISO 8601 with the zone's offset, as people in that zone read it.
    public static func iso8601(_ date: LocalDate, _ time: LocalTime, in zone: TimeZone) -> String {
        iso8601(date, time, offset: zone.secondsFromGMT(for: instant(date, time, in: zone)))
    }

    /// The local date in `zone` at `instant` (today, for a batch in that zone).
    public static func localDate(_ instant: Date, in zone: TimeZone) -> LocalDate {
        LocalDate(daysSinceEpoch: local(instant, offset: zone.secondsFromGMT(for: instant)).day)
    }

    /// An instant as people in `zone` read it: `2021-07-05T07:30:00+07:00`.
    public static func iso8601(_ instant: Date, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: instant)
        let (day, second) = local(instant, offset: offset)
        return iso8601(LocalDate(daysSinceEpoch: day), LocalTime(secondsOfDay: second), offset: offset)
    }

    /// The local day (days since 1970-01-01) and second of that day at which `date` falls, at a known offset.
    public static func local(_ date: Date, offset: Int) -> (day: Int, second: Int) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let day = Int((Double(seconds) / 86_400).rounded(.down))
        return (day, seconds - day * 86_400)
    }

    /// Reads `2021-07-05T07:30:00+07:00` (or `…Z`): the internet date-time form, with seconds and without fractions —
    /// what `iso8601` writes, from 1900 on (before it, calendars differ) — to the instant `ISO8601DateFormatter` reads
    /// from it; nil for anything else (`instant(reading:fractions:)` then asks the formatter). Making that formatter
    /// loads ICU's date patterns: a twentieth of `kelas status` under `KELAS_NOW`, and of every event that carries a time.
    public static func instant(iso8601 text: String) -> Date? {
        var bytes = Array(text.utf8)[...]
        func number(_ digits: Int) -> Int? {
            guard bytes.count >= digits else { return nil }
            var value = 0
            for byte in bytes.prefix(digits) {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            bytes = bytes.dropFirst(digits)
            return value
        }
        func literal(_ character: Character) -> Bool {
            guard bytes.first == character.asciiValue else { return false }
            bytes = bytes.dropFirst()
            return true
        }
        guard let year = number(4), literal("-"), let month = number(2), literal("-"), let day = number(2),
              literal("T"), let hour = number(2), literal(":"), let minute = number(2), literal(":"), let second = number(2),
              year >= 1900, (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        var offset = 0
        if !literal("Z") {
            guard let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
            bytes = bytes.dropFirst()
            guard let hours = number(2), literal(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        guard bytes.isEmpty else { return nil }
        let days = LocalDate(year: year, month: month, day: day).daysSinceEpoch
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset))
    }

    /// An ISO 8601 time as people and systems write it: the usual form read by `instant(iso8601:)`, any other by
    /// `ISO8601DateFormatter` — with fractions of a second too when `fractions` (event and gateway payloads).
    public static func instant(reading text: String, fractions: Bool = false) -> Date? {
        if let date = instant(iso8601: text) { return date }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        guard fractions else { return nil }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// The same, when the offset in force is already known.
    public static func iso8601(_ date: LocalDate, _ time: LocalTime, offset: Int) -> String {
        let magnitude = abs(offset)
        return date.description + "T" + zeroPadded(time.hour, 2) + ":" + zeroPadded(time.minute, 2) + ":" + zeroPadded(time.second, 2)
            + (offset < 0 ? "-" : "+") + zeroPadded(magnitude / 3600, 2) + ":" + zeroPadded(magnitude % 3600 / 60, 2)
    }
}

/// `value` in decimal with leading zeros to `width` digits, as `%0<width>d` writes it — without a format string, which
/// goes through Foundation's formatter on every call (dates and times are written for every message sent).
func zeroPadded(_ value: Int, _ width: Int) -> String {
    let digits = String(value.magnitude)
    let padding = String(repeating: "0", count: max(0, width - digits.count - (value < 0 ? 1 : 0)))
    return (value < 0 ? "-" : "") + padding + digits
}
