import Foundation

/// Which text variant of the curriculum a batch uses.
public enum Language: String, Sendable, Hashable, CaseIterable, Codable {
    case id
    case en
}

/// The Washington Group short set of functional domains.
public enum Disability: String, Sendable, Hashable, CaseIterable, Codable {
    case seeing, hearing, walking, cognition
    case selfCare = "self-care"
    case communication
}

/// A participant, trainer or admin: known to Kelas by phone number.
public struct Person: Sendable, Hashable, Codable {
    public var name: String
    public var phone: PhoneNumber
    /// The name WhatsApp shows for this person, when it differs from `name`.
    public var alias: String?
    public var district: String?
    public var disabilities: [Disability]

    public init(name: String, phone: PhoneNumber, alias: String? = nil, district: String? = nil, disabilities: [Disability] = []) {
        self.name = name
        self.phone = phone
        self.alias = alias
        self.district = district
        self.disabilities = disabilities
    }
}

/// How the group is reached: one message to the WhatsApp group, or one 1:1 message per participant.
public enum DeliveryMode: String, Sendable, Hashable, CaseIterable, Codable {
    case group
    case fanout
}

public struct DeliverySettings: Sendable, Hashable {
    /// Domain defaults: the evening peak ends by 21:00 and nothing before 07:00 (see domain.md, quiet times).
    public static let defaultWindow = TimeRange(start: LocalTime(hour: 7, minute: 0), end: LocalTime(hour: 21, minute: 0))
    /// Friday prayer and Maghrib, the quiet times worth defaulting in East Java.
    public static let defaultQuiet: [QuietPeriod] = [
        QuietPeriod(weekdays: [.friday], range: TimeRange(start: LocalTime(hour: 11, minute: 30), end: LocalTime(hour: 13, minute: 0))),
        QuietPeriod(range: TimeRange(start: LocalTime(hour: 17, minute: 30), end: LocalTime(hour: 18, minute: 15))),
    ]

    public var mode: DeliveryMode
    public var window: TimeRange
    public var quiet: [QuietPeriod]
    /// Where `kelas run` sends this batch's messages; nil: the console, unless `--sink` says otherwise.
    public var sink: SinkSpec?
    /// The WhatsApp group a gateway posts to and whose messages belong to this batch (`120363…@g.us`).
    public var group: String?
    /// Fan-out through the Cloud API: the approved template that asks a participant whose 24-hour window is closed to
    /// write back, for items without a template of their own (`delivery.template`).
    public var template: MessageTemplate?

    public init(mode: DeliveryMode = .group, window: TimeRange = defaultWindow, quiet: [QuietPeriod] = defaultQuiet,
                sink: SinkSpec? = nil, group: String? = nil) {
        self.mode = mode
        self.window = window
        self.quiet = quiet
        self.sink = sink
        self.group = group
    }

    /// Whether `text` is a WhatsApp group id: digits (or the older `digits-digits`) then `@g.us`.
    public static func isGroupID(_ text: String) -> Bool {
        guard text.hasSuffix("@g.us") else { return false }
        let digits = text.dropLast(5)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-") } && digits.first != "-" && digits.last != "-"
    }
}

/// One week-long training group: who is in it, when it runs, and which curriculum it follows.
public struct Batch: Sendable {
    public var id: String
    public var name: String
    public var programme: String
    public var district: String
    public var timeZone: TimeZone
    public var start: LocalDate
    public var language: Language
    /// A path relative to the batch file, or a built-in curriculum id.
    public var curriculum: String
    public var delivery: DeliverySettings
    public var trainers: [Person]
    public var admin: Person
    public var participants: [Person]
    /// When a participant counts as having completed the batch.
    public var completion: CompletionRule = .default
    /// The words that opt a participant out and back in (`opt-out` in the batch file).
    public var optOutWords: OptOutWords = .default

    public init(id: String, name: String, programme: String, district: String, timeZone: TimeZone, start: LocalDate,
                language: Language, curriculum: String, delivery: DeliverySettings, trainers: [Person], admin: Person,
                participants: [Person]) {
        self.id = id
        self.name = name
        self.programme = programme
        self.district = district
        self.timeZone = timeZone
        self.start = start
        self.language = language
        self.curriculum = curriculum
        self.delivery = delivery
        self.trainers = trainers
        self.admin = admin
        self.participants = participants
    }

    /// The local date of `day` (1 is the start date).
    public func date(ofDay day: Int) -> LocalDate { start.adding(days: day - 1) }

    /// The day number of `date`, or nil when the date is outside the week.
    public func day(of date: LocalDate, days: Int = 7) -> Int? {
        let day = date.daysSinceEpoch - start.daysSinceEpoch + 1
        return (1...days).contains(day) ? day : nil
    }

    /// The trainer who leads `day`: trainers take turns, day by day, in the order the batch file lists them.
    public func leadTrainer(onDay day: Int) -> Person? {
        trainers.isEmpty ? nil : trainers[(day - 1) % trainers.count]
    }
}
