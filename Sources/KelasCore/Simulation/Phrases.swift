import Foundation

/// What simulated people write: short, plausible lines in the batch's language, picked by the seeded generator.
enum Phrases {
    static let surveyID = ["Sudah saya isi, terima kasih", "Sudah bu", "Sudah diisi pak", "Siap, sudah", "Sudah, mohon dicek"]
    static let surveyEN = ["Done, thank you", "Filled in", "Done", "Submitted, please check"]
    static let answerID = [
        "Menurut saya gender itu peran yang dibentuk masyarakat, bukan bawaan lahir",
        "Di rumah saya mulai ikut memasak dan mengurus anak",
        "Istri saya berjualan di pasar, saya bantu mengantar barang",
        "Laki-laki dan perempuan sama-sama boleh mengambil keputusan soal uang keluarga",
        "Selama ini saya kira pekerjaan rumah hanya tugas istri, ternyata bisa dibagi",
        "Usaha istri saya bisa maju kalau saya ikut mendukung",
        "Rencana saya: mengajak tetangga ikut diskusi seperti ini",
        "Saya setuju, perempuan juga berhak ikut rapat desa",
    ]
    static let answerEN = [
        "I think gender is a role society shapes, not something we are born with",
        "At home I have started cooking and looking after the children",
        "My wife sells at the market; I help carry her goods",
        "Men and women can both decide about the family's money",
        "I used to think housework was only for wives; it can be shared",
        "My wife's business can grow if I support it",
        "My plan: invite the neighbours to a discussion like this one",
        "I agree, women have the right to join village meetings too",
    ]
    static let followUpID = ["Setuju", "Betul sekali", "Izin menambahkan, di desa kami juga begitu", "Terima kasih ilmunya",
                             "Mohon maaf baru bisa ikut", "Izin bertanya, bagaimana kalau keluarga besar tidak setuju?", "Mantap"]
    static let followUpEN = ["Agreed", "Exactly", "May I add, it is the same in our village", "Thank you for the lesson",
                             "Sorry I am late to join", "A question: what if the extended family disagrees?", "Great"]
    static let takeUpID = ["terima kasih, jawaban yang bagus", "betul, ini contoh yang baik untuk kita semua",
                           "terima kasih sudah berbagi pengalaman", "poin yang penting, ada yang mau menanggapi?"]
    static let takeUpEN = ["thank you, a good answer", "right, a good example for all of us", "thank you for sharing",
                           "an important point; anyone want to respond?"]

    static func pick(_ lines: [String], _ random: inout SplitMix64) -> String {
        lines[Int(random.next() % UInt64(lines.count))]
    }

    static func answer(_ prompt: Prompt, language: Language, random: inout SplitMix64) -> String {
        if prompt.kind == .survey { return pick(language == .id ? surveyID : surveyEN, &random) }
        return pick(language == .id ? answerID : answerEN, &random)
    }

    static func followUp(language: Language, random: inout SplitMix64) -> String {
        pick(language == .id ? followUpID : followUpEN, &random)
    }

    static func takeUp(language: Language, random: inout SplitMix64) -> String {
        pick(language == .id ? takeUpID : takeUpEN, &random)
    }
}
