import Foundation

/// One message of the simulated group chat: a trainer's post, a participant's answer or follow-up, a trainer's reply.
///
/// The one-byte fields come last, after the optional `voiceSeconds`, so they fill its padding: 96 bytes a message
/// instead of 112 (a week of 100,000 participants has 718,239).
public struct SimulatedMessage: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable { case trainer, participant }
    /// On a whole minute: an Android export has no seconds, so an export reads back the same times.
    public var at: Date
    public var phone: PhoneNumber
    /// How the group shows the author (the alias, when a participant has one).
    public var name: String
    public var text: String
    /// The planned message a trainer's post delivers.
    public var plannedID: String?
    /// Participants a trainer's reply mentions (written `@628…` in the text, as exports write mentions).
    public var mentions: [PhoneNumber]
    /// A voice note's length.
    public var voiceSeconds: Int?
    public var role: Role
    public var isVoice: Bool

    /// As a webhook or an export gives it: a voice note or a text, and only a text's words.
    var kind: InboundMessage.Kind { isVoice ? .voice : .text }
    var writtenText: String? { isVoice ? nil : text }

    init(at: Date, role: Role, phone: PhoneNumber, name: String, isVoice: Bool, text: String, voiceSeconds: Int?,
         mentions: [PhoneNumber], plannedID: String?) {
        self.at = at
        self.phone = phone
        self.name = name
        self.text = text
        self.plannedID = plannedID
        self.mentions = mentions
        self.voiceSeconds = voiceSeconds
        self.role = role
        self.isVoice = isVoice
    }
}

/// A trainer's phone call to a participant still silent on a discussion at the end of its day.
public struct SimulatedCall: Sendable, Hashable {
    public var phone: PhoneNumber
    public var session: Int
    public var at: Date
    /// Reached and talked the session through: recorded as a `phoned` mark.
    public var reached: Bool
}

/// Answers a trainer typed for a participant (from a voice note, an unclear reply or a call): stored as
/// `kelas results set` would store them.
public struct SimulatedTyping: Sendable, Hashable {
    public var phone: PhoneNumber
    public var survey: SurveyKind
    /// The option typed for each statement, in the instrument's order (the participant's intended answers, shared).
    public var options: [UInt8]
    public var at: Date

    /// Statement → option, as `kelas results set` takes them.
    public var answers: [Int: Int] { Dictionary(uniqueKeysWithValues: options.enumerated().map { ($0.offset, Int($0.element)) }) }
}

/// What the week did for one participant: engagement as the tracker saw it, and their results as the results pipeline
/// reads them from the group's messages and the trainers' typing.
public struct ParticipantOutcome: Sendable, Hashable {
    public var phone: PhoneNumber
    public var name: String
    /// Share of the batch's prompts in an answered state (replied, voice note, discussed) at the end of the week.
    public var engagement: Double
    public var completed: Bool
    /// The day they stopped, if they dropped out.
    public var droppedOnDay: Int?
    /// Test totals on the instrument's scale (12–36 for `adil-gender`); nil without a usable score.
    public var pre: Double?
    public var post: Double?
    /// The default indicators: agreement on equal access at the post-test, and reliable future champion.
    public var agrees: Bool
    public var champion: Bool
}

/// The first half of a simulated week (`Simulator.chat()`): everything said in the group and the calls made, with what
/// the second half (`Simulator.finish`) needs to score it.
public struct SimulatedChat: Sendable {
    public let simulator: Simulator
    public let plan: [PlannedMessage]
    public let prompts: [Prompt]
    /// In time order, as `SimulatedWeek.messages`.
    public let messages: [SimulatedMessage]
    public let calls: [SimulatedCall]
    /// What each participant would answer in each survey: the option of each statement (`intended[survey][participant]`,
    /// participants in the batch's order; empty for none). Bytes, not a dictionary for each: a week of 100,000 holds
    /// 200,000 of them until it is scored.
    let intended: [SurveyKind: [[UInt8]]]
    /// When each prompt's answers stop counting for it.
    let ends: [String: Date]
    let dropped: [PhoneNumber: Int]
    public let end: Date

    public var batch: Batch { simulator.batch }
    public var curriculum: Curriculum { simulator.curriculum }
}

/// A simulated week: everything said in the group, the calls made, and the outcomes.
public struct SimulatedWeek: Sendable {
    public var seed: UInt64
    public var batch: Batch
    public var curriculum: Curriculum
    public var plan: [PlannedMessage]
    public var prompts: [Prompt]
    /// In time order (messages at the same minute in the order they were written).
    public var messages: [SimulatedMessage]
    public var calls: [SimulatedCall]
    /// Survey answers trainers typed.
    public var typed: [SimulatedTyping]
    /// Each participant's results, read by the same pipeline as a real batch's.
    public var results: [ParticipantResult]
    public var outcomes: [ParticipantOutcome]
    /// The tracker's states at the end of the week (the same the store computes from these messages and marks).
    public var states: [PhoneNumber: [String: PromptState]]
    /// After the last prompt closed: when the week is over.
    public var end: Date

    /// The inbound messages a webhook or a chat export would give the tracker, ids `sim:<batch>:<n>`.
    /// Made one at a time as they are read: a week of 100,000 participants has 700,000, which held at once weigh more
    /// than the week itself.
    public func inboundMessages() -> LazyMapSequence<EnumeratedSequence<[SimulatedMessage]>, InboundMessage> {
        Self.inbound(messages, batchID: batch.id)
    }

    /// The id of the week's message at `index` (in time order), as stored: `sim:<batch>:<n>`.
    public static func messageID(batchID: String, index: Int) -> String { "sim:\(batchID):\(index + 1)" }

    public static func inbound(_ messages: [SimulatedMessage], batchID: String) -> LazyMapSequence<EnumeratedSequence<[SimulatedMessage]>, InboundMessage> {
        messages.enumerated().lazy.map { index, message in
            InboundMessage(id: messageID(batchID: batchID, index: index), phone: message.phone, author: message.name, sentAt: message.at,
                           kind: message.kind, text: message.writtenText,
                           mentions: message.mentions)
        }
    }
}

/// Simulates a group's week: seeded participants answer the batch's prompts, trainers take up answers and phone
/// the silent, and the same `Planner` and `Tracker` as a real batch turn it into statuses. Pure and deterministic:
/// the same batch, scenario and seed give the same week, byte for byte, and it never sleeps.
public struct Simulator: Sendable {
    public var batch: Batch
    public var curriculum: Curriculum
    public var scenario: Scenario
    public var seed: UInt64

    public init(batch: Batch, curriculum: Curriculum, scenario: Scenario = Scenario(), seed: UInt64) {
        self.batch = batch
        self.curriculum = curriculum
        self.scenario = scenario
        self.seed = seed
    }

    /// The group's own view: one post per planned item, even for a batch that is delivered by fan-out.
    var groupBatch: Batch {
        var batch = batch
        batch.delivery.mode = .group
        return batch
    }

    public func run() -> SimulatedWeek {
        finish(chat())
    }

    /// The first half of `run()`: what is said in the group and the calls made, before the tracker reads them. A
    /// store can keep the messages while `finish` tracks and scores them (`KelasDatabase.store(_:source:finishing:)`).
    public func chat() -> SimulatedChat {
        let grouped = groupBatch
        let plan = Planner(batch: grouped, curriculum: curriculum).plan()
        let prompts = Prompt.prompts(batch: grouped, curriculum: curriculum, plan: plan)
        let offset = batch.timeZone.secondsFromGMT(for: KelasTimeZone.instant(batch.start, LocalTime(secondsOfDay: 0), in: batch.timeZone))
        let clock = LocalClock(offset: offset, start: batch.start, quiet: batch.delivery.quiet, window: batch.delivery.window)
        let language = batch.language
        var messages: [(SimulatedMessage, order: Int)] = []
        var order = 0
        func add(_ message: SimulatedMessage) { messages.append((message, order)); order += 1 }

        // Trainers post the plan; a reminder only when someone is still silent (decided below, once answers are known).
        let trainerByName = Dictionary(batch.trainers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func trainer(onDay day: Int) -> Person { batch.leadTrainer(onDay: day) ?? batch.admin }

        // Prompts end where the next prompt opens: an answer after that would count for the newer prompt.
        let ends: [String: Date] = Dictionary(uniqueKeysWithValues: prompts.map { prompt in
            let next = prompts.filter { $0.opensAt > prompt.opensAt }.map(\.opensAt).min()
            return (prompt.key, min(prompt.closesAt, next ?? prompt.closesAt))
        })
        let reminders = Dictionary(grouping: plan.filter { $0.remindsOf != nil }) { $0.remindsOf ?? "" }

        // Participants: propensity, voice share and how vocal, each from its own seeded stream.
        let count = batch.participants.count
        var rankGenerator = SplitMix64(seed: derivedSeed(seed, "ranks"))
        let ranks = Array(1...max(1, count)).shuffled(using: &rankGenerator)
        var remindedSilent: [String: Int] = [:]
        var calls: [SimulatedCall] = []
        var dropped: [PhoneNumber: Int] = [:]
        var answersToTakeUp: [(at: Date, phone: PhoneNumber, day: Int)] = []
        var intended: [SurveyKind: [[UInt8]]] = [:]

        for (index, person) in batch.participants.enumerated() {
            var random = SplitMix64(seed: derivedSeed(seed, person.phone.e164))
            let propensity = logistic(logit(scenario.answer) + scenario.spread * random.normal())
            let voiceShare = person.disabilities.contains(.seeing) ? 0.9 : person.disabilities.contains(.hearing) ? 0 : scenario.voice
            let vocal = 1 / pow(Double(ranks[index]), scenario.vocal)
            let attitude = scenario.attitudeMean + scenario.attitudeSD * random.normal()
            var discussions = 0, tookPart = 0
            let name = person.alias ?? person.name
            var droppedOn: Int?
            var offlineDays: Set<Int> = []
            for day in 1...7 {
                if droppedOn == nil, random.chance(scenario.dropout) { droppedOn = day }
                if random.chance(scenario.offline) { offlineDays.insert(day) }
            }
            if let droppedOn { dropped[person.phone] = droppedOn }
            func active(at date: Date) -> Bool {
                let day = clock.day(of: date)
                return (droppedOn.map { day < $0 } ?? true) && !offlineDays.contains(day)
            }
            func say(_ at: Date, voice: Bool, text: String) {
                add(SimulatedMessage(at: at, role: .participant, phone: person.phone, name: name, isVoice: voice, text: text,
                                     voiceSeconds: voice ? Int(min(600, max(3, random.logNormal(median: 45, spread: 0.6)))) : nil,
                                     mentions: [], plannedID: nil))
            }
            for prompt in prompts {
                let end = ends[prompt.key] ?? prompt.closesAt
                // A scored survey: what they would answer now (after the week's discussions, for the post-test).
                var choices: (answers: [Int: Int], instrument: Instrument)?
                if let id = prompt.instrument, let instrument = curriculum.instruments[id], let survey = prompt.survey {
                    let engagement = discussions == 0 ? 0 : Double(tookPart) / Double(discussions)
                    let now = survey == .pre ? attitude : attitude + scenario.gainBase + scenario.gainPerEngagement * engagement
                    let answers = SurveyWriting.choose(instrument, attitude: now, scenario: scenario, random: &random)
                    let options = instrument.statements.indices.map { UInt8(clamping: answers[$0] ?? 0) }
                    intended[survey, default: Array(repeating: [], count: count)][index] = options
                    choices = (answers, instrument)
                }
                var answerAt: Date?
                if random.chance(propensity) {
                    let at = clock.reply(after: prompt.opensAt, delay: scenario.latency, rhythm: scenario.rhythm, random: &random)
                    if at < end, active(at: at) { answerAt = at }
                }
                for reminder in reminders[prompt.key] ?? [] where reminder.sendAt < end {
                    guard answerAt.map({ $0 >= reminder.sendAt }) ?? true else { continue }
                    remindedSilent[reminder.id, default: 0] += 1
                    if active(at: reminder.sendAt), random.chance(scenario.reminder) {
                        let at = clock.reply(after: reminder.sendAt, delay: scenario.latency, rhythm: scenario.rhythm, random: &random)
                        if at < end, active(at: at), answerAt.map({ at < $0 }) ?? true { answerAt = at }
                    }
                }
                // Trainers phone those still silent on a discussion at the end of its day.
                var reached = false
                if scenario.calls, let session = prompt.session, prompt.kind == .discussion {
                    let callAt = clock.endOfDay(of: prompt.opensAt)
                    if callAt < end, answerAt.map({ $0 >= callAt }) ?? true {
                        reached = random.chance(scenario.call)
                        calls.append(SimulatedCall(phone: person.phone, session: session, at: callAt, reached: reached))
                    }
                }
                if prompt.kind == .discussion {
                    discussions += 1
                    if answerAt != nil || reached { tookPart += 1 }
                }
                guard let at = answerAt else { continue }
                let voice = random.chance(voiceShare)
                if let choices, !voice {
                    // Written answers, sometimes over two messages a few minutes apart; no chatter after a test.
                    let texts = SurveyWriting.messages(choices.answers, instrument: choices.instrument, language: language, random: &random)
                    var last = at
                    for (index, text) in texts.enumerated() {
                        if index > 0 {
                            last = clock.reply(after: last, delay: Scenario.Delay(median: 4 * 60, spread: 0.8), rhythm: scenario.rhythm, random: &random)
                            guard last < end, active(at: last) else { break }
                        }
                        say(last, voice: false, text: text)
                    }
                    continue
                }
                say(at, voice: voice, text: Phrases.answer(prompt, language: language, random: &random))
                if prompt.kind == .survey { continue }
                // Trainers take up discussion answers; a survey answer ("done") needs no reply.
                if prompt.kind == .discussion { answersToTakeUp.append((at, person.phone, clock.day(of: at))) }
                // Follow-ups: the vocal few say much more; each is text, inside the prompt's time.
                var last = at
                for _ in 0..<random.poisson(scenario.chatter * vocal) {
                    let next = clock.reply(after: last, delay: Scenario.Delay(median: scenario.latency.median / 3, spread: 1),
                                           rhythm: scenario.rhythm, random: &random)
                    guard next < end, active(at: next) else { break }
                    say(next, voice: false, text: Phrases.followUp(language: language, random: &random))
                    last = next
                }
            }
        }

        // Trainer posts, reminders only to a group where someone was silent.
        for message in plan {
            if message.remindsOf != nil, remindedSilent[message.id, default: 0] == 0 { continue }
            let person = message.sender.flatMap { trainerByName[$0] } ?? trainer(onDay: message.day)
            let text = message.url.map { message.text.contains($0) ? message.text : message.text + "\n" + $0 } ?? message.text
            add(SimulatedMessage(at: clock.minute(message.sendAt), role: .trainer, phone: person.phone, name: person.alias ?? person.name,
                                 isVoice: false, text: text, voiceSeconds: nil, mentions: [], plannedID: message.id))
        }
        // Trainers take up answers: a reply that mentions the participant, inside the delivery window.
        var trainerRandom = SplitMix64(seed: derivedSeed(seed, "trainers"))
        for answer in answersToTakeUp.sorted(by: { ($0.at, $0.phone) < ($1.at, $1.phone) }) where trainerRandom.chance(scenario.reply) {
            let at = clock.inWindow(clock.minute(answer.at.addingTimeInterval(
                max(60, trainerRandom.logNormal(median: scenario.trainerDelay.median, spread: scenario.trainerDelay.spread)))))
            let person = trainer(onDay: clock.day(of: at))
            add(SimulatedMessage(at: at, role: .trainer, phone: person.phone, name: person.alias ?? person.name, isVoice: false,
                                 text: "@\(answer.phone.digits) " + Phrases.takeUp(language: language, random: &trainerRandom),
                                 voiceSeconds: nil, mentions: [answer.phone], plannedID: nil))
        }

        // Sorted in place, and the pairs let go once read: a large week is not held three times over.
        messages.sort { ($0.0.at, $0.order) < ($1.0.at, $1.order) }
        let sorted = messages.map(\.0)
        messages = []
        calls.sort { ($0.at, $0.phone) < ($1.at, $1.phone) }
        let end = (prompts.map(\.closesAt).max() ?? clock.startOfWeek).addingTimeInterval(60)
        return SimulatedChat(simulator: self, plan: plan, prompts: prompts, messages: sorted, calls: calls, intended: intended,
                             ends: ends, dropped: dropped, end: end)
    }

    /// The second half of `run()`: the tracker over the chat, the results read from it (with what trainers typed), and
    /// each participant's outcome. `typed` hears of each survey a trainer types as soon as it is decided (the week's
    /// `typed`, in the same order), so a store can keep them while the rest is scored.
    public func finish(_ chat: SimulatedChat, typed heard: (SimulatedTyping) -> Void = { _ in }) -> SimulatedWeek {
        var tracker = Self.track(messages: chat.messages, calls: chat.calls, batch: groupBatch, prompts: chat.prompts, plan: chat.plan,
                                 end: chat.end)
        let (results, typed) = results(messages: chat.messages, tracker: &tracker, prompts: chat.prompts, intended: chat.intended,
                                       ends: chat.ends, typed: heard)
        let outcomes = outcomes(results, states: tracker.states, prompts: chat.prompts, dropped: chat.dropped)
        return SimulatedWeek(seed: seed, batch: batch, curriculum: curriculum, plan: chat.plan, prompts: chat.prompts, messages: chat.messages,
                             calls: chat.calls, typed: typed, results: results, outcomes: outcomes, states: tracker.states, end: chat.end)
    }

    /// The tracker over the week, in the order the store replays it (`TrackerReplay`), with the same message ids.
    static func track(messages: [SimulatedMessage], calls: [SimulatedCall], batch: Batch, prompts: [Prompt],
                      plan: [PlannedMessage], end: Date) -> Tracker {
        let tracker = Tracker(prompts: prompts, participants: batch.participants.map(\.phone),
                              trainers: batch.trainers.map(\.phone) + [batch.admin.phone], plan: plan)
        var replay = TrackerReplay(tracker: tracker, marks: calls.filter(\.reached).map {
            .mark(participant: $0.phone, session: $0.session, kind: .phoned, at: $0.at)
        })
        // The tracker knows each message by its place in the week (`trackerID`): a short id is kept in the text itself,
        // where the stored ids (`sim:<batch>:<n>`) would be 700,000 more strings at 100,000 participants. Ids only
        // match quotes to answers, and no simulated message quotes, so the states are the same.
        for (index, message) in messages.enumerated() {
            replay.message(id: trackerID(index), from: message.phone, at: message.at, kind: message.kind,
                           quoting: nil, mentions: message.mentions)
        }
        replay.finish(at: end)
        return replay.tracker
    }

    /// The id the tracker knows the week's message at `index` by: its number, short enough to be stored in the string.
    static func trackerID(_ index: Int) -> String { String(index + 1) }

    /// The results pipeline over the week: the replies the tracker counted for each survey, read as answers; what it
    /// cannot read (a voice note, an unclear or incomplete reply) or a participant silent on a survey is taken up by a
    /// trainer — typed from the note or a call back with `transcribe`, by phone with `surveyCall` — as their answers.
    /// The typed surveys count as answered (`.surveyTaken`, applied to `tracker`: it changes no other prompt, so the
    /// states are those of a replay with the typing in time order, as the store does it).
    ///
    /// Participant by participant: their surveys are decided, their results made from their readings, and their replies
    /// let go, so a week of 100,000 never holds everyone's readings beside everyone's results. Typing is handed to
    /// `heard` (and listed) in the order of a prompt-by-prompt pass — the first survey prompt's as they are decided, the
    /// later ones' at the end — and each decision draws from its own seeded stream, so the order changes nothing else.
    func results(messages: [SimulatedMessage], tracker: inout Tracker, prompts: [Prompt], intended: [SurveyKind: [[UInt8]]],
                 ends: [String: Date], typed heard: (SimulatedTyping) -> Void = { _ in }) -> ([ParticipantResult], [SimulatedTyping]) {
        let instrument = prompts.lazy.compactMap { $0.instrument.flatMap { self.curriculum.instruments[$0] } }.first
        var input = BatchResults(
            batchID: batch.id, programme: batch.programme, start: batch.start, trainers: batch.trainers.map(\.name),
            completion: batch.completion, prompts: prompts, instrument: instrument,
            people: batch.participants.map {
                BatchResults.Person(phone: $0.phone.e164, name: $0.name, district: $0.district ?? batch.district, withDisability: !$0.disabilities.isEmpty)
            }, states: [:])
        let surveys = input.surveyOfPrompt
        for (index, message) in messages.enumerated() {
            guard let answer = tracker.answers[Self.trackerID(index)], surveys[answer.prompt] != nil else { continue }
            input.add(SurveyReply(messageID: SimulatedWeek.messageID(batchID: batch.id, index: index), at: message.at,
                                  text: message.writtenText, isVoice: message.isVoice),
                      from: answer.participant, prompt: answer.prompt, surveys: surveys)
        }
        // Every reply is attributed and nothing after this quotes one (typing only marks surveys taken).
        tracker.forgetAnswers()
        // The survey prompts a trainer may type for, in order, with when their answers are typed.
        let typable: [(survey: SurveyKind, at: Date)] = instrument == nil ? [] : prompts.compactMap { prompt in
            guard let survey = prompt.survey, prompt.instrument != nil else { return nil }
            return (survey, ends[prompt.key] ?? prompt.closesAt)
        }
        let parser = instrument?.parser
        var typed: [SimulatedTyping] = []
        var later: [[SimulatedTyping]] = Array(repeating: [], count: typable.count)
        var results: [ParticipantResult] = []
        results.reserveCapacity(input.people.count)
        for (index, person) in batch.participants.enumerated() {
            let phone = person.phone.e164
            var typedFor: [SurveyKind: BatchResults.Typed] = [:]
            var made: [SurveyKind: SurveyReading] = [:]
            if let instrument {
                for (position, prompt) in typable.enumerated() {
                    let survey = prompt.survey, key = BatchResults.key(phone, survey)
                    guard typedFor[survey] == nil, let options = intended[survey]?[index], !options.isEmpty else { continue }
                    let replies = input.replies[key]
                    let reading = SurveyReading.read(instrument, replies: replies ?? [], parser: parser)
                    if replies != nil { made[survey] = reading }
                    guard reading.score == nil || !reading.review.isEmpty else { continue }
                    var random = SplitMix64(seed: derivedSeed(seed, "typing \(survey.rawValue) " + phone))
                    guard random.chance(replies == nil ? scenario.surveyCall : scenario.transcribe) else { continue }
                    let typing = SimulatedTyping(phone: person.phone, survey: survey, options: options, at: prompt.at)
                    typedFor[survey] = BatchResults.Typed(answers: typing.answers, source: "trainer")
                    if position == 0 { typed.append(typing); heard(typing) } else { later[position].append(typing) }
                    _ = tracker.apply(.surveyTaken(participant: person.phone, survey: survey, at: prompt.at))
                }
            }
            let who = input.people[index]
            func reading(_ survey: SurveyKind) -> SurveyReading? {
                input.reading(of: who, survey, typed: typedFor[survey], made: made[survey], parser: parser)
            }
            results.append(input.result(for: who, states: tracker.states[person.phone] ?? [:], pre: reading(.pre), post: reading(.post)))
            for survey in SurveyKind.allCases { input.replies[BatchResults.key(phone, survey)] = nil }
        }
        for typing in later.joined() {
            typed.append(typing)
            heard(typing)
        }
        return (results, typed)
    }

    /// Each participant's engagement (from the tracker) beside their results and the default indicators.
    func outcomes(_ results: [ParticipantResult], states: [PhoneNumber: [String: PromptState]], prompts: [Prompt],
                  dropped: [PhoneNumber: Int]) -> [ParticipantOutcome] {
        let evaluator = IndicatorEvaluator(Indicator.defaults, instruments: Dictionary(
            results.compactMap { $0.instrument.map { ($0.id, $0) } }, uniquingKeysWith: { first, _ in first }), language: .en)
        return zip(batch.participants, results).map { person, result in
            let mine = states[person.phone] ?? [:]
            let answered = prompts.count { mine[$0.key]?.isAnswered ?? false }
            let holds = evaluator.holds(result)
            return ParticipantOutcome(phone: person.phone, name: person.name,
                                      engagement: prompts.isEmpty ? 0 : Double(answered) / Double(prompts.count),
                                      completed: result.completed, droppedOnDay: dropped[person.phone],
                                      pre: result.pre?.score?.total, post: result.post?.score?.total,
                                      agrees: holds.first ?? false, champion: holds.dropFirst().first ?? false)
        }
    }
}

func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
func logit(_ p: Double) -> Double {
    let clamped = min(max(p, 1e-6), 1 - 1e-6)
    return log(clamped / (1 - clamped))
}

/// Local time of the batch's zone (its offset at the start of the week: Indonesian zones have no daylight saving).
struct LocalClock {
    let offset: Int
    let start: LocalDate
    let quiet: [QuietPeriod]
    let window: TimeRange

    var startOfWeek: Date { Date(timeIntervalSince1970: Double(start.daysSinceEpoch * 86_400 - offset)) }

    func local(_ date: Date) -> (day: Int, seconds: Int) {
        let local = KelasTimeZone.local(date, offset: offset)
        return (local.day, local.second)
    }

    /// The batch day number (1 = the start date; may be past 7).
    func day(of date: Date) -> Int { local(date).day - start.daysSinceEpoch + 1 }

    func minute(_ date: Date) -> Date { Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60) }

    /// 20:00 local on the day of `date`: when trainers phone the silent.
    func endOfDay(of date: Date) -> Date {
        Date(timeIntervalSince1970: Double(local(date).day * 86_400 + 20 * 3600 - offset))
    }

    /// Moves a time outside the delivery window to the next window start.
    func inWindow(_ date: Date) -> Date {
        let (day, seconds) = local(date)
        if seconds < window.start.secondsOfDay { return Date(timeIntervalSince1970: Double(day * 86_400 + window.start.secondsOfDay - offset)) }
        if seconds >= window.end.secondsOfDay { return Date(timeIntervalSince1970: Double((day + 1) * 86_400 + window.start.secondsOfDay - offset)) }
        return date
    }

    /// How active people are at `date` relative to the busiest hour: the rhythm, damped in quiet times.
    func activity(_ date: Date, rhythm: [Double], peak: Double) -> Double {
        let (day, seconds) = local(date)
        var weight = rhythm[seconds / 3600] / peak
        let time = LocalTime(secondsOfDay: seconds)
        let weekday = LocalDate(daysSinceEpoch: day).weekday
        if quiet.contains(where: { $0.applies(on: weekday) && $0.range.contains(time) }) { weight *= 0.1 }
        return weight
    }

    /// A reply time after `date`: a log-normal delay, kept with the probability of the activity at that hour (so
    /// replies gather at the morning and evening peaks), on a whole minute at least one minute later.
    func reply(after date: Date, delay: Scenario.Delay, rhythm: [Double], random: inout SplitMix64) -> Date {
        let peak = rhythm.max() ?? 1
        var candidate = date
        for _ in 0..<12 {
            candidate = date.addingTimeInterval(max(60, random.logNormal(median: delay.median, spread: delay.spread)))
            if random.unit() < activity(candidate, rhythm: rhythm, peak: peak) { break }
        }
        return minute(candidate)
    }
}
