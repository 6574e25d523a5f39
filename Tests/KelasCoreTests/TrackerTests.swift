import Foundation
import Testing
@testable import KelasCore

/// The prompt-status state machine, without a database: events in, changes out.
@Suite("Tracker")
struct TrackerTests {
    static let t0 = Date(timeIntervalSince1970: 1_625_536_800) // 2021-07-06 09:00 WIB
    static func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    let alice = PhoneNumber(e164: "+6281300000001")
    let budi = PhoneNumber(e164: "+6281300000002")
    let trainer = PhoneNumber(e164: "+6281234567001")

    func tracker() -> Tracker {
        let prompts = [
            Prompt(key: "s1", kind: .discussion, session: 1, survey: nil, opensAt: Self.at(0), closesAt: Self.at(24 * 60)),
            Prompt(key: "s2", kind: .discussion, session: 2, survey: nil, opensAt: Self.at(24 * 60), closesAt: Self.at(48 * 60)),
            Prompt(key: "post", kind: .survey, session: nil, survey: .post, opensAt: Self.at(48 * 60), closesAt: Self.at(72 * 60)),
        ]
        let plan = [
            PlannedMessage(id: "b:d2:s1", batchID: "b", itemKey: "s1", sequence: 0, day: 2, date: LocalDate(year: 2021, month: 7, day: 6),
                           localTime: LocalTime(hour: 9, minute: 0), sendAt: Self.at(0), kind: .discussion, audience: .group,
                           sender: nil, text: "", url: nil, filename: nil, session: 1, flags: [], shiftReason: nil),
            PlannedMessage(id: "b:d2:r1", batchID: "b", itemKey: "r1", sequence: 1, day: 2, date: LocalDate(year: 2021, month: 7, day: 6),
                           localTime: LocalTime(hour: 11, minute: 0), sendAt: Self.at(120), kind: .reminder,
                           audience: .nonResponders(discussion: "s1"), sender: nil, text: "", url: nil, filename: nil,
                           session: nil, flags: [.conditional], shiftReason: nil),
        ]
        return Tracker(prompts: prompts, participants: [alice, budi], trainers: [trainer], plan: plan)
    }

    @Test("forgetting answers keeps every state; a quote after it takes nothing up, an @-mention still does")
    func forgetAnswers() {
        var tracker = tracker()
        _ = tracker.apply(.participantMessage(id: "m1", from: alice, at: Self.at(10), isVoice: false, quoting: nil))
        _ = tracker.apply(.participantMessage(id: "m2", from: budi, at: Self.at(11), isVoice: true, quoting: nil))
        #expect(tracker.answers.count == 2)
        let before = tracker.states
        tracker.forgetAnswers()
        #expect(tracker.answers.isEmpty && tracker.states == before)
        #expect(tracker.apply(.trainerMessage(id: "t1", from: trainer, at: Self.at(30), quoting: "m1")).isEmpty)
        #expect(tracker.state(of: alice, on: "s1") == .replied)
        let mention = tracker.apply(.trainerMessage(id: "t2", from: trainer, at: Self.at(31), quoting: nil, mentions: [budi]))
        #expect(mention.map(\.to) == [.discussed] && tracker.state(of: budi, on: "s1") == .discussed)
    }

    @Test("pending → replied → voice-note → discussed")
    func happyPath() {
        var tracker = tracker()
        #expect(tracker.state(of: alice, on: "s1") == .pending)
        let replied = tracker.apply(.participantMessage(id: "m1", from: alice, at: Self.at(10), isVoice: false, quoting: nil))
        #expect(replied.map(\.to) == [.replied])
        #expect(replied.first?.messageID == "m1")
        let voice = tracker.apply(.participantMessage(id: "m2", from: alice, at: Self.at(20), isVoice: true, quoting: nil))
        #expect(voice.map(\.to) == [.voiceNote])
        let discussed = tracker.apply(.trainerMessage(id: "t1", from: trainer, at: Self.at(30), quoting: "m2"))
        #expect(discussed.map(\.to) == [.discussed])
        #expect(tracker.state(of: alice, on: "s1") == .discussed)
    }

    @Test("a trainer's @-mention takes up the participant's latest answer; a mention of a silent one changes nothing")
    func mentions() {
        var tracker = tracker()
        _ = tracker.apply(.participantMessage(id: "m1", from: alice, at: Self.at(10), isVoice: true, quoting: nil))
        let changes = tracker.apply(.trainerMessage(id: "t1", from: trainer, at: Self.at(15), quoting: nil, mentions: [alice, budi]))
        #expect(changes.map(\.participant) == [alice] && changes.map(\.to) == [.discussed])
        #expect(tracker.state(of: budi, on: "s1") == .pending)
        // The next day's answer is the one a later mention takes up.
        _ = tracker.apply(.participantMessage(id: "m2", from: alice, at: Self.at(24 * 60 + 5), isVoice: false, quoting: nil))
        let next = tracker.apply(.trainerMessage(id: "t2", from: trainer, at: Self.at(24 * 60 + 9), quoting: nil, mentions: [alice]))
        #expect(next.map(\.prompt) == ["s2"])
    }

    @Test("a voice note first is voice-note; a later text does not downgrade it")
    func voiceFirst() {
        var tracker = tracker()
        _ = tracker.apply(.participantMessage(id: "m1", from: alice, at: Self.at(5), isVoice: true, quoting: nil))
        #expect(tracker.apply(.participantMessage(id: "m2", from: alice, at: Self.at(6), isVoice: false, quoting: nil)).isEmpty)
        #expect(tracker.state(of: alice, on: "s1") == .voiceNote)
    }

    @Test("the same message twice is counted once")
    func dedupe() {
        var tracker = tracker()
        #expect(tracker.apply(.participantMessage(id: "m1", from: alice, at: Self.at(5), isVoice: false, quoting: nil)).count == 1)
        #expect(tracker.apply(.participantMessage(id: "m1", from: alice, at: Self.at(5), isVoice: true, quoting: nil)).isEmpty)
        #expect(tracker.state(of: alice, on: "s1") == .replied)
    }

    @Test("a reply counts for the most recent open prompt, or the one it quotes")
    func attribution() {
        var tracker = tracker()
        // Day 3: s2 is open and s1 is still open until its close; the latest open prompt is s2.
        _ = tracker.apply(.participantMessage(id: "m1", from: alice, at: Self.at(24 * 60 + 5), isVoice: false, quoting: nil))
        #expect(tracker.state(of: alice, on: "s2") == .replied)
        // Quoting the s1 reminder attributes to s1 — but s1 closed at 24 h, so budi's quote at 23 h counts for s1.
        _ = tracker.apply(.participantMessage(id: "m2", from: budi, at: Self.at(23 * 60), isVoice: false, quoting: "b:d2:r1"))
        #expect(tracker.state(of: budi, on: "s1") == .replied)
    }

    @Test("silence until a prompt closes is missed; answers after the close change nothing")
    func missed() {
        var tracker = tracker()
        _ = tracker.apply(.participantMessage(id: "m1", from: alice, at: Self.at(10), isVoice: false, quoting: nil))
        let changes = tracker.apply(.clock(Self.at(24 * 60)))
        #expect(changes.map(\.participant) == [budi])
        #expect(changes.first?.to == .missed)
        #expect(tracker.state(of: alice, on: "s1") == .replied)
        #expect(tracker.apply(.participantMessage(id: "late", from: budi, at: Self.at(24 * 60 + 1), isVoice: false, quoting: "b:d2:s1"))
            .allSatisfy { $0.prompt != "s1" })
        #expect(tracker.state(of: budi, on: "s1") == .missed)
    }

    @Test("manual marks: phoned or discussed makes a session discussed, even after it was missed; excused is its own state")
    func marks() {
        var tracker = tracker()
        _ = tracker.apply(.clock(Self.at(49 * 60)))
        #expect(tracker.state(of: budi, on: "s1") == .missed)
        #expect(tracker.apply(.mark(participant: budi, session: 1, kind: .phoned, at: Self.at(50 * 60))).map(\.to) == [.discussed])
        #expect(tracker.apply(.mark(participant: budi, session: 2, kind: .excused, at: Self.at(50 * 60))).map(\.to) == [.excused])
        #expect(tracker.apply(.mark(participant: PhoneNumber(e164: "+6289999999999"), session: 1, kind: .phoned, at: Self.at(1))).isEmpty)
    }

    @Test("messages from unknown numbers or with no open prompt change nothing")
    func ignored() {
        var tracker = tracker()
        #expect(tracker.apply(.participantMessage(id: "x", from: PhoneNumber(e164: "+6289999999999"), at: Self.at(5), isVoice: false, quoting: nil)).isEmpty)
        #expect(tracker.apply(.participantMessage(id: "y", from: alice, at: Self.at(-5), isVoice: false, quoting: nil)).isEmpty)
        #expect(tracker.apply(.trainerMessage(id: "t", from: trainer, at: Self.at(6), quoting: "nothing")).isEmpty)
    }

    @Test("completion: 2 of the sessions and the post-test by default")
    func completion() {
        var tracker = tracker()
        _ = tracker.apply(.participantMessage(id: "a1", from: alice, at: Self.at(10), isVoice: false, quoting: nil))
        _ = tracker.apply(.participantMessage(id: "a2", from: alice, at: Self.at(24 * 60 + 10), isVoice: true, quoting: nil))
        let rule = CompletionRule.default
        #expect(!rule.isComplete(tracker.states[alice] ?? [:], prompts: tracker.prompts))
        _ = tracker.apply(.participantMessage(id: "a3", from: alice, at: Self.at(48 * 60 + 10), isVoice: false, quoting: nil))
        #expect(rule.isComplete(tracker.states[alice] ?? [:], prompts: tracker.prompts))
        #expect(CompletionRule(sessions: 2, postTest: false).isComplete(["s1": .replied, "s2": .discussed], prompts: tracker.prompts))
        #expect(!CompletionRule(sessions: 2, postTest: false).isComplete(["s1": .replied, "s2": .missed], prompts: tracker.prompts))
    }
}
