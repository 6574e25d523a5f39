import Foundation
import KelasCore
import KelasStore

/// The time source of the dispatcher: the system clock for `kelas run`, a virtual one in tests and simulations.
public protocol DispatchClock: Sendable {
    func now() -> Date
    /// Waits until `date`; throws `CancellationError` when the run is being stopped.
    func sleep(until date: Date) async throws
}

/// The wall clock.
public struct SystemClock: DispatchClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until date: Date) async throws {
        let seconds = date.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1_000_000_000)) }
        try Task.checkCancellation()
    }
}

/// Virtual time that never waits: `sleep(until:)` moves the clock forward, so a week runs in milliseconds
/// (`kelas simulate --webhook --speed max`, and tests).
public final class VirtualClock: DispatchClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func sleep(until date: Date) async throws {
        try Task.checkCancellation()
        lock.withLock { if date > current { current = date } }
    }
}

/// Virtual time running `speed` times faster than the wall clock, from `start`: at 5,040 a week takes two minutes.
/// The wall clock and the wait are injected, so tests check the scaling without waiting.
public struct ScaledClock: DispatchClock {
    public let start: Date
    public let speed: Double
    private let origin: Date
    private let wall: @Sendable () -> Date
    private let wait: @Sendable (TimeInterval) async throws -> Void

    /// `origin`: the wall-clock moment that is `start` (default: now).
    public init(start: Date, speed: Double, wall: @escaping @Sendable () -> Date = { Date() },
                wait: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1_000_000_000)) },
                origin: Date? = nil) {
        self.start = start
        self.speed = max(speed, 1e-9)
        self.wall = wall
        self.wait = wait
        self.origin = origin ?? wall()
    }

    public func now() -> Date { start.addingTimeInterval(wall().timeIntervalSince(origin) * speed) }

    /// Waits the wall-clock share of the virtual interval (at most a day at a time).
    public func sleep(until date: Date) async throws {
        let seconds = date.timeIntervalSince(now()) / speed
        if seconds > 0 { try await wait(min(seconds, 86_400)) }
        try Task.checkCancellation()
    }
}

/// What one or more dispatch rounds did.
public struct DispatchSummary: Sendable, Equatable {
    public var sent = 0
    public var retried = 0
    public var failed = 0
    public var dead = 0
    public var expired = 0
    public var skipped = 0
    /// Held back to a later slot by the rate limits (not an attempt).
    public var postponed = 0
    /// Left queued because their sink cannot be made (a missing secret, no sink named): not an attempt, never sent.
    public var held = 0
    /// Left queued until their recipient answers the re-engagement template (the 24-hour window is closed).
    public var waiting = 0
    /// Why messages were held, once each.
    public var holdReasons: [String] = []
    /// When the next queued message is due, if any.
    public var next: Date?

    public init() {}

    mutating func add(_ other: DispatchSummary) {
        sent += other.sent; retried += other.retried; failed += other.failed; dead += other.dead
        expired += other.expired; skipped += other.skipped; postponed += other.postponed; held += other.held
        waiting += other.waiting
        for reason in other.holdReasons where !holdReasons.contains(reason) { holdReasons.append(reason) }
        next = other.next
    }

    /// Whether anything happened worth a line in a log.
    public var isEventful: Bool { sent + retried + failed + dead + expired + held > 0 }

    /// What happened, in the reader's language (hold reasons as the sinks gave them).
    public var phrase: Phrase {
        var extra: [Phrase] = []
        if waiting > 0 { extra.append(Phrase("dispatch.waiting", ["count": String(waiting)])) }
        if held > 0 { extra.append(Phrase("dispatch.held", ["count": String(held), "reasons": holdReasons.joined(separator: "; ")])) }
        let counts = Phrase("dispatch.summary", ["sent": String(sent), "retried": String(retried), "failed": String(failed), "dead": String(dead),
                                                 "expired": String(expired), "skipped": String(skipped)])
        return Phrase.list([counts] + extra) ?? counts
    }

    /// In English, for the server's log.
    public var description: String { phrase.description }
}

/// Claims due messages from the outbox, paces them, hands each to its batch's sink, and records every attempt.
///
/// At-least-once: a message is marked sent only after the sink confirmed it; a crash between the two leaves it
/// claimed, and it is sent again — with the same `webhook-id` — once its lease has run out. Claims name their
/// dispatcher (`owner`), so two dispatchers on one store (`kelas serve` and a `kelas run`) never take each other's
/// messages while their leases hold.
///
/// Its store calls are synchronous (a round's commit waits on the disk), so the actor runs on a queue of its own
/// (`QueueExecutor`): in `kelas serve` a commit never holds one of the cooperative threads the requests share.
public actor Dispatcher {
    private nonisolated let executor = QueueExecutor(label: "kelas.dispatcher")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    public let store: KelasDatabase
    public let sinks: SinkResolver
    public let policy: RetryPolicy
    /// How many messages each sink has under way at once (a webhook sink has that many transfers in flight).
    public let inFlight: Int
    /// How long a claim holds (wall clock) before another dispatcher may take the message.
    public let lease: TimeInterval
    /// How many messages one round claims (and settles, in one commit): `sendsPerChunk` times `inFlight`, and at least
    /// `fullRound` if the lease can ever let a second chunk start; sent a chunk (`sendsPerChunk × inFlight`) at a time,
    /// each later chunk only while the lease allows.
    public let roundSize: Int
    /// Who claims: unique to this dispatcher.
    public nonisolated let owner: String
    /// The wall clock, for leases (injected in tests).
    private let wall: @Sendable () -> Date
    private var pacer: Pacer
    private var random: SplitMix64
    private var zones: [String: TimeZone] = [:]
    /// Slots the pacer gave to postponed messages: used when they come due, not reserved a second time.
    private var reserved: [String: Date] = [:]

    public init(store: KelasDatabase, sinks: SinkResolver, policy: RetryPolicy = RetryPolicy(), pacer: Pacer = Pacer(),
                inFlight: Int = 8, lease: TimeInterval = 300, seed: UInt64 = 1, owner: String = Dispatcher.uniqueOwner(),
                wall: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.sinks = sinks
        self.policy = policy
        self.pacer = pacer
        self.inFlight = max(1, inFlight)
        self.lease = lease
        // A lease shorter than a chunk's worst case never lets a second chunk start: a round is then one chunk.
        self.roundSize = lease >= Self.chunkWorstCase ? max(self.inFlight * Self.sendsPerChunk, Self.fullRound)
            : self.inFlight * Self.sendsPerChunk
        self.owner = owner
        self.wall = wall
        self.random = SplitMix64(seed: seed)
    }

    /// Every message through `sink`, whatever its batch names (tests, simulations).
    public init(store: KelasDatabase, sink: any OutboundSink, policy: RetryPolicy = RetryPolicy(), pacer: Pacer = Pacer(),
                inFlight: Int = 8, lease: TimeInterval = 300, seed: UInt64 = 1, owner: String = Dispatcher.uniqueOwner(),
                wall: @escaping @Sendable () -> Date = { Date() }) {
        self.init(store: store, sinks: SinkResolver(fixed: sink), policy: policy, pacer: pacer, inFlight: inFlight, lease: lease,
                  seed: seed, owner: owner, wall: wall)
    }

    /// How many groups of `inFlight` messages go to the sinks at a time (a chunk). A chunk must end well within its
    /// lease (16 sends of 15-second timeouts are 4 minutes, inside the default 5), or another dispatcher may send its
    /// messages again.
    public static let sendsPerChunk = 16

    /// The fewest messages a round claims and settles. Claiming and settling cost one durable commit a round, so a
    /// round of 16 × 8 (the default in flight) committed eight times as often as one of 1,024 for the same messages.
    /// A round larger than one chunk sends its chunks one after another, each only if a whole chunk's worst case
    /// (`chunkWorstCase`) still fits before the earliest lease of the round runs out; what it does not start goes back
    /// to the queue without an attempt and is claimed again. (The first chunk always goes, as a round of one chunk did.)
    public static let fullRound = 1_024

    /// How long a chunk can take at worst: every send of its 16 waits out the sinks' 15-second timeout.
    public static let chunkWorstCase: TimeInterval = Double(sendsPerChunk) * 15

    /// A claim owner no other dispatcher has: host, process and a random part.
    public static func uniqueOwner() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    /// Sends everything due at `now` (in groups of `inFlight`), then says when the next message is due.
    public func runOnce(now: Date) async throws -> DispatchSummary {
        var summary = DispatchSummary()
        summary.expired = try store.expireOverdue(now: now, wall: wall())
        var silent: [String: [PhoneNumber]] = [:]
        var optedOut: [String: [PhoneNumber: OptOutState]] = [:]
        // What a round decided is written with a later round's claim: one durable commit a round. While a round's
        // messages are on their way, the one before it is settled and the next one claimed.
        var settled: [Settlement] = []
        var items = try store.claimDue(now: now, limit: roundSize, lease: lease, owner: owner, wall: wall())
        while true {
            if items.isEmpty {
                // Nothing claimed ahead: write what is left, and claim again (a message retried at once comes back).
                if settled.isEmpty { break }
                items = try store.settle(settled, thenClaim: roundSize, now: now, lease: lease, owner: owner, wall: wall())
                settled.removeAll(keepingCapacity: true)
                if items.isEmpty { break }
            }
            var ready: [(item: OutboxItem, event: OutboundEvent, sink: SinkResolver.Resolved)] = []
            for item in items {
                let resolved: SinkResolver.Resolved
                switch sinks.resolve(batchID: item.message.batchID, batchSink: item.batchSink) {
                case .success(let found): resolved = found
                case .failure(let problem):
                    settled.append(.hold(messageID: item.message.id, reason: problem.description,
                                         until: now.addingTimeInterval(KelasDatabase.holdDelay)))
                    summary.held += 1
                    if !summary.holdReasons.contains(problem.description) { summary.holdReasons.append(problem.description) }
                    continue
                }
                let everyone = try recipients(of: item.message, now: now, silent: &silent)
                // Nothing more to those who opted out: a 1:1 message is skipped, a reminder no longer names them (a group
                // post still reaches the group: a gateway cannot leave one member out; the admin removes them).
                if optedOut[item.message.batchID] == nil { optedOut[item.message.batchID] = try store.optOuts(batchID: item.message.batchID) }
                let out = optedOut[item.message.batchID] ?? [:]
                let recipients = everyone.filter { out[$0] == nil }
                if case .participant(let phone) = item.message.audience, let state = out[phone] {
                    settled.append(.skip(messageID: item.message.id, reason: "opted out (\(state.how))", at: now))
                    summary.skipped += 1
                    continue
                }
                if recipients.isEmpty {
                    settled.append(.skip(messageID: item.message.id, reason: item.message.remindsOf == nil ? "nobody to send to"
                                         : "everyone it reminds had answered", at: now))
                    summary.skipped += 1
                    continue
                }
                // The Cloud API's 24-hour window, decided now from the stored messages: open → as written; closed → the
                // item's template, or the batch's re-engagement template first while the message waits for a reply.
                var template: PlannedTemplate?
                if resolved.sink.observesConversationWindow, case .participant(let phone) = item.message.audience {
                    switch try windowRoute(item, phone: phone, now: now) {
                    case .freeForm, .blocked: break
                    case .template: template = item.message.template
                    case .reengage:
                        summary.waiting += 1
                        continue
                    }
                }
                let key = if case .participant(let phone) = item.message.audience { phone.e164 } else { "group:" + item.message.batchID }
                if let slot = reserved[item.message.id], slot <= now {
                    reserved[item.message.id] = nil
                } else {
                    let slot = pacer.slot(for: key, at: now)
                    if slot > now {
                        reserved[item.message.id] = slot
                        settled.append(.postpone(messageID: item.message.id, until: slot))
                        summary.postponed += 1
                        continue
                    }
                }
                let zone = try timeZone(of: item.message.batchID)
                let offset = zone.secondsFromGMT(for: item.message.sendAt)
                var event = OutboundEvent(webhookID: item.webhookID, message: item.message, recipients: recipients, offset: offset,
                                          group: item.batchGroup)
                event.template = template.map(OutboundEvent.Template.init)
                ready.append((item, event, resolved))
            }
            // The whole round to its sinks, a chunk at a time, each sink with up to `inFlight` messages under way;
            // meanwhile the rounds before it are settled and the next one claimed.
            let leaseEnd = ready.compactMap(\.item.leaseUntil).min() ?? .distantFuture
            let wall = self.wall
            async let sent = Self.send(ready.map { ($0.event, $0.sink) }, at: now, inFlight: inFlight,
                                       chunk: inFlight * Self.sendsPerChunk) {
                wall().addingTimeInterval(Self.chunkWorstCase) <= leaseEnd
            }
            let next = try store.settle(settled, thenClaim: roundSize, now: now, lease: lease, owner: owner, wall: wall())
            settled.removeAll(keepingCapacity: true)
            let reports = await sent
            for (index, entry) in ready.enumerated() {
                let item = entry.item
                guard let report = reports[index] else {
                    // Not started: its lease could run out before a chunk ends. Back to the queue, no attempt made,
                    // keeping the paced slot it had (now), so that the next round does not take another.
                    settled.append(.postpone(messageID: item.message.id, until: now))
                    reserved[item.message.id] = now
                    continue
                }
                let attempt = item.attempts + 1
                var decision = policy.decide(attempt: attempt, outcome: report.outcome, now: now, random: &random)
                var record = DeliveryAttempt(messageID: item.message.id, attempt: attempt, at: now, statusCode: nil, error: nil,
                                             latency: report.latency)
                var wamid: String?
                switch report.outcome {
                case .status(let code, _, let id): record.statusCode = code; wamid = id
                case .transportError(let error): record.error = error
                case .rejected(let code, let reason, _): record.statusCode = code; record.error = reason
                }
                if report.windowClosed, case .participant(let phone) = item.message.audience {
                    // The window was closed after all: remembered for this number until they write again, and a
                    // free-form message with a template to fall back on goes again at once, as the template.
                    try store.closeWindow(phone: phone, at: now)
                    if entry.event.template == nil, let fallback = item.message.template {
                        decision = .retry(at: now)
                        record.error = (record.error ?? "") + "; sent again as template \(fallback.name)"
                    }
                }
                switch decision {
                case .sent: settled.append(.attempt(record, .sent(wamid: wamid))); summary.sent += 1
                case .retry(let at):
                    if record.error == nil { record.error = "HTTP \(record.statusCode ?? 0)" }
                    settled.append(.attempt(record, .retry(at: at))); summary.retried += 1
                case .failed(let reason): settled.append(.attempt(record, .failed(reason))); summary.failed += 1
                case .dead(let reason): settled.append(.attempt(record, .dead(reason))); summary.dead += 1
                }
            }
            items = next
        }
        summary.next = try store.nextDue()
        return summary
    }

    /// Hands the events to their sinks `chunk` at a time (as `send(_:at:inFlight:)`), the first chunk always and each
    /// later one only if `mayStart` says so then; a report for each event, in their order, nil for those not started.
    static func send(_ events: [(OutboundEvent, SinkResolver.Resolved)], at now: Date, inFlight: Int, chunk: Int,
                     mayStart: @Sendable () -> Bool) async -> [SendReport?] {
        var reports: [SendReport?] = []
        reports.reserveCapacity(events.count)
        var start = 0
        while start < events.count, start == 0 || mayStart() {
            let end = min(events.count, start + max(1, chunk))
            reports += await send(Array(events[start..<end]), at: now, inFlight: inFlight) as [SendReport]
            start = end
        }
        return reports + [SendReport?](repeating: nil, count: events.count - reports.count)
    }

    /// Hands each event to its sink: one call per sink, the sinks side by side, each with up to `inFlight` events under
    /// way; reports come back in the events' order.
    static func send(_ events: [(OutboundEvent, SinkResolver.Resolved)], at now: Date, inFlight: Int) async -> [SendReport] {
        var groups: [SinkSpec?: [Int]] = [:]
        var order: [SinkSpec?] = []
        for (index, (_, resolved)) in events.enumerated() {
            if groups[resolved.key] == nil { order.append(resolved.key) }
            groups[resolved.key, default: []].append(index)
        }
        var reports = [SendReport?](repeating: nil, count: events.count)
        await withTaskGroup(of: ([Int], [SendReport]).self) { tasks in
            for key in order {
                guard let indices = groups[key], let first = indices.first else { continue }
                let target = events[first].1.sink
                let batch = indices.map { events[$0].0 }
                tasks.addTask { (indices, await target.send(batch, at: now, inFlight: inFlight)) }
            }
            for await (indices, answers) in tasks {
                for (position, index) in indices.enumerated() where position < answers.count { reports[index] = answers[position] }
            }
        }
        return reports.map { $0 ?? SendReport(.transportError("the sink gave no answer")) }
    }

    /// The scheduler loop: sends what is due, sleeps until the next due time, until `until` or nothing is left.
    /// Claims it still holds when it stops go back to the queue; another dispatcher's claims are left alone (a claim
    /// left by a dispatcher that died is taken once its lease has run out).
    public func run(clock: any DispatchClock, until: Date? = nil,
                    progress: @Sendable (DispatchSummary) -> Void = { _ in }) async throws -> DispatchSummary {
        var total = DispatchSummary()
        do {
            while !Task.isCancelled {
                let now = clock.now()
                if let until, now > until { break }
                let round = try await runOnce(now: now)
                total.add(round)
                progress(round)
                guard let next = round.next else { break }
                if let until, next > until { break }
                do { try await clock.sleep(until: next) } catch is CancellationError { break }
            }
        } catch {
            _ = try? store.releaseClaims(owner: owner)
            throw error
        }
        try store.releaseClaims(owner: owner)
        return total
    }
    /// Who a message reaches now: the group's participants, one participant, or those still silent on a prompt —
    /// a reminder, in either mode, goes only to them (`silent` keeps who is silent for the rest of the round).
    private func recipients(of message: PlannedMessage, now: Date, silent: inout [String: [PhoneNumber]]) throws -> [PhoneNumber] {
        func stillSilent(_ prompt: String) throws -> [PhoneNumber] {
            let key = message.batchID + "\u{1F}" + prompt
            if let cached = silent[key] { return cached }
            let phones = try store.nonResponders(batchID: message.batchID, prompt: prompt, now: now)
            silent[key] = phones
            return phones
        }
        switch message.audience {
        case .group: return try store.participants(batchID: message.batchID)
        case .participant(let phone):
            guard let prompt = message.remindsOf else { return [phone] }
            return try stillSilent(prompt).contains(phone) ? [phone] : []
        case .nonResponders(let prompt): return try stillSilent(prompt)
        }
    }

    /// How long a message waiting behind a re-engagement template waits before the window is looked at again.
    public static let windowRecheck: TimeInterval = 600

    /// Which way a fan-out message goes now. For `.reengage` the re-engagement template has been queued (once per
    /// closed window) and the message given back to wait, with why, until the window opens or the message expires.
    private func windowRoute(_ item: OutboxItem, phone: PhoneNumber, now: Date) throws -> WindowRoute {
        let message = item.message
        // The re-engagement template itself (no text of its own) always goes as the template.
        if message.text.isEmpty, message.template != nil { return .template }
        let window = try store.conversationWindow(phone: phone, now: now)
        let route = WindowRoute.decide(template: message.template, lastInbound: window.lastInbound, closedAt: window.closedAt, at: now)
        guard route == .reengage, let knock = message.template else { return route }
        let since = max(window.lastInbound ?? .distantPast, window.closedAt ?? .distantPast,
                        now.addingTimeInterval(-Planner.conversationWindow))
        let zone = try timeZone(of: message.batchID)
        let queued = try store.requestReengagement(for: message, template: knock, since: since, now: now, zone: zone)
        try store.hold(messageID: message.id, reason: KelasDatabase.windowWaitReason + " to the re-engagement template "
                       + "\(knock.name) (queued \(KelasTimeZone.iso8601(queued, in: zone)))",
                       until: min(now.addingTimeInterval(Self.windowRecheck), item.expiresAt))
        return route
    }

    private func timeZone(of batchID: String) throws -> TimeZone {
        if let zone = zones[batchID] { return zone }
        let zone = try store.timeZone(batchID: batchID)
        zones[batchID] = zone
        return zone
    }
}
