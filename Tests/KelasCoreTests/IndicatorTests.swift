import Foundation
import Testing
@testable import KelasCore

@Suite("Indicators")
struct IndicatorTests {
    static let instrument = BuiltinInstruments.adilGender
    static let equalAccess = 7   // akses-setara

    /// A participant with answers on each test (statement → option; 0 setuju, 1 ragu-ragu, 2 tidak setuju).
    static func person(_ name: String, pre: [Int: Int]? = nil, post: [Int: Int]? = nil, completed: Bool = true,
                       answered: Set<String> = ["diskusi-sesi-1", "rtl"]) -> ParticipantResult {
        func reading(_ answers: [Int: Int]?) -> SurveyReading? {
            answers.map { SurveyReading(answers: $0, score: instrument.score($0), review: [], source: "trainer") }
        }
        return ParticipantResult(batch: "b", phone: "+62811000" + name, name: name, district: "Gresik", programme: "WEE", start: LocalDate(year: 2021, month: 7, day: 5),
                                 withDisability: false, trainers: [], completed: completed, answeredPrompts: answered, lastDiscussion: "rtl",
                                 instrument: instrument, pre: reading(pre), post: reading(post))
    }

    /// All twelve statements answered equitably (36) or inequitably (12); `change` overrides some.
    static func answers(equitable: Bool, _ change: [Int: Int] = [:]) -> [Int: Int] {
        var answers: [Int: Int] = [:]
        for index in 0..<12 {
            let reversed = instrument.statements[index].reversed
            answers[index] = (equitable == reversed) ? 0 : 2
        }
        return answers.merging(change) { $1 }
    }

    static let file = """
    indicators:
      - id: agreement
        name: { id: "Setuju akses", en: "Agree on access" }
        rule:
          answer: { test: post, statement: akses-setara, is: agree }
      - id: champion
        name: { id: Champion, en: Champion }
        rule:
          all:
            - completed
            - band: { test: post, is: tinggi }
            - answered: last-discussion
      - id: improved
        name: { id: Naik 5, en: Up by 5 }
        rule:
          any:
            - change: { at-least: 5 }
            - score: { test: post, at-least: 34 }
      - id: first-statement
        name: { id: Pernyataan 1, en: Statement 1 }
        rule:
          answer: { test: post, statement: 1, is: TS }
    """

    @Test("the vocabulary: completed, answered, score, change, band, answer by id or number, all, any; tested denominators")
    func vocabulary() throws {
        let log = DiagnosticLog()
        let loaded = try #require(IndicatorFile.decode(Self.file, file: "indicators.yaml", log: log), "\(log.sorted)")
        #expect(loaded.indicators.map(\.id) == ["agreement", "champion", "improved", "first-statement"])
        #expect(loaded.indicators[0].rule == Indicator.defaults[0].rule.replacingOption("agree"))
        let people = [
            // Equitable before and after: agrees, champion, no change but post 36 ≥ 34.
            Self.person("1", pre: Self.answers(equitable: true), post: Self.answers(equitable: true)),
            // Inequitable before (12), equitable after (36): change +24; but did not answer the RTL.
            Self.person("2", pre: Self.answers(equitable: false), post: Self.answers(equitable: true), answered: ["diskusi-sesi-1"]),
            // No post-test: outside every post denominator.
            Self.person("3", pre: Self.answers(equitable: true)),
            // Post only, inequitable but agreeing on access; not completed.
            Self.person("4", post: Self.answers(equitable: false, [Self.equalAccess: 0]), completed: false),
        ]
        let results = ProgrammeResults(people, by: .batch, indicators: loaded.indicators)
        let total = results.total
        let agreement = total.count("agreement")
        #expect(agreement.count == 3 && agreement.tested == 3)
        // Before → after of those who answered it both times (1 and 2): 2 came to agree (b = 0, c = 1), exact p = 1.
        #expect(agreement.change?.b == 0 && agreement.change?.c == 1 && agreement.change?.p == 1)
        let champion = total.count("champion")
        #expect(champion.count == 1 && champion.tested == 3 && champion.change == nil)
        let improved = total.count("improved")
        // 1 by its post score, 2 by both; tested needs both tests (change names both): 1 and 2.
        #expect(improved.count == 2 && improved.tested == 2)
        let first = total.count("first-statement")
        #expect(first.count == 2 && first.tested == 3)
        #expect(results.rules.contains("champion: completed and post-test score in `tinggi` band and answered the last discussion (RTL)"))
        #expect(results.rules.contains("agreement: the post-test answer to `akses-setara` is agree"))
    }

    @Test("the defaults are the programme's agreement and champion")
    func defaults() {
        let people = [Self.person("1", pre: Self.answers(equitable: false), post: Self.answers(equitable: true)),
                      Self.person("2", post: Self.answers(equitable: true, [Self.equalAccess: 1]), answered: [])]
        let total = ProgrammeResults(people, by: .programme).total
        #expect(total.indicators.map(\.id) == ["agreement", "champion"])
        #expect(total.count("agreement").count == 1 && total.count("agreement").tested == 2)
        #expect(total.count("champion").count == 1)
    }

    @Test("every mistake at its line with the fix", arguments: [
        ("- completed", "- complete", "unknown rule `complete`", "did you mean `completed`?"),
        ("answer: { test: post, statement: akses-setara, is: agree }", "answer: { test: after, statement: akses-setara, is: agree }",
         "`test` is `pre` or `post`, found `after`", "test: post"),
        ("change: { at-least: 5 }", "change: { at-least: lima }", "`at-least` must be a number", "at-least: 29"),
        ("        - answered: last-discussion", "        - answered: last-discussion\n          completed: yes",
         "a rule has exactly one key, found 2", "under `all:`"),
        ("  - id: improved", "  - id: agreement", "indicator `agreement` appears twice", "its own id"),
        ("band: { test: post, is: tinggi }", "band: { test: post, is: tinggi, of: pre }", "unknown key `of`", "allowed keys"),
        ("any:\n        - change: { at-least: 5 }\n        - score: { test: post, at-least: 34 }", "any: change",
         "`any` takes a list of rules", "- "),
        ("    rule:\n      any:", "    rules:\n      any:", "unknown key `rules`", "did you mean `rule`?"),
    ])
    func mistakes(_ old: String, _ new: String, _ message: String, _ fix: String) throws {
        let text = Self.file.replacingOccurrences(of: old, with: new)
        #expect(text != Self.file)
        let log = DiagnosticLog()
        #expect(IndicatorFile.decode(text, file: "indicators.yaml", log: log) == nil)
        let error = try #require(log.sorted.first { $0.message.contains(message) }, "\(log.sorted)")
        #expect(error.fix.contains(fix), "\(error)")
        let marker = new.components(separatedBy: "\n").first ?? new
        let line = text.components(separatedBy: "\n").lastIndex { $0.contains(marker.trimmingCharacters(in: .whitespaces)) }.map { $0 + 1 }
        if message.contains("exactly one key") { return }   // reported at the rule's mapping, a line above
        #expect(error.location.line == line, "\(error)")
    }

    @Test("what rules name is checked against the instruments and prompts in use, at its line")
    func references() throws {
        let text = Self.file.replacingOccurrences(of: "statement: akses-setara", with: "statement: akses-sama")
            .replacingOccurrences(of: "is: tinggi", with: "is: sangat tinggi")
            .replacingOccurrences(of: "statement: 1, is: TS", with: "statement: 13, is: mungkin tidak")
            .replacingOccurrences(of: "- completed", with: "- answered: rtl-akhir")
        let log = DiagnosticLog()
        let loaded = try #require(IndicatorFile.decode(text, file: "indicators.yaml", log: log), "\(log.sorted)")
        IndicatorFile.check(loaded, instruments: [Self.instrument], prompts: ["pre-test", "rtl", "post-test"], log: log)
        let lines = text.components(separatedBy: "\n")
        func line(_ fragment: String) -> Int? { lines.firstIndex { $0.contains(fragment) }.map { $0 + 1 } }
        let errors = log.sorted
        #expect(errors.count == 5, "\(errors)")
        #expect(errors.contains { $0.message.contains("statement `akses-sama`") && $0.fix.contains("did you mean `akses-setara`?")
            && $0.location.line == line("akses-sama") })
        #expect(errors.contains { $0.message.contains("band `sangat tinggi`") && $0.fix.contains("tinggi 29–36") || $0.fix.contains("high 29–36") })
        #expect(errors.contains { $0.message.contains("statement `13`") })
        #expect(errors.contains { $0.message.contains("answer `mungkin tidak`") && $0.fix.contains("setuju") })
        #expect(errors.contains { $0.message.contains("prompt `rtl-akhir`") && $0.location.line == line("rtl-akhir") })
    }
}

extension IndicatorRule {
    func replacingOption(_ option: String) -> IndicatorRule {
        if case .answer(let test, let statement, _) = self { return .answer(test, statement: statement, option: option) }
        return self
    }
}

@Suite("Results groupings")
struct ResultsGroupingTests {
    @Test("programme years run twelve months from the first batch's month: the seed programme's 29 and 48 batches")
    func programmeYears() throws {
        let batches = Programme.batches(seed: 1)
        let people = batches.map { batch in
            ParticipantResult(batch: batch.id, phone: batch.id, name: batch.id, district: batch.district, programme: batch.programme,
                              start: batch.start, withDisability: false, trainers: [], completed: false, answeredPrompts: [],
                              lastDiscussion: nil, instrument: nil, pre: nil, post: nil)
        }
        let years = ProgrammeResults(people, by: .programmeYear, language: .id)
        #expect(years.rows.map(\.group) == ["Tahun 1 (Okt 2019 – Sep 2020)", "Tahun 2 (Okt 2020 – Sep 2021)"])
        #expect(years.rows.map(\.registered) == [29, 48])
        // Calendar years split the same batches three ways.
        #expect(ProgrammeResults(people, by: .year).rows.map(\.group) == ["2019", "2020", "2021"])
    }
}
