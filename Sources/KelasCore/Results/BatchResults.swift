import Foundation

/// Everything one batch's results are read from — the tracker's view of the week, the replies it counted for each
/// survey, and the answers typed by trainers or imported from forms — so that the store and the simulator read results
/// the same way (`participants`).
public struct BatchResults: Sendable {
    public struct Person: Sendable {
        public var phone: String
        public var name: String
        /// Their own district when the participants file gives one, else the batch's.
        public var district: String
        public var withDisability: Bool

        public init(phone: String, name: String, district: String, withDisability: Bool) {
            self.phone = phone
            self.name = name
            self.district = district
            self.withDisability = withDisability
        }
    }

    /// Answers typed for one participant and survey, and where they came from (`trainer` or `form`).
    public struct Typed: Sendable, Hashable {
        public var answers: [Int: Int]
        public var source: String

        public init(answers: [Int: Int], source: String) {
            self.answers = answers
            self.source = source
        }
    }

    public var batchID: String
    public var programme: String
    public var start: LocalDate
    public var trainers: [String]
    public var completion: CompletionRule
    public var prompts: [Prompt]
    public var instrument: Instrument?
    public var people: [Person]
    /// The tracker's states at the end (participant → prompt key → state).
    public var states: [PhoneNumber: [String: PromptState]]
    /// Replies counted for a survey, by `Self.key(phone, survey)`.
    public var replies: [String: [SurveyReply]] = [:]
    /// Typed answers, by `Self.key(phone, survey)`.
    public var typed: [String: Typed] = [:]
    /// Readings already made from these replies with no typed answers (the simulator reads them to decide what a
    /// trainer types), so `participants` does not parse the same replies again. A key with typed answers is re-read.
    public var readings: [String: SurveyReading] = [:]

    public init(batchID: String, programme: String, start: LocalDate, trainers: [String], completion: CompletionRule, prompts: [Prompt],
                instrument: Instrument?, people: [Person], states: [PhoneNumber: [String: PromptState]]) {
        self.batchID = batchID
        self.programme = programme
        self.start = start
        self.trainers = trainers
        self.completion = completion
        self.prompts = prompts
        self.instrument = instrument
        self.people = people
        self.states = states
    }

    public static func key(_ phone: String, _ survey: SurveyKind) -> String { phone + "|" + survey.rawValue }

    /// The survey each scored survey prompt is (prompt key → pre or post).
    public var surveyOfPrompt: [String: SurveyKind] {
        Dictionary(prompts.compactMap { prompt in prompt.survey.map { (prompt.key, $0) } }, uniquingKeysWith: { first, _ in first })
    }

    /// Adds a message the tracker counted for `prompt` (ignored unless the prompt is a survey).
    public mutating func add(_ reply: SurveyReply, from participant: PhoneNumber, prompt: String, surveys: [String: SurveyKind]) {
        guard let survey = surveys[prompt] else { return }
        replies[Self.key(participant.e164, survey), default: []].append(reply)
    }

    /// Each participant's results. (A survey typed by a trainer or imported from a form is answered in `states`: the
    /// tracker's `.surveyTaken`.)
    public var participants: [ParticipantResult] {
        let parser = instrument?.parser
        return people.map { person in
            func reading(_ survey: SurveyKind) -> SurveyReading? {
                let key = Self.key(person.phone, survey)
                return self.reading(of: person, survey, typed: typed[key], made: readings[key], parser: parser)
            }
            return result(for: person, states: states[PhoneNumber(e164: person.phone)] ?? [:], pre: reading(.pre), post: reading(.post))
        }
    }

    /// One participant's reading of a survey: their replies with the answers typed for them, else a reading already
    /// made from their replies (`made`), else their replies read now; nil with neither replies nor typed answers.
    public func reading(of person: Person, _ survey: SurveyKind, typed: Typed?, made: SurveyReading?, parser: AnswerParser?) -> SurveyReading? {
        guard let instrument else { return nil }
        if typed == nil, let made { return made }
        let replies = replies[Self.key(person.phone, survey)]
        guard replies != nil || typed != nil else { return nil }
        return SurveyReading.read(instrument, replies: replies ?? [], typed: typed?.answers ?? [:], typedSource: typed?.source ?? "trainer",
                                  parser: parser)
    }

    /// One participant's results from their prompt states at the end and their two readings.
    public func result(for person: Person, states: [String: PromptState], pre: SurveyReading?, post: SurveyReading?) -> ParticipantResult {
        ParticipantResult(
            batch: batchID, phone: person.phone, name: person.name, district: person.district, programme: programme, start: start,
            withDisability: person.withDisability, trainers: trainers, completed: completion.isComplete(states, prompts: prompts),
            answeredPrompts: Set(states.compactMap { $0.value.isAnswered ? $0.key : nil }),
            lastDiscussion: prompts.last { $0.kind == .discussion }?.key, instrument: instrument, pre: pre, post: post)
    }
}
