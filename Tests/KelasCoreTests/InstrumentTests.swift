import Foundation
import Testing
@testable import KelasCore

@Suite("Instruments and scores")
struct InstrumentTests {
    let gem = BuiltinInstruments.adilGender
    static let S = 0, R = 1, T = 2

    @Test("the built-in instrument: twelve statements, five reverse-keyed, totals 12–36, bands cover every total once")
    func builtin() {
        #expect(gem.statements.count == 12 && gem.statements.filter(\.reversed).count == 5)
        #expect(Set(gem.statements.map(\.id)).count == 12)
        #expect(gem.statements.allSatisfy { $0.text[.id] != nil && $0.text[.en] != nil })
        #expect(gem.range == 12...36)
        for total in 12...36 { #expect(gem.bands.filter { $0.range.contains(Double(total)) }.count == 1, "\(total)") }
        #expect(gem.bandRule(.id) == "rendah 12–20, sedang 21–28, tinggi 29–36")
        #expect(gem.bandRule(.en) == "low 12–20, moderate 21–28, high 29–36")
        #expect(gem.statements.contains { $0.id == BuiltinInstruments.equalAccess && $0.reversed })
    }

    @Test("reverse keys: agreeing scores 1 on an inequitable statement and 3 on an equitable one")
    func reverseKeys() {
        #expect(gem.score(statement: 0, option: Self.S) == 1 && gem.score(statement: 0, option: Self.T) == 3)
        #expect(gem.score(statement: 7, option: Self.S) == 3 && gem.score(statement: 7, option: Self.T) == 1)
        #expect(gem.score(statement: 7, option: Self.R) == 2)
        #expect(gem.score(statement: 12, option: 0) == nil && gem.score(statement: 0, option: 3) == nil)
    }

    @Test("scores by hand: all equitable 36 (high), all agree 7 × 1 + 5 × 3 = 22 (moderate), pro-rated when some are skipped")
    func scores() throws {
        // The most equitable answers: disagree with the first seven, agree with the last five.
        let best = Dictionary(uniqueKeysWithValues: (0..<12).map { ($0, $0 < 7 ? Self.T : Self.S) })
        let top = try #require(gem.score(best))
        #expect(top.answered == 12 && top.raw == 36 && top.total == 36 && top.band == 2)
        // Agreeing with everything: 7 × 1 + 5 × 3 = 22.
        let agree = try #require(gem.score(Dictionary(uniqueKeysWithValues: (0..<12).map { ($0, Self.S) })))
        #expect(agree.raw == 22 && agree.total == 22 && agree.band == 1)
        // Nine answered, all unsure (2 each): raw 18, pro-rated 18 × 12 / 9 = 24.
        let nine = try #require(gem.score(Dictionary(uniqueKeysWithValues: (0..<9).map { ($0, Self.R) })))
        #expect(nine.answered == 9 && nine.raw == 18 && nine.total == 24 && nine.band == 1)
        // Eight answered: below the minimum, no score.
        #expect(gem.score(Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, Self.R) })) == nil)
        // Read straight from a reply.
        let reply = gem.parser.parse("TS TS TS TS TS TS TS S S S S S")
        #expect(gem.score(reply.answers)?.total == 36 && !reply.needsReview)
    }

    @Test("a survey names its instrument: the statements become the numbered questions, with how to reply")
    func curriculumInstrument() throws {
        let loaded = try loadExample()
        let item = try #require(loaded.curriculum.item("pre-test"))
        #expect(item.instrument == "adil-gender" && item.questions.count == 12)
        let message = try #require(Planner(batch: loaded.batch, curriculum: loaded.curriculum).plan().first { $0.itemKey == "pre-test" })
        #expect(message.text.contains("\n12. Pekerjaan rumah tangga") && message.text.contains("1 S, 2 TS, 3 R"))
    }

    @Test("an unknown instrument, or questions beside one, is an error at its line", arguments: [
        ("instrument: adil-gender", "instrument: gem-24", "unknown instrument `gem-24`"),
        ("instrument: adil-gender", "instrument: adil-gender\n        questions: [{ id: \"Satu\", en: \"One\" }]", "`questions` and `instrument` together"),
    ])
    func badInstrument(_ old: String, _ new: String, _ message: String) throws {
        let workspace = try Workspace()
        try workspace.edit("curriculum.yaml", replacing: old, with: new)
        let errors = workspace.validate(["curriculum.yaml"]).errors(containing: message)
        #expect(errors.count == 1, "\(workspace.validate(["curriculum.yaml"]).diagnostics)")
        #expect(errors.first?.location.line == (try workspace.line(of: "instrument:", in: "curriculum.yaml")))
    }
}
