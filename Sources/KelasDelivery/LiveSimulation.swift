import Foundation
import KelasCore
import KelasStore

/// How far a live simulation has got: totals so far.
public struct LiveProgress: Sendable, Equatable {
    /// The virtual time.
    public var now: Date
    /// The batch day of `now` (1 = the start date).
    public var day: Int
    /// What the dispatcher did with the planned messages.
    public var delivery = DispatchSummary()
    /// Webhook payloads fed back into the store, and how many of them were participants' messages.
    public var payloads = 0
    public var replies = 0
    /// Read receipts a group gateway posted back (delivered, read), per participant.
    public var receipts = 0
    /// Trainers' calls that reached a participant, recorded as `phoned` marks.
    public var calls = 0
    /// Survey answers trainers typed (from voice notes, unclear replies and calls), as `kelas results set`.
    public var typed = 0
    /// The week was played to its end (not stopped).
    public var finished = false

    public init(now: Date, day: Int) {
        self.now = now
        self.day = day
    }
}

/// A simulated week played live: the batch goes into the store as a real one, the real `Dispatcher` sends its planned
/// messages through a sink as their times come on the clock, and what the simulated members say comes back as
/// WhatsApp Cloud API webhook payloads through the same decoder and ingest as `kelas ingest webhook`; trainers' calls
/// become marks, and the survey answers they type are recorded as `kelas results set` records them. The week's events are decided in advance by the `Simulator` (seeded), so the statuses the store ends
/// with are the simulation's own — `mismatches` checks that — whatever the clock's speed.
public struct LiveSimulation: Sendable {
    public let week: SimulatedWeek
    public let store: KelasDatabase
    public let dispatcher: Dispatcher
    /// Where the store says the batch and the payloads came from.
    public let source: String
    /// How what members say comes back: Cloud API payloads, or a group gateway's (WAHA, Evolution API) — then from
    /// the batch's group, with read receipts for what the dispatcher sent there.
    public let format: WebhookFormat

    /// `format` `.waha` or `.evolution`: the batch posts to its `delivery.group` (a stand-in id when it names none).
    public init(week: SimulatedWeek, store: KelasDatabase, dispatcher: Dispatcher, source: String, format: WebhookFormat = .cloud) {
        var week = week
        if format != .cloud, week.batch.delivery.group == nil { week.batch.delivery.group = SimulatedWeek.standInGroup(week.batch.id) }
        self.week = week
        self.store = store
        self.dispatcher = dispatcher
        self.source = source
        self.format = format
    }

    /// The WhatsApp group a gateway rehearsal posts to and hears from.
    public var group: String? { format == .cloud ? nil : week.batch.delivery.group }

    private var offset: Int {
        week.batch.timeZone.secondsFromGMT(for: KelasTimeZone.instant(week.batch.start, LocalTime(secondsOfDay: 0), in: week.batch.timeZone))
    }

    /// Midnight before the batch's first day, local time.
    public var startOfWeek: Date { KelasTimeZone.instant(week.batch.start, LocalTime(secondsOfDay: 0), in: week.batch.timeZone) }

    /// The batch day of `date` (1 = the start date).
    public func day(of date: Date) -> Int { KelasTimeZone.local(date, offset: offset).day - week.batch.start.daysSinceEpoch + 1 }

    /// Puts the batch in the store with its plan and outbox, as `kelas batch add` does, the day before it starts.
    /// Returns when its first message is due (where a clock should start).
    @discardableResult
    public func prepare() throws -> Date? {
        _ = try store.addBatch(LoadedBatch(batch: week.batch, curriculum: week.curriculum), source: source,
                               now: startOfWeek.addingTimeInterval(-86_400))
        return try store.nextDue()
    }

    /// Plays the week on `clock`: at each moment something happens, first the dispatcher sends what is due (so a
    /// reminder at 19:00 still finds silent someone who answers at 19:00, as in the simulation), then the payloads and
    /// calls of that moment go in. `progress` hears after every step. Stops when nothing is left, or when cancelled
    /// (what was sent and ingested by then stays in the store).
    public func run(clock: any DispatchClock, progress: @Sendable (LiveProgress) -> Void = { _ in }) async throws -> LiveProgress {
        enum Event { case payload(SimulatedPayload), call(SimulatedCall), typing(SimulatedTyping) }
        let events: [(at: Date, event: Event)] = (week.webhookPayloads(format: format, group: group).map { ($0.at, Event.payload($0)) }
            + week.calls.filter(\.reached).map { ($0.at, Event.call($0)) } + week.typed.map { ($0.at, Event.typing($0)) })
            .enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
        let horizon = week.end.addingTimeInterval(2 * 86_400)
        var state = LiveProgress(now: clock.now(), day: day(of: clock.now()))
        var next = 0
        // Read receipts of what went to the group, in time order (a gateway rehearsal only).
        var receipts: [SimulatedPayload] = []
        var receipted = Set<String>()
        while !Task.isCancelled {
            let due = try store.nextDue()
            let eventAt = next < events.count ? events[next].at : nil
            guard let at = [due, eventAt, receipts.first?.at].compactMap({ $0 }).min(), at <= horizon else {
                state.finished = true
                break
            }
            do { try await clock.sleep(until: at) } catch is CancellationError { break }
            if let due, due <= at {
                state.delivery.add(try await dispatcher.runOnce(now: at))
                if let group {
                    for item in try store.outbox(states: [.sent], batchID: week.batch.id) where !receipted.contains(item.message.id) {
                        receipted.insert(item.message.id)
                        guard let id = item.wamid, let sentAt = item.sentAt else { continue }
                        receipts += week.receipts(for: id, sentAt: sentAt, format: format, group: group)
                    }
                    receipts.sort { ($0.at, $0.id) < ($1.at, $1.id) }
                }
            }
            var content = WebhookContent()
            while let receipt = receipts.first, receipt.at <= at {
                receipts.removeFirst()
                let decoded = try GatewayPayload.decode(receipt.body, format: format, file: "simulated receipt \(receipt.id)")
                content.payloads += decoded.payloads
                content.statuses += decoded.statuses
                state.receipts += decoded.statuses.count
            }
            while next < events.count, events[next].at <= at {
                switch events[next].event {
                case .payload(let payload):
                    let decoded = try GatewayPayload.decode(payload.body, format: format, file: "simulated webhook \(payload.id)")
                    content.payloads += decoded.payloads
                    content.messages += decoded.messages
                    if payload.role == .participant { state.replies += 1 }
                case .call(let call):
                    _ = try store.mark(batchID: week.batch.id, participant: call.phone.e164, session: call.session, kind: .phoned,
                                       note: "simulated call", now: call.at)
                    state.calls += 1
                case .typing(let typing):
                    _ = try store.setAnswers(batchID: week.batch.id, participant: typing.phone.e164, survey: typing.survey,
                                             answers: typing.answers, source: "trainer", now: typing.at)
                    state.typed += 1
                }
                next += 1
            }
            if content.payloads > 0 {
                _ = try store.ingest(content, source: source, now: at)
                state.payloads += content.payloads
            }
            state.now = at
            state.day = day(of: at)
            progress(state)
        }
        try store.releaseClaims(owner: dispatcher.owner)
        state.delivery.next = try store.nextDue()
        return state
    }

    /// Participants whose statuses in the store, at the week's end, differ from the simulation's own (empty when
    /// the live run went through the pipeline as the simulation did).
    public func mismatches() throws -> [String] {
        let status = try store.status(batchID: week.batch.id, now: week.end)
        let keys = status.columns.map(\.key)
        return status.rows.filter { row in
            row.states != keys.map { week.states[row.phone]?[$0] ?? .pending }
        }.map(\.name)
    }
}
