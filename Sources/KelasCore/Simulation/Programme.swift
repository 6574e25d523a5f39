import Foundation

/// Totals over one or more simulated weeks: registered, completed, outcomes, messages.
public struct SimulationTotals: Sendable, Equatable {
    public var registered = 0
    public var completed = 0
    public var agree = 0
    public var champions = 0
    public var preScores: [Double] = []
    public var postScores: [Double] = []
    /// The instrument's lowest and highest total, for the summary.
    public var range: ClosedRange<Double>?
    public var typed = 0
    public var messages = 0
    public var voiceNotes = 0

    public init() {}

    public mutating func add(_ week: SimulatedWeek) {
        registered += week.outcomes.count
        completed += week.outcomes.count { $0.completed }
        agree += week.outcomes.count { $0.agrees }
        champions += week.outcomes.count { $0.champion }
        preScores += week.outcomes.compactMap(\.pre)
        postScores += week.outcomes.compactMap(\.post)
        range = range ?? week.results.lazy.compactMap(\.instrument).first?.range
        typed += week.typed.count
        messages += week.messages.count
        voiceNotes += week.messages.count { $0.isVoice }
    }

    public func share(_ count: Int) -> Double { registered == 0 ? 0 : Double(count) / Double(registered) }

    /// The summary lines `kelas simulate` prints and the HTML page shows, in `t`'s language and number forms.
    public func lines(_ t: Localizer = Localizer(.en)) -> [(String, String)] {
        func percent(_ count: Int) -> String { "\(t.integer(count)) / \(t.integer(registered)) (\(t.percent(share(count) * 100)))" }
        func mean(_ values: [Double]) -> String {
            values.isEmpty ? "—" : "\(t.decimal(values.reduce(0, +) / Double(values.count))) (n = \(t.integer(values.count)))"
        }
        let scale = range.map { " (\(Instrument.number($0.lowerBound))–\(Instrument.number($0.upperBound)))" } ?? ""
        return [(t("sim.completed"), percent(completed)), (t("sim.agree"), percent(agree)),
                (t("sim.champions"), percent(champions)), (t("sim.preMean") + scale, mean(preScores)),
                (t("sim.postMean") + scale, mean(postScores)),
                (t("sim.messages"), t("sim.messagesValue", ["messages": t.integer(messages), "voice": t.integer(voiceNotes)])),
                (t("sim.typed"), t("sim.typedValue", ["count": t.integer(typed)]))]
    }
}

/// The seed programme at its scale (domain.md): 77 one-week batches, 2,029 participants, two strands — WEE
/// (70 batches, 1,896 participants in Trenggalek 613, Gresik 285, Surabaya 406, Blitar 116, Bangkalan 476) and PWD
/// (7 batches, 133 participants, 94 with a disability, in Trenggalek 27, Surabaya 25, Blitar 32, Malang 25,
/// Kediri 24) — year 1 from October 2019, year 2 from October 2020, all in WIB, on the built-in curriculum.
public enum Programme {
    /// What the programme reported: 1,774 / 2,029 agreed on equal access to resources, 1,027 / 2,029 champions.
    public static let reportedAgreement = 1_774.0 / 2_029.0
    public static let reportedChampions = 1_027.0 / 2_029.0

    /// (strand, district, participants, batches)
    static let districts: [(String, String, Int, Int)] = [
        ("WEE", "Trenggalek", 613, 23), ("WEE", "Gresik", 285, 10), ("WEE", "Surabaya", 406, 15), ("WEE", "Blitar", 116, 4),
        ("WEE", "Bangkalan", 476, 18),
        ("PWD", "Trenggalek", 27, 2), ("PWD", "Surabaya", 25, 1), ("PWD", "Blitar", 32, 2), ("PWD", "Malang", 25, 1), ("PWD", "Kediri", 24, 1),
    ]

    /// The 77 batches with made-up people (PWD: 94 of 133 with a disability), on `curriculum`'s weeks. With `copies`
    /// above 1, the programme that many times over (load tests: `--preset programme-x10`): each copy's batches run the
    /// same weeks with other people, their ids ending `-c2`, `-c3`, ….
    public static func batches(seed: UInt64, copies: Int = 1) -> [Batch] {
        // Split each district's participants over its batches as evenly as whole people allow.
        var specs: [(strand: String, district: String, size: Int)] = []
        for (strand, district, people, count) in districts {
            for index in 0..<count { specs.append((strand, district, people / count + (index < people % count ? 1 : 0))) }
        }
        // Interleave districts over the two years: year 1 takes 29 batches from October 2019, year 2 48 from October 2020.
        var random = SplitMix64(seed: derivedSeed(seed, "programme"))
        specs.shuffle(using: &random)
        let year1 = LocalDate(year: 2019, month: 10, day: 7), year2 = LocalDate(year: 2020, month: 10, day: 5) // Mondays
        var batches: [Batch] = []
        var numbered = 0
        let disabilities: [Disability] = [.walking, .seeing, .hearing, .walking, .cognition, .seeing, .walking, .communication]
        for copy in 0..<max(1, copies) {
            var disabled = 0
            for (position, spec) in specs.enumerated() {
                let index = copy * specs.count + position
                let start = position < 29 ? year1.adding(days: 7 * position) : year2.adding(days: 7 * (position - 29))
                var people = SyntheticPeople.participants(spec.size, first: numbered, district: spec.district, seed: seed)
                numbered += spec.size
                if spec.strand == "PWD" {
                    for slot in people.indices where disabled < 94 && slot < Int((Double(spec.size) * 94 / 133).rounded(.up)) {
                        people[slot].disabilities = [disabilities[disabled % disabilities.count]]
                        disabled += 1
                    }
                }
                let id = "\(spec.district.lowercased())-\(start.year)-\(String(format: "%02d", position + 1))" + (copy == 0 ? "" : "-c\(copy + 1)")
                let trainers = (0..<2).map { n in
                    Person(name: "Fasilitator \(index * 2 + n + 1)", phone: PhoneNumber(e164: "+628119" + String(format: "%07d", index * 3 + n)))
                }
                let admin = Person(name: "Admin \(index + 1)", phone: PhoneNumber(e164: "+628119" + String(format: "%07d", index * 3 + 2)))
                batches.append(Batch(id: id, name: "Pelatihan Adil Gender — \(spec.district) \(index + 1)", programme: spec.strand,
                                     district: spec.district, timeZone: TimeZone(identifier: "Asia/Jakarta") ?? .gmt, start: start,
                                     language: .id, curriculum: "adil-gender", delivery: DeliverySettings(), trainers: trainers,
                                     admin: admin, participants: people))
            }
        }
        return batches
    }
}
