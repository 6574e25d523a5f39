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

    public init(start: Date, speed: Double, wall: @escaping @Sendable () -> Date = { Date() },
                wait: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1_000_000_000)) }) {
        self.start = start
        self.speed = max(speed, 1e-9)
        self.wall = wall
        self.wait = wait
        self.origin = wall()
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
    /// When the next queued message is due, if any.
    public var next: Date?

    public init() {}

    mutating func add(_ other: DispatchSummary) {
        sent += other.sent; retried += other.retried; failed += other.failed; dead += other.dead
        expired += other.expired; skipped += other.skipped; postponed += other.postponed
        next = other.next
    }

    public var description: String {
        "\(sent) sent, \(retried) to retry, \(failed) failed, \(dead) dead, \(expired) expired, \(skipped) skipped"
    }
}

/// Claims due messages from the outbox, paces them, hands them to the sink, and records every attempt.
///
/// At-least-once: a message is marked sent only after the sink confirmed it; a crash between the two leaves it
/// claimed, and it is sent again — with the same `webhook-id` — when its lease runs out or the next run starts.
public actor Dispatcher {
    public let store: KelasDatabase
    public let sink: any OutboundSink
    public let policy: RetryPolicy
    /// How many messages go to the sink at once (a webhook sink has that many transfers in flight).
    public let inFlight: Int
    /// How long a claim holds before another dispatcher may take the message.
    public let lease: TimeInterval
    private var pacer: Pacer
    private var random: SplitMix64
    private var zones: [String: TimeZone] = [:]
    /// Slots the pacer gave to postponed messages: used when they come due, not reserved a second time.
    private var reserved: [String: Date] = [:]

    public init(store: KelasDatabase, sink: any OutboundSink, policy: RetryPolicy = RetryPolicy(), pacer: Pacer = Pacer(),
                inFlight: Int = 8, lease: TimeInterval = 300, seed: UInt64 = 1) {
        self.store = store
        self.sink = sink
        self.policy = policy
        self.pacer = pacer
        self.inFlight = max(1, inFlight)
        self.lease = lease
        self.random = SplitMix64(seed: seed)
    }

    /// Sends everything due at `now` (in groups of `inFlight`), then says when the next message is due.
    public func runOnce(now: Date) async throws -> DispatchSummary {
        var summary = DispatchSummary()
        summary.expired = try store.expireOverdue(now: now)
        var silent: [String: [PhoneNumber]] = [:]
        while true {
            let items = try store.claimDue(now: now, limit: inFlight, lease: lease)
            if items.isEmpty { break }
            var ready: [(OutboxItem, OutboundEvent)] = []
            for item in items {
                let recipients = try recipients(of: item.message, now: now, silent: &silent)
                if recipients.isEmpty {
                    try store.skip(messageID: item.message.id, reason: item.message.remindsOf == nil ? "nobody to send to"
                                   : "everyone it reminds had answered", now: now)
                    summary.skipped += 1
                    continue
                }
                let key = if case .participant(let phone) = item.message.audience { phone.e164 } else { "group:" + item.message.batchID }
                if let slot = reserved[item.message.id], slot <= now {
                    reserved[item.message.id] = nil
                } else {
                    let slot = pacer.slot(for: key, at: now)
                    if slot > now {
                        reserved[item.message.id] = slot
                        try store.postpone(messageID: item.message.id, until: slot)
                        summary.postponed += 1
                        continue
                    }
                }
                let zone = try timeZone(of: item.message.batchID)
                let offset = zone.secondsFromGMT(for: item.message.sendAt)
                ready.append((item, OutboundEvent(webhookID: item.webhookID, message: item.message, recipients: recipients, offset: offset)))
            }
            if ready.isEmpty { continue }
            let reports = await sink.send(ready.map(\.1), at: now)
            var records: [(DeliveryAttempt, AttemptResult)] = []
            for (index, (item, _)) in ready.enumerated() {
                let report = index < reports.count ? reports[index] : SendReport(.transportError("the sink gave no answer"))
                let attempt = item.attempts + 1
                let decision = policy.decide(attempt: attempt, outcome: report.outcome, now: now, random: &random)
                var record = DeliveryAttempt(messageID: item.message.id, attempt: attempt, at: now, statusCode: nil, error: nil,
                                             latency: report.latency)
                var wamid: String?
                switch report.outcome {
                case .status(let code, _, let id): record.statusCode = code; wamid = id
                case .transportError(let error): record.error = error
                case .rejected(let code, let reason, _): record.statusCode = code; record.error = reason
                }
                switch decision {
                case .sent: records.append((record, .sent(wamid: wamid))); summary.sent += 1
                case .retry(let at):
                    if record.error == nil { record.error = "HTTP \(record.statusCode ?? 0)" }
                    records.append((record, .retry(at: at))); summary.retried += 1
                case .failed(let reason): records.append((record, .failed(reason))); summary.failed += 1
                case .dead(let reason): records.append((record, .dead(reason))); summary.dead += 1
                }
            }
            try store.record(records)
        }
        summary.next = try store.nextDue()
        return summary
    }

    /// The scheduler loop: sends what is due, sleeps until the next due time, until `until` or nothing is left.
    /// Starts by returning claims left by a dispatcher that died, so nothing stays stuck.
    public func run(clock: any DispatchClock, until: Date? = nil,
                    progress: @Sendable (DispatchSummary) -> Void = { _ in }) async throws -> DispatchSummary {
        _ = try store.releaseClaims()
        var total = DispatchSummary()
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

    private func timeZone(of batchID: String) throws -> TimeZone {
        if let zone = zones[batchID] { return zone }
        let zone = try store.timeZone(batchID: batchID)
        zones[batchID] = zone
        return zone
    }
}
