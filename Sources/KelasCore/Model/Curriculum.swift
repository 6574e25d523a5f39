import Foundation

/// Text written in one or more languages; every curriculum text carries each language it declares.
public struct LocalizedText: Sendable, Hashable {
    public var variants: [Language: String]

    public init(_ variants: [Language: String]) {
        self.variants = variants
    }

    public subscript(language: Language) -> String? { variants[language] }
}

/// Stored as `{"id": "…", "en": "…"}`.
extension LocalizedText: Codable {
    public init(from decoder: any Decoder) throws {
        let raw = try [String: String](from: decoder)
        var variants: [Language: String] = [:]
        for (key, text) in raw {
            guard let language = Language(rawValue: key) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown language `\(key)`"))
            }
            variants[language] = text
        }
        self.init(variants)
    }

    public func encode(to encoder: any Encoder) throws {
        try Dictionary(uniqueKeysWithValues: variants.map { ($0.key.rawValue, $0.value) }).encode(to: encoder)
    }
}

public enum ItemKind: String, Sendable, Hashable, CaseIterable, Codable {
    case text
    case video
    case document
    case discussion
    case reminder
    case survey
}

public enum SurveyKind: String, Sendable, Hashable, CaseIterable, Codable {
    case pre
    case post
}

/// A point in the batch week: a day number and a local time.
public struct WeekTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var day: Int
    public var time: LocalTime

    public init(day: Int, time: LocalTime) {
        self.day = day
        self.time = time
    }

    public static func < (lhs: WeekTime, rhs: WeekTime) -> Bool { (lhs.day, lhs.time) < (rhs.day, rhs.time) }

    public var description: String { "day \(day) \(time)" }
}

/// One message of the curriculum: what to send, on which day, at what local time.
public struct CurriculumItem: Sendable, Hashable {
    /// Stable within the curriculum: written as `id:`, or derived from day, time and kind.
    public var key: String
    public var day: Int
    public var at: LocalTime
    public var kind: ItemKind
    public var text: LocalizedText
    public var url: String?
    public var filename: String?
    /// The session a discussion belongs to (1, 2, 3…).
    public var session: Int?
    /// When a discussion stops accepting answers.
    public var closes: WeekTime?
    /// For a reminder: the key of the discussion whose silent participants it goes to.
    public var remindsOf: String?
    public var survey: SurveyKind?
    /// For a survey: the instrument that scores its answers (a built-in id); its statements are the questions.
    public var instrument: String?
    public var questions: [LocalizedText]
    /// A video's length in seconds, when given, to keep videos short and data costs known.
    public var durationSeconds: Int?
    /// The approved template that carries this item to a fan-out recipient whose 24-hour window is closed.
    public var template: MessageTemplate?
    public var location: SourceLocation

    public init(key: String, day: Int, at: LocalTime, kind: ItemKind, text: LocalizedText, url: String? = nil,
                filename: String? = nil, session: Int? = nil, closes: WeekTime? = nil, remindsOf: String? = nil,
                survey: SurveyKind? = nil, instrument: String? = nil, questions: [LocalizedText] = [], durationSeconds: Int? = nil,
                template: MessageTemplate? = nil, location: SourceLocation) {
        self.template = template
        self.key = key
        self.day = day
        self.at = at
        self.kind = kind
        self.text = text
        self.url = url
        self.filename = filename
        self.session = session
        self.closes = closes
        self.remindsOf = remindsOf
        self.survey = survey
        self.instrument = instrument
        self.questions = questions
        self.durationSeconds = durationSeconds
        self.location = location
    }

    /// The text is a media caption (WhatsApp limit 1,024) rather than a message body (4,096).
    ///
    /// YouTube links are sent as text with a link preview, so only documents and directly linked videos have captions.
    public var isCaption: Bool {
        switch kind {
        case .document: true
        case .video: !(url.map(CurriculumItem.isYouTube) ?? false)
        default: false
        }
    }

    public static func isYouTube(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "youtu.be" || host == "youtube.com" || host.hasSuffix(".youtube.com")
    }
}

public struct CurriculumSession: Sendable, Hashable {
    public var number: Int
    public var title: LocalizedText
}

/// A one-week sequence of messages: what trainers post each day.
public struct Curriculum: Sendable {
    public var id: String
    public var title: LocalizedText
    public var languages: [Language]
    public var sessions: [CurriculumSession]
    /// All items, ordered by day, then time, then the order they were written in.
    public var items: [CurriculumItem]
    /// Where the curriculum came from: a file path, or `builtin:<id>`.
    public var source: String
    /// The instruments its surveys name, by id.
    public var instruments: [String: Instrument]

    public init(id: String, title: LocalizedText, languages: [Language], sessions: [CurriculumSession],
                items: [CurriculumItem], source: String, instruments: [String: Instrument] = [:]) {
        self.instruments = instruments
        self.id = id
        self.title = title
        self.languages = languages
        self.sessions = sessions
        self.items = items
        self.source = source
    }

    public var days: [Int] { Array(Set(items.map(\.day))).sorted() }

    public func item(_ key: String) -> CurriculumItem? { items.first { $0.key == key } }
}
