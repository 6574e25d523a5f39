import Foundation
import Testing
@testable import KelasCore

/// Every statistic against values worked out by hand (or from printed t and χ² tables).
@Suite("Statistics")
struct StatisticsTests {
    @Test("t quantiles match the printed table", arguments: [
        (1.0, 12.706), (4.0, 2.776), (5.0, 2.571), (10.0, 2.228), (30.0, 2.042), (100.0, 1.984),
    ])
    func tTable(_ df: Double, _ expected: Double) {
        #expect(abs(Statistics.tQuantile(0.975, df: df) - expected) < 0.0006)
        #expect(abs(Statistics.tQuantile(0.025, df: df) + expected) < 0.0006)
        #expect(abs(Statistics.tCDF(0, df: df) - 0.5) < 1e-12)
    }

    @Test("a paired change by hand: five pairs, differences 3, 3, 0, 3, 4")
    func paired() throws {
        let pairs: [(pre: Double, post: Double)] = [(10, 13), (12, 15), (15, 15), (11, 14), (14, 18)]
        let change = try #require(Statistics.pairedChange(pairs))
        // mean 13/5 = 2.6; squared deviations .16 + .16 + 6.76 + .16 + 1.96 = 9.2; sd = √(9.2/4) = 1.51658
        #expect(change.pairs == 5 && abs(change.mean - 2.6) < 1e-12)
        #expect(abs((change.sd ?? 0) - 1.516575) < 1e-6)
        // half width t(0.975, 4) · sd/√5 = 2.776445 × 0.678233 = 1.883080
        let interval = try #require(change.interval)
        #expect(abs(interval.lowerBound - 0.716920) < 1e-5 && abs(interval.upperBound - 4.483080) < 1e-5)
        // d_z = 2.6 / 1.51658 = 1.71439, large
        #expect(abs((change.dz ?? 0) - 1.714389) < 1e-5 && Statistics.effectSize(change.dz ?? 0) == "large")
        #expect(change.improved == 4 && change.unchanged == 1 && change.declined == 0)
        #expect(Statistics.pairedChange([]) == nil)
        let one = try #require(Statistics.pairedChange([(pre: 1, post: 2)]))
        #expect(one.sd == nil && one.interval == nil && one.dz == nil)
    }

    @Test("McNemar: exact below 25 discordant pairs, χ² with continuity correction from 25")
    func mcNemar() {
        // b = 2, c = 9: P(X ≤ 2 | n = 11, ½) = (1 + 11 + 55) / 2048 = 0.0327148; two-sided 0.0654297
        let exact = Statistics.mcNemar(b: 2, c: 9)
        #expect(exact.exact && abs(exact.p - 0.0654297) < 1e-6)
        // b = 10, c = 25: (|10 − 25| − 1)² / 35 = 196 / 35 = 5.6; p = P(χ²₁ > 5.6) = 0.017966
        let chi = Statistics.mcNemar(b: 10, c: 25)
        #expect(!chi.exact && abs((chi.chiSquare ?? 0) - 5.6) < 1e-12 && abs(chi.p - 0.017966) < 1e-5)
        #expect(Statistics.mcNemar(b: 0, c: 0).p == 1)
        #expect(Statistics.mcNemar(b: 5, c: 5).p == 1)
    }

    @Test("mean and standard deviation")
    func basics() {
        #expect(Statistics.mean([]) == nil && Statistics.mean([1, 2, 3, 4]) == 2.5)
        #expect(Statistics.standardDeviation([5]) == nil)
        #expect(abs((Statistics.standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]) ?? 0) - 2.138090) < 1e-6)
    }
}
