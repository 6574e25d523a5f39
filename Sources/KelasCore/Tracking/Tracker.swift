import Foundation

/// Where a participant stands on one prompt (a discussion, or a pre/post-test).
public enum PromptState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Open, no answer yet.
    case pending
    /// Answered in writing.
    case replied
    /// Answered with a voice note.
    case voiceNote = "voice-note"
    /// A trainer took up the answer, or a manual mark says it was discussed (phone, in person).
    case discussed
    /// Closed with no answer.
    case missed
    /// Excused by a trainer (illness, no phone); counted apart from `missed`.
    case excused

    /// The participant took part in this prompt.
    public var isAnswered: Bool { self == .replied || self == .voiceNote || self == .discussed }

    /// One symbol per state, readable without colour.
    public var symbol: String {
        switch self {
        case .pending: "·"
        case .replied: "R"
        case .voiceNote: "V"
        case .discussed: "D"
        case .missed: "✗"
        case .excused: "E"
        }
    }
}

/// What happened off WhatsApp, recorded by a trainer.
public enum MarkKind: String, Sendable, Hashable, Codable, CaseIterable {
    case discussed
    case phoned
    case excused
}

/// A prompt that expects answers: when it opens and closes, and which planned messages carry it.
public struct Prompt: Sendable, Hashable {
    public var key: String
    public var kind: ItemKind
    public var session: Int?
    public var survey: SurveyKind?
    public var opensAt: Date
    public var closesAt: Date
    /// For a scored survey: the instrument its answers are read with.
    public var instrument: String?

    public init(key: String, kind: ItemKind, session: Int?, survey: SurveyKind?, opensAt: Date, closesAt: Date, instrument: String? = nil) {
        self.key = key
        self.kind = kind
        self.session = session
        self.survey = survey
        self.instrument = instrument
        self.opensAt = opensAt
        self.closesAt = closesAt
    }

    /// Surveys stay open a day, like discussions without `closes`.
    public static let defaultOpenSeconds: TimeInterval = 24 * 3600

    /// The prompts of a plan: discussions and surveys, with their open and close instants.
    public static func prompts(batch: Batch, curriculum: Curriculum, plan: [PlannedMessage]) -> [Prompt] {
        var prompts: [Prompt] = []
        var seen = Set<String>()
        for message in plan where (message.kind == .discussion || message.kind == .survey) && seen.insert(message.itemKey).inserted {
            guard let item = curriculum.item(message.itemKey) else { continue }
            var closesAt = message.sendAt.addingTimeInterval(defaultOpenSeconds)
            if let closes = item.closes {
                closesAt = max(KelasTimeZone.instant(batch.date(ofDay: closes.day), closes.time, in: batch.timeZone),
                               message.sendAt.addingTimeInterval(60))
            }
            prompts.append(Prompt(key: item.key, kind: item.kind, session: item.session, survey: item.survey,
                                  opensAt: message.sendAt, closesAt: closesAt, instrument: item.instrument))
        }
        return prompts.sorted { ($0.opensAt, $0.key) < ($1.opensAt, $1.key) }
    }
}

/// Something that happened in a batch, from a webhook, a chat export, a manual mark, or the clock.
public enum TrackerEvent: Sendable, Hashable {
    /// A participant wrote or sent a voice note. `quoting` is the id of the message it replies to, if any.
    case participantMessage(id: String, from: PhoneNumber, at: Date, isVoice: Bool, quoting: String?)
    /// A trainer wrote; `quoting` names the message it answers, if any, and `mentions` whom it @-mentions
    /// (how a chat export shows that a trainer took up someone's answer: exports carry no quotes).
    case trainerMessage(id: String, from: PhoneNumber, at: Date, quoting: String?, mentions: [PhoneNumber] = [])
    /// A trainer's record of what happened off WhatsApp for one session.
    case mark(participant: PhoneNumber, session: Int, kind: MarkKind, at: Date)
    /// A trainer typed a participant's answers to a survey (from a voice note or a call), or a form export brought them:
    /// the survey counts as answered, as a reply in the group would.
    case surveyTaken(participant: PhoneNumber, survey: SurveyKind, at: Date)
    /// Time has reached `at`: prompts that closed by then turn silent participants to `missed`.
    case clock(Date)
}

/// One state change the tracker decided; the store records it.
public struct TrackerChange: Sendable, Hashable {
    public var participant: PhoneNumber
    public var prompt: String
    public var from: PromptState
    public var to: PromptState
    public var at: Date
    /// The inbound message that caused it, when one did.
    public var messageID: String?
}

/// The per-participant prompt status as a pure state machine: events in, changes out. No I/O, no clock.
public struct Tracker: Sendable {
    public let prompts: [Prompt]
    public let participants: Set<PhoneNumber>
    public let trainers: Set<PhoneNumber>
    /// Planned message id → prompt key, so a reply quoting our message (or its reminder) counts for that prompt.
    public let promptOfMessage: [String: String]
    public private(set) var states: [PhoneNumber: [String: PromptState]]
    /// Inbound message id → (participant, prompt) it was counted for, so a trainer's quote can find it.
    public private(set) var answers: [String: (participant: PhoneNumber, prompt: String)] = [:]
    /// Each participant's latest answered prompt, which a trainer's @-mention takes up.
    public private(set) var lastAnswered: [PhoneNumber: String] = [:]
    /// The latest time any event reported; prompts closed before it are settled.
    public private(set) var now: Date = .distantPast

    public init(prompts: [Prompt], participants: [PhoneNumber], trainers: [PhoneNumber], plan: [PlannedMessage] = []) {
        self.init(prompts: prompts, participants: participants, trainers: trainers,
                  promptOfMessage: Tracker.promptOfMessage(plan.map { ($0.id, $0.itemKey, $0.remindsOf) }, prompts: prompts))
    }

    /// Which prompt each planned message asks (a prompt itself, or a reminder of one), by message id.
    public static func promptOfMessage(_ messages: [(id: String, itemKey: String, remindsOf: String?)], prompts: [Prompt]) -> [String: String] {
        let promptKeys = Set(prompts.map(\.key))
        var promptOfMessage: [String: String] = [:]
        for message in messages {
            if promptKeys.contains(message.itemKey) { promptOfMessage[message.id] = message.itemKey }
            if let discussion = message.remindsOf, promptKeys.contains(discussion) { promptOfMessage[message.id] = discussion }
        }
        return promptOfMessage
    }

    public init(prompts: [Prompt], participants: [PhoneNumber], trainers: [PhoneNumber], promptOfMessage: [String: String]) {
        self.prompts = prompts
        self.participants = Set(participants)
        self.trainers = Set(trainers)
        self.promptOfMessage = promptOfMessage
        var states: [PhoneNumber: [String: PromptState]] = [:]
        for participant in participants {
            states[participant] = Dictionary(uniqueKeysWithValues: prompts.map { ($0.key, PromptState.pending) })
        }
        self.states = states
    }

    public func state(of participant: PhoneNumber, on prompt: String) -> PromptState? { states[participant]?[prompt] }

    /// Lets go of which message answered which prompt (`answers`) once nothing still to come can quote one: the
    /// simulator, having read them, scores a week of 100,000 participants without holding 700,000 of them. A trainer
    /// quoting an answer after this takes nothing up.
    public mutating func forgetAnswers() { answers = [:] }

    /// Applies one event and returns what changed (empty when nothing did).
    public mutating func apply(_ event: TrackerEvent) -> [TrackerChange] {
        switch event {
        case .participantMessage(let id, let from, let at, let isVoice, let quoting):
            var changes = advanceClock(to: at)
            guard participants.contains(from), answers[id] == nil,
                  let prompt = promptFor(at: at, quoting: quoting) else { return changes }
            answers[id] = (from, prompt.key)
            lastAnswered[from] = prompt.key
            let current = states[from]?[prompt.key] ?? .pending
            let next: PromptState
            switch current {
            // A message may arrive after its prompt closed (a chat export read later): its own time decides.
            case .pending, .missed: next = isVoice ? .voiceNote : .replied
            case .replied where isVoice: next = .voiceNote
            default: next = current
            }
            if let change = set(from, prompt.key, current, next, at: at, messageID: id) { changes.append(change) }
            return changes
        case .trainerMessage(let id, _, let at, let quoting, let mentions):
            var changes = advanceClock(to: at)
            var takenUp: [(participant: PhoneNumber, prompt: String)] = []
            if let quoting, let answer = answers[quoting] { takenUp.append(answer) }
            for participant in mentions { if let prompt = lastAnswered[participant] { takenUp.append((participant, prompt)) } }
            for answer in takenUp {
                let current = states[answer.participant]?[answer.prompt] ?? .pending
                if current == .replied || current == .voiceNote,
                   let change = set(answer.participant, answer.prompt, current, .discussed, at: at, messageID: id) {
                    changes.append(change)
                }
            }
            return changes
        case .mark(let participant, let session, let kind, let at):
            guard participants.contains(participant) else { return [] }
            var changes: [TrackerChange] = []
            for prompt in prompts where prompt.session == session {
                let current = states[participant]?[prompt.key] ?? .pending
                let next: PromptState = kind == .excused ? .excused : .discussed
                if let change = set(participant, prompt.key, current, next, at: at, messageID: nil) { changes.append(change) }
            }
            return changes
        case .surveyTaken(let participant, let survey, let at):
            guard participants.contains(participant) else { return [] }
            var changes: [TrackerChange] = []
            for prompt in prompts where prompt.survey == survey {
                let current = states[participant]?[prompt.key] ?? .pending
                guard current == .pending || current == .missed,
                      let change = set(participant, prompt.key, current, .replied, at: at, messageID: nil) else { continue }
                changes.append(change)
            }
            return changes
        case .clock(let at):
            return advanceClock(to: at)
        }
    }

    /// The prompt a message at `at` answers: the one it quotes, else the most recent one open at that time.
    func promptFor(at: Date, quoting: String?) -> Prompt? {
        if let quoting, let key = promptOfMessage[quoting], let prompt = prompts.first(where: { $0.key == key }),
           prompt.opensAt <= at, at < prompt.closesAt {
            return prompt
        }
        return prompts.last { $0.opensAt <= at && at < $0.closesAt }
    }

    private mutating func advanceClock(to at: Date) -> [TrackerChange] {
        guard at > now else { return [] }
        var changes: [TrackerChange] = []
        for prompt in prompts where prompt.closesAt > now && prompt.closesAt <= at {
            for participant in participants.sorted() where states[participant]?[prompt.key] == .pending {
                if let change = set(participant, prompt.key, .pending, .missed, at: prompt.closesAt, messageID: nil) {
                    changes.append(change)
                }
            }
        }
        now = at
        return changes
    }

    private mutating func set(_ participant: PhoneNumber, _ prompt: String, _ from: PromptState, _ to: PromptState,
                              at: Date, messageID: String?) -> TrackerChange? {
        guard from != to else { return nil }
        states[participant, default: [:]][prompt] = to
        return TrackerChange(participant: participant, prompt: prompt, from: from, to: to, at: at, messageID: messageID)
    }
}
