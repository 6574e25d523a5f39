import Foundation

/// The statistics of a pre/post report, pure and exact enough to check by hand: means, the paired change with its
/// 95 % confidence interval from the t distribution, Cohen's d_z, and McNemar's test for a yes/no indicator.
public enum Statistics {
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (n − 1 in the denominator); nil below two values.
    public static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let mean = mean(values) else { return nil }
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }

    // MARK: The t distribution

    /// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits).
    static func logGamma(_ x: Double) -> Double {
        if x < 0.5 { return log(Double.pi / sin(Double.pi * x)) - logGamma(1 - x) }
        let coefficients = [0.999_999_999_999_809_93, 676.520_368_121_885_1, -1_259.139_216_722_402_8, 771.323_428_777_653_13,
                            -176.615_029_162_140_59, 12.507_343_278_686_905, -0.138_571_095_265_720_12,
                            9.984_369_578_019_571_6e-6, 1.505_632_735_149_311_6e-7]
        let z = x - 1
        var sum = coefficients[0]
        for index in 1..<coefficients.count { sum += coefficients[index] / (z + Double(index)) }
        let t = z + 7.5
        return 0.5 * log(2 * Double.pi) + (z + 0.5) * log(t) - t + log(sum)
    }

    /// The regularised incomplete beta function I_x(a, b), by its continued fraction (modified Lentz).
    static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - incompleteBeta(1 - x, b, a) }
        let front = exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log(1 - x)) / a
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...300 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d; if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            result *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return front * result
    }

    /// P(T ≤ t) for Student's t with `df` degrees of freedom.
    public static func tCDF(_ t: Double, df: Double) -> Double {
        let tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t value below which `p` of the distribution lies (p in (0, 1)), by bisection on the CDF.
    public static func tQuantile(_ p: Double, df: Double) -> Double {
        guard p > 0, p < 1, df > 0 else { return .nan }
        if p < 0.5 { return -tQuantile(1 - p, df: df) }
        var low = 0.0, high = 1.0
        while tCDF(high, df: df) < p { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if tCDF(middle, df: df) < p { low = middle } else { high = middle }
            if high - low < 1e-12 { break }
        }
        return (low + high) / 2
    }

    // MARK: Paired change

    /// The change from pre to post of those with both.
    public struct PairedChange: Sendable, Equatable, Codable {
        public var pairs: Int
        /// Mean of post − pre.
        public var mean: Double
        /// Standard deviation of the differences (nil for one pair).
        public var sd: Double?
        /// 95 % confidence interval of the mean: mean ± t(0.975, n − 1) · sd / √n (nil below two pairs).
        public var interval: ClosedRange<Double>?
        /// Cohen's d_z: mean / sd of the differences (nil when the sd is 0 or unknown).
        public var dz: Double?
        public var improved: Int
        public var unchanged: Int
        public var declined: Int
    }

    /// The paired change of `(pre, post)` scores; nil without any pair.
    public static func pairedChange(_ pairs: [(pre: Double, post: Double)]) -> PairedChange? {
        let differences = pairs.map { $0.post - $0.pre }
        guard let mean = mean(differences) else { return nil }
        let sd = standardDeviation(differences)
        var interval: ClosedRange<Double>?
        if let sd {
            let half = tQuantile(0.975, df: Double(differences.count - 1)) * sd / Double(differences.count).squareRoot()
            interval = (mean - half)...(mean + half)
        }
        let dz = sd.flatMap { $0 > 0 ? mean / $0 : nil }
        return PairedChange(pairs: differences.count, mean: mean, sd: sd, interval: interval, dz: dz,
                            improved: differences.count { $0 > 0 }, unchanged: differences.count { $0 == 0 },
                            declined: differences.count { $0 < 0 })
    }

    /// How large a d_z is, by Cohen's conventions (0.2 small, 0.5 medium, 0.8 large).
    public static func effectSize(_ dz: Double, language: Language = .en) -> String {
        let id = language == .id
        switch abs(dz) {
        case ..<0.2: return id ? "dapat diabaikan" : "negligible"
        case ..<0.5: return id ? "kecil" : "small"
        case ..<0.8: return id ? "sedang" : "medium"
        default: return id ? "besar" : "large"
        }
    }

    // MARK: McNemar

    /// McNemar's test of a yes/no indicator before and after, on the discordant pairs: `b` yes → no, `c` no → yes.
    public struct McNemar: Sendable, Equatable, Codable {
        public var b: Int
        public var c: Int
        /// χ² with continuity correction, (|b − c| − 1)² / (b + c); nil when the exact test is used.
        public var chiSquare: Double?
        /// Two-sided p: from χ² with 1 degree of freedom when b + c ≥ 25, else the exact binomial test.
        public var p: Double
        public var exact: Bool { chiSquare == nil }
    }

    public static func mcNemar(b: Int, c: Int) -> McNemar {
        let n = b + c
        guard n > 0 else { return McNemar(b: b, c: c, chiSquare: nil, p: 1) }
        if n < 25 {
            // Two-sided exact binomial with p = ½: twice the smaller tail, at most 1.
            var tail = 0.0
            for k in 0...min(b, c) { tail += exp(logChoose(n, k) - Double(n) * log(2)) }
            return McNemar(b: b, c: c, chiSquare: nil, p: min(1, 2 * tail))
        }
        let chi = pow(Double(max(abs(b - c) - 1, 0)), 2) / Double(n)
        return McNemar(b: b, c: c, chiSquare: chi, p: erfc((chi / 2).squareRoot()))
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        logGamma(Double(n + 1)) - logGamma(Double(k + 1)) - logGamma(Double(n - k + 1))
    }
}
