import Foundation
import Testing
import KelasCore
@testable import KelasDelivery

@Suite("Retry policy and pacing")
struct RetryAndPacingTests {
    let t0 = Date(timeIntervalSince1970: 1_625_536_800)

    @Test("2xx sent; 408, 429, 5xx and transport errors retried on the schedule; other 4xx failed; dead after the last")
    func decisions() {
        let policy = RetryPolicy(jitter: 0)
        var random = SplitMix64(seed: 1)
        #expect(policy.decide(attempt: 1, outcome: .status(202), now: t0, random: &random) == .sent)
        #expect(policy.decide(attempt: 1, outcome: .status(500), now: t0, random: &random) == .retry(at: t0.addingTimeInterval(30)))
        #expect(policy.decide(attempt: 2, outcome: .status(408), now: t0, random: &random) == .retry(at: t0.addingTimeInterval(120)))
        #expect(policy.decide(attempt: 3, outcome: .transportError("connection refused"), now: t0, random: &random)
            == .retry(at: t0.addingTimeInterval(600)))
        // Retry-After is honoured when it asks for longer than the schedule.
        #expect(policy.decide(attempt: 1, outcome: .status(429, retryAfter: 90), now: t0, random: &random) == .retry(at: t0.addingTimeInterval(90)))
        #expect(policy.decide(attempt: 1, outcome: .status(429, retryAfter: 5), now: t0, random: &random) == .retry(at: t0.addingTimeInterval(30)))
        guard case .failed(let reason) = policy.decide(attempt: 1, outcome: .status(401), now: t0, random: &random) else {
            Issue.record("401 must fail at once"); return
        }
        #expect(reason.hasPrefix("HTTP 401"))
        #expect(policy.decide(attempt: 6, outcome: .status(503), now: t0, random: &random) == .dead("HTTP 503 (after 6 attempts)"))
    }

    @Test("jitter stretches waits by at most its share, reproducibly for a seed")
    func jitter() {
        let policy = RetryPolicy()
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        for attempt in 1...5 {
            guard case .retry(let at) = policy.decide(attempt: attempt, outcome: .status(500), now: t0, random: &a),
                  case .retry(let again) = policy.decide(attempt: attempt, outcome: .status(500), now: t0, random: &b) else {
                Issue.record("expected retries"); return
            }
            let wait = at.timeIntervalSince(t0), base = policy.delays[attempt - 1]
            #expect(wait >= base && wait <= base * 1.2 && at == again)
        }
    }

    @Test("at most N a second overall and one per 6 s to the same recipient")
    func pacing() {
        var pacer = Pacer(perSecond: 3, recipientGap: 6)
        let slots = (0..<7).map { pacer.slot(for: "r\($0)", at: t0).timeIntervalSince(t0) }
        #expect(slots == [0, 0, 0, 1, 1, 1, 2])
        let same = (0..<3).map { _ in pacer.slot(for: "budi", at: t0).timeIntervalSince(t0) }
        #expect(same == [2, 8, 14])
        // 500 messages asked for within half a second: 80 in each clock second, none before they were asked for.
        var check = Pacer(perSecond: 80)
        let asked = (0..<500).map { t0.addingTimeInterval(Double($0) * 0.001) }
        let times = asked.map { check.slot(for: "p\($0.timeIntervalSince1970)", at: $0) }
        let perSecond = Dictionary(grouping: times) { Int($0.timeIntervalSince1970) }.mapValues(\.count)
        #expect(perSecond.values.max() == 80 && perSecond.count == 7)
        #expect(zip(asked, times).allSatisfy { $0 <= $1 })
    }
}
