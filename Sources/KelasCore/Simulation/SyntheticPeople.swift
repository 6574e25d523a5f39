import Foundation

/// Made-up participants for what-if runs (`--participants N`) and the programme preset: distinct Indonesian names
/// and distinct mobile numbers, the same for the same seed.
public enum SyntheticPeople {
    static let given = ["Ahmad", "Budi", "Cahyo", "Dedi", "Eko", "Fajar", "Gunawan", "Hadi", "Imam", "Joko", "Kurniawan",
                        "Lukman", "Mulyadi", "Nur", "Oki", "Purnomo", "Rahmat", "Sugeng", "Teguh", "Umar", "Wahyu", "Yusuf",
                        "Zainal", "Agus", "Bambang", "Darmaji", "Edi", "Hendra", "Iwan", "Slamet", "Supri", "Rudi", "Arif",
                        "Heri", "Bagus", "Anton", "Dimas", "Rizki", "Sholeh", "Taufik"]
    static let family = ["Santoso", "Prasetyo", "Wahyudi", "Hidayat", "Saputra", "Setiawan", "Kurniawan", "Susanto", "Nugroho",
                         "Firmansyah", "Hakim", "Hasan", "Syahputra", "Pratama", "Maulana", "Ramadhan", "Siregar", "Utomo",
                         "Wibowo", "Gunadi", "Suryadi", "Fauzi", "Rohman", "Anwar", "Ismail", "Hartono", "Mahfud", "Sulaiman"]

    /// `count` participants, numbered from `first` so batches of one programme never share a number.
    public static func participants(_ count: Int, first: Int = 0, district: String?, seed: UInt64) -> [Person] {
        var random = SplitMix64(seed: derivedSeed(seed, "names"))
        let offset = Int(random.next() % UInt64(given.count * family.count))
        return (0..<count).map { index in
            let n = first + index
            let combination = (offset + n * 3) % (given.count * family.count) // 3 is prime to 40 × 28: every pair once per round
            let name = "\(given[combination % given.count]) \(family[combination / given.count])"
            let round = n / (given.count * family.count)
            // +62 811 5xxx xxxx: a mobile prefix, unique per index (up to 100 million).
            let phone = PhoneNumber(e164: "+628115" + String(format: "%07d", n % 10_000_000))
            return Person(name: round == 0 ? name : "\(name) \(round + 1)", phone: phone, district: district)
        }
    }

    /// The batch with exactly `count` participants: its own first, then made-up ones.
    public static func resized(_ batch: Batch, to count: Int, seed: UInt64) -> Batch {
        var batch = batch
        if count <= batch.participants.count {
            batch.participants = Array(batch.participants.prefix(count))
        } else {
            let taken = Set(batch.participants.map(\.phone))
            let names = Set(batch.participants.flatMap { [$0.name, $0.alias].compactMap { $0 } })
            let extra = participants(count - batch.participants.count + 50, district: batch.district, seed: seed)
                .filter { !taken.contains($0.phone) && !names.contains($0.name) }
            batch.participants += extra.prefix(count - batch.participants.count)
        }
        return batch
    }
}
