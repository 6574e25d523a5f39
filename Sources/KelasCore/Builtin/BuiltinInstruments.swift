import Foundation

/// Instruments that ship inside the `kelas` binary.
public enum BuiltinInstruments {
    public static let all: [String: Instrument] = ["adil-gender": adilGender]

    /// The id of the statement behind the programme's agreement indicator (equal access to resources).
    public static let equalAccess = "akses-setara"

    /// The attitude test of the `adil-gender` curriculum, for its pre- and post-test: twelve statements written for
    /// Kelas in the spirit of the Gender-Equitable Men (GEM) scale (not taken from it), answered setuju / ragu-ragu /
    /// tidak setuju and scored 1–3 so that a higher total is more equitable: agreeing with one of the first seven
    /// (inequitable) scores 1, agreeing with one of the last five (equitable, reverse-keyed) scores 3. Totals 12–36,
    /// banded low 12–20, moderate 21–28, high 29–36; a score needs 9 of the 12 statements answered.
    public static let adilGender = Instrument(
        id: "adil-gender",
        name: LocalizedText([.id: "Sikap kesetaraan gender", .en: "Gender-equitable attitudes"]),
        statements: [
            .init(id: "rumah-tugas-perempuan", text: LocalizedText([
                .id: "Mengurus rumah dan anak adalah tugas perempuan.", .en: "Caring for the home and children is a woman's job."])),
            .init(id: "uang-diputuskan-suami", text: LocalizedText([
                .id: "Laki-laki sebagai kepala keluarga yang harus memutuskan soal uang.",
                .en: "The man, as head of the family, should decide about money."])),
            .init(id: "usaha-perempuan-sampingan", text: LocalizedText([
                .id: "Usaha perempuan hanya sampingan; penghasilan utama urusan laki-laki.",
                .en: "A woman's business is a sideline; the main income is a man's affair."])),
            .init(id: "lelaki-memasak-kurang-dihormati", text: LocalizedText([
                .id: "Laki-laki yang ikut memasak atau mencuci kurang dihormati.",
                .en: "A man who cooks or does the washing earns less respect."])),
            .init(id: "istri-lebih-kaya", text: LocalizedText([
                .id: "Kalau istri berpenghasilan lebih besar, suami kehilangan wibawa.",
                .en: "If a wife earns more, her husband loses standing."])),
            .init(id: "perempuan-tak-perlu-rapat", text: LocalizedText([
                .id: "Perempuan tidak perlu ikut rapat desa atau kelompok usaha.",
                .en: "Women need not take part in village or business-group meetings."])),
            .init(id: "sekolah-anak-lelaki", text: LocalizedText([
                .id: "Anak laki-laki lebih perlu sekolah tinggi daripada anak perempuan.",
                .en: "Sons need higher schooling more than daughters do."])),
            .init(id: equalAccess, text: LocalizedText([
                .id: "Perempuan dan laki-laki berhak atas akses yang sama terhadap modal, tanah, dan pelatihan.",
                .en: "Women and men have the right to equal access to capital, land and training."]), reversed: true),
            .init(id: "putuskan-bersama", text: LocalizedText([
                .id: "Suami dan istri sebaiknya memutuskan bersama soal pengeluaran besar.",
                .en: "Husband and wife should decide together about large expenses."]), reversed: true),
            .init(id: "lelaki-mengasuh", text: LocalizedText([
                .id: "Laki-laki bisa mengasuh anak sebaik perempuan.", .en: "Men can care for children as well as women."]), reversed: true),
            .init(id: "dukung-usaha-istri", text: LocalizedText([
                .id: "Suami sebaiknya mendukung istri yang ingin mengembangkan usahanya.",
                .en: "A husband should support a wife who wants to grow her business."]), reversed: true),
            .init(id: "kerja-rumah-dibagi", text: LocalizedText([
                .id: "Pekerjaan rumah tangga sebaiknya dibagi adil antara suami dan istri.",
                .en: "Housework should be shared fairly between husband and wife."]), reversed: true),
        ],
        options: AgreementScale.options,
        bands: [
            .init(name: LocalizedText([.id: "rendah", .en: "low"]), range: 12...20),
            .init(name: LocalizedText([.id: "sedang", .en: "moderate"]), range: 21...28),
            .init(name: LocalizedText([.id: "tinggi", .en: "high"]), range: 29...36),
        ],
        minimumAnswered: 9)
}
