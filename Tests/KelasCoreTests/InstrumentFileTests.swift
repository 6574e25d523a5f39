import Foundation
import Testing
@testable import KelasCore

@Suite("Instrument files")
struct InstrumentFileTests {
    static let valid = """
    id: sikap-singkat
    name: { id: "Sikap singkat", en: "Short attitudes" }
    options:
      - { score: 1, label: { id: setuju, en: agree }, words: [s, ya] }
      - { score: 2, label: { id: tidak setuju, en: disagree }, words: [ts, tidak] }
    statements:
      - { id: rumah, text: { id: "Mengurus rumah adalah tugas perempuan.", en: "Housework is a woman's job." } }
      - { id: akses-setara, text: { id: "Akses yang sama atas modal.", en: "Equal access to capital." }, reverse: true }
      - { id: rapat, text: { id: "Perempuan tak perlu ikut rapat.", en: "Women need not attend meetings." } }
    bands:
      - { name: { id: rendah, en: low }, from: 3, to: 4 }
      - { name: { id: tinggi, en: high }, from: 5, to: 6 }
    minimum: 2
    """

    @Test("a valid file: options with their words and labels, reverse keys, bands, minimum")
    func valid() throws {
        let log = DiagnosticLog()
        let instrument = try #require(InstrumentFile.decode(Self.valid, file: "sikap.yaml", log: log), "\(log.sorted)")
        #expect(instrument.id == "sikap-singkat" && instrument.statements.count == 3 && instrument.minimumAnswered == 2)
        #expect(instrument.range == 3...6 && instrument.bandRule(.id) == "rendah 3–4, tinggi 5–6")
        let answers = instrument.parser.parse("ts s tidak setuju").answers
        #expect(answers == [0: 1, 1: 0, 2: 1])
        // disagree 2 + agree on the reversed one 2 + disagree 2 = 6
        #expect(instrument.score(answers)?.total == 6)
        // Round trip as the store keeps it.
        let decoded = try JSONDecoder().decode(Instrument.self, from: try JSONEncoder().encode(instrument))
        #expect(decoded == instrument)
    }

    @Test("every mistake at its line with the fix", arguments: [
        ("minimum: 2", "minimum: 7", "`minimum` must be between 1 and the 3 statements"),
        ("from: 5, to: 6", "from: 6, to: 6", "no band holds the total 5"),
        ("words: [ts, tidak]", "words: [ts, s]", "the word `s` selects both option 1 and option 2"),
        ("id: rapat,", "id: rumah,", "statement `rumah` appears twice"),
        ("reverse: true", "reverse: yes", "`reverse` must be true or false"),
        ("minimum: 2", "minimum: 2\nscoring: sum", "unknown key `scoring`"),
        ("options:\n  - { score: 1, label: { id: setuju, en: agree }, words: [s, ya] }\n  - { score: 2, label: { id: tidak setuju, en: disagree }, words: [ts, tidak] }",
         "options: likert", "`options` must be `agreement` or a list"),
    ])
    func mistakes(_ old: String, _ new: String, _ message: String) throws {
        let text = Self.valid.replacingOccurrences(of: old, with: new)
        #expect(text != Self.valid)
        let log = DiagnosticLog()
        #expect(InstrumentFile.decode(text, file: "sikap.yaml", log: log) == nil)
        let errors = log.sorted.filter { $0.message.contains(message) }
        #expect(errors.count == 1, "\(log.sorted)")
        let line = text.components(separatedBy: "\n").lastIndex { $0.contains(new.components(separatedBy: "\n").last ?? new) }.map { $0 + 1 }
        if message.contains("band") || message.contains("selects both") { return }   // reported at the list
        #expect(errors.first?.location.line == line, "\(errors)")
    }

    @Test("a curriculum names an instrument file beside it: its statements are the questions, the batch stores it")
    func curriculumFile() throws {
        let workspace = try Workspace()
        try workspace.write("sikap.yaml", Self.valid)
        try workspace.edit("curriculum.yaml", replacing: "instrument: adil-gender", with: "instrument: sikap.yaml")
        let loaded = try BatchFile.load(path: workspace.path("batch.yaml"))
        #expect(loaded.curriculum.instruments.keys.sorted() == ["adil-gender", "sikap-singkat"])
        #expect(loaded.curriculum.item("pre-test")?.instrument == "sikap-singkat" && loaded.curriculum.item("pre-test")?.questions.count == 3)
        try workspace.write("sikap.yaml", Self.valid.replacingOccurrences(of: "minimum: 2", with: "minimum: 9"))
        let errors = workspace.validate(["curriculum.yaml"]).errors(containing: "`minimum` must be between")
        #expect(errors.first?.location.file.hasSuffix("sikap.yaml") == true)
    }
}
