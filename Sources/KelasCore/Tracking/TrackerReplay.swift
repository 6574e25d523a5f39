import Foundation

/// Feeds a batch's messages and marks to the `Tracker` in the one order every replay uses — the store's status and
/// reports, and the simulator: messages in time order, each mark after the messages of its instant; trainers' messages
/// (other than reactions and deletions) may take up answers, participants' answers count.
public struct TrackerReplay: Sendable {
    public private(set) var tracker: Tracker
    private var marks: ArraySlice<TrackerEvent>
    private let trainers: Set<PhoneNumber>

    /// `marks` are `.mark` and `.surveyTaken` events in time order.
    public init(tracker: Tracker, marks: [TrackerEvent]) {
        self.tracker = tracker
        self.marks = marks[...]
        self.trainers = tracker.trainers
    }

    /// One inbound message; marks from before it are applied first.
    public mutating func message(id: String, from phone: PhoneNumber, at: Date, kind: InboundMessage.Kind, quoting: String?,
                                 mentions: [PhoneNumber]) {
        while let mark = marks.first, mark.time < at { apply(mark); marks.removeFirst() }
        if trainers.contains(phone) {
            guard kind != .reaction, kind != .deleted else { return }
            apply(.trainerMessage(id: id, from: phone, at: at, quoting: quoting, mentions: mentions))
        } else if kind.isAnswer {
            apply(.participantMessage(id: id, from: phone, at: at, isVoice: kind == .voice, quoting: quoting))
        }
    }

    /// The remaining marks, then the clock moved to `now` (prompts closed by then become `missed`).
    public mutating func finish(at now: Date) {
        for mark in marks { apply(mark) }
        marks = []
        apply(.clock(now))
    }

    private mutating func apply(_ event: TrackerEvent) {
        _ = tracker.apply(event)
    }
}

extension TrackerEvent {
    /// When the event happened.
    public var time: Date {
        switch self {
        case .participantMessage(_, _, let at, _, _), .trainerMessage(_, _, let at, _, _), .mark(_, _, _, let at),
             .surveyTaken(_, _, let at), .clock(let at): at
        }
    }
}
