import Foundation

/// What happened when a sink tried to deliver one message.
public enum SendOutcome: Sendable, Equatable {
    /// The receiver answered with this HTTP status (a sink without HTTP reports 200 when it wrote the message).
    case status(Int, retryAfter: TimeInterval? = nil, wamid: String? = nil)
    /// No answer: refused connection, timeout, DNS, TLS.
    case transportError(String)
    /// The receiver (or the sink itself, before sending) said why the message was not accepted, and whether trying
    /// later can help: the Cloud API answers 400 both for a pair-rate limit (retry) and for a closed 24-hour window (not).
    case rejected(status: Int?, reason: String, retry: Bool)
}

/// What the dispatcher does with a message after an attempt. A value: the dispatcher decides, the store records.
public enum RetryDecision: Sendable, Equatable {
    case sent
    case retry(at: Date)
    /// A 4xx other than 408/429: sending again would fail the same way.
    case failed(String)
    /// Still failing after the last attempt of the schedule.
    case dead(String)
}

/// When to try again: exponential backoff with jitter, on a documented schedule.
///
/// Retried: transport errors and timeouts, 408, 429 (never sooner than its `Retry-After`), 5xx.
/// Failed at once: other 4xx. Dead: still failing after `delays.count + 1` attempts.
public struct RetryPolicy: Sendable, Equatable {
    /// Waits before attempts 2, 3, …: 30 s, 2 min, 10 min, 30 min, 1 h (then dead after 6 attempts).
    public var delays: [TimeInterval] = [30, 120, 600, 1800, 3600]
    /// Each wait is stretched by a random 0 … `jitter` of itself, so retries of many messages spread out.
    public var jitter = 0.2

    public init(delays: [TimeInterval] = [30, 120, 600, 1800, 3600], jitter: Double = 0.2) {
        self.delays = delays
        self.jitter = jitter
    }

    public var maxAttempts: Int { delays.count + 1 }

    /// The decision after attempt number `attempt` (1 = the first try) ended with `outcome` at `now`.
    public func decide(attempt: Int, outcome: SendOutcome, now: Date, random: inout some RandomNumberGenerator) -> RetryDecision {
        let reason: String
        var notBefore: TimeInterval = 0
        switch outcome {
        case .status(let code, _, _) where (200..<300).contains(code):
            return .sent
        case .status(let code, let retryAfter, _) where code == 408 || code == 429 || (500..<600).contains(code):
            reason = "HTTP \(code)"
            notBefore = retryAfter ?? 0
        case .status(let code, _, _):
            return .failed("HTTP \(code): the receiver refused the message; sending it again would fail the same way")
        case .transportError(let error):
            reason = error
        case .rejected(_, let why, let retry):
            guard retry else { return .failed(why) }
            reason = why
        }
        guard attempt < maxAttempts, attempt >= 1 else {
            return .dead("\(reason) (after \(attempt) attempt\(attempt == 1 ? "" : "s"))")
        }
        let base = delays[attempt - 1]
        let wait = max(notBefore, base + base * jitter * Double.random(in: 0...1, using: &random))
        return .retry(at: now.addingTimeInterval(wait))
    }
}

/// Paces sends: at most `perSecond` messages in each clock second, and one message per `recipientGap` to the same
/// recipient (WhatsApp's pair rate limit). Pure: it is given times and answers times.
public struct Pacer: Sendable {
    public var perSecond: Int
    public var recipientGap: TimeInterval
    /// Reservations per whole second since 1970.
    private var perSecondCount: [Int64: Int] = [:]
    private var lastTo: [String: Date] = [:]

    /// Defaults: 80 messages a second (the Cloud API's default throughput), 6 s between messages to one recipient.
    public init(perSecond: Int = 80, recipientGap: TimeInterval = 6) {
        self.perSecond = max(1, perSecond)
        self.recipientGap = recipientGap
    }

    /// The earliest time at or after `now` when a message to `recipient` may go; reserves that slot.
    public mutating func slot(for recipient: String, at now: Date) -> Date {
        var time = now
        if let last = lastTo[recipient] { time = max(time, last.addingTimeInterval(recipientGap)) }
        var second = Int64(time.timeIntervalSince1970.rounded(.down))
        while perSecondCount[second, default: 0] >= perSecond {
            second += 1
            time = Date(timeIntervalSince1970: Double(second))
        }
        perSecondCount[second, default: 0] += 1
        lastTo[recipient] = time
        // Seconds before the request can no longer be reserved: forget them.
        let floor = Int64(now.timeIntervalSince1970.rounded(.down))
        if perSecondCount.count > 4 * perSecond { perSecondCount = perSecondCount.filter { $0.key >= floor } }
        return time
    }
}
