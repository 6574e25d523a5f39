import Foundation

/// SplitMix64: a small, seeded generator, so jitter and simulations are reproducible for a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The draws the simulator makes, on any seeded generator. Each is built from `Double.random(in:using:)` only, so a
/// seed gives the same values on every platform.
extension RandomNumberGenerator {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double.random(in: 0..<1, using: &self) }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(unit(), 1e-12)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * unit())
    }

    /// Log-normal with this median and log-scale spread (sigma).
    mutating func logNormal(median: Double, spread: Double) -> Double { median * exp(spread * normal()) }

    /// Poisson (Knuth's method; the means used here are small).
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-min(mean, 30))
        var count = 0
        var product = unit()
        while product > limit { count += 1; product *= unit() }
        return count
    }
}

/// A child seed per batch or participant, so adding one does not shift the draws of the others.
public func derivedSeed(_ seed: UInt64, _ label: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
    for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    var mixer = SplitMix64(seed: hash)
    return mixer.next()
}
