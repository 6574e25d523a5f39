import Foundation
import Testing
@testable import KelasCore

/// Survey answers as participants write them on WhatsApp, read against a five-statement test of the agreement scale
/// (0 setuju / agree, 1 ragu-ragu / unsure, 2 tidak setuju / disagree).
@Suite("Survey answers from WhatsApp text")
struct AnswerParserTests {
    static let parser = AnswerParser(statementCount: 5, options: AgreementScale.options)
    static let S = 0, R = 1, T = 2

    @Test("each text reads as the answers a trainer would read, or goes to review", arguments: [
        // Numbered, one per line.
        ("1. setuju\n2. tidak setuju\n3. ragu-ragu\n4. setuju\n5. setuju", [S, T, R, S, S], false),
        ("1 S\n2 TS\n3 R\n4 S\n5 TS", [S, T, R, S, T], false),
        ("1) setuju\n2) ragu\n3) tidak setuju\n4) ragu2\n5) setuju", [S, R, T, R, S], false),
        ("1: Setuju\n2: Tidak Setuju\n3: Ragu-Ragu\n4: Setuju\n5: Setuju", [S, T, R, S, S], false),
        ("1.setuju 2.ts 3.ragu 4.s 5.ts", [S, T, R, S, T], false),
        ("1=S 2=TS 3=R 4=S 5=S", [S, T, R, S, S], false),
        ("1=1 2=3 3=2 4=1 5=1", [S, T, R, S, S], false),
        ("1. *Setuju*\n2. _tidak setuju_\n3. ragu\n4. setuju\n5. ragu", [S, T, R, S, R], false),
        ("1. agree\n2. disagree\n3. not sure\n4. agree\n5. disagree", [S, T, R, S, T], false),
        ("1 a\n2 c\n3 b\n4 a\n5 c", [S, T, R, S, T], false),
        ("1. tdk setuju\n2. gak setuju\n3. ga tau\n4. iya\n5. nggak", [T, T, R, S, T], false),
        ("1. Sangat setuju\n2. sangat tidak setuju\n3. netral\n4. ya\n5. no", [S, T, R, S, T], false),
        ("1- setuju\n2- setuju\n3- setuju\n4- setuju\n5- setuju", [S, S, S, S, S], false),
        // One token per statement, in order.
        ("S TS R S S", [S, T, R, S, S], false),
        ("s ts r s s", [S, T, R, S, S], false),
        ("S, TS, R, S, S", [S, T, R, S, S], false),
        ("1 3 2 2 1", [S, T, R, R, S], false),
        ("13221", nil, true),
        ("a c b b a", [S, T, R, R, S], false),
        ("A C B B A", [S, T, R, R, S], false),
        ("setuju tidak setuju ragu setuju setuju", [S, T, R, S, S], false),
        ("setuju, tidak setuju, ragu-ragu, setuju, setuju", [S, T, R, S, S], false),
        ("agree disagree unsure agree agree", [S, T, R, S, S], false),
        ("S/TS/R/S/S", [S, T, R, S, S], false),
        ("setuju\ntidak setuju\nragu\nsetuju\nsetuju", [S, T, R, S, S], false),
        ("Ya Tidak Ragu Ya Ya", [S, T, R, S, S], false),
        // Partial answers are read as far as they go (the rest may come in another message).
        ("1. setuju\n2. tidak setuju", [S, T, nil, nil, nil], false),
        ("S TS", [S, T, nil, nil, nil], false),
        ("3. ragu", [nil, nil, R, nil, nil], false),
        // Misspellings: read, but a person checks.
        ("1. stuju\n2. tidak stuju\n3. ragu\n4. setuju\n5. setuju", [S, T, R, S, S], true),
        ("setju ts r s s", [S, T, R, S, S], true),
        ("1. setujuu\n2. ts\n3. r\n4. s\n5. s", [S, T, R, S, S], true),
        // What is not an answer goes to review.
        ("Maaf pak saya belum sempat baca", nil, true),
        ("Bagus sekali materinya", nil, true),
        ("👍", nil, true),
        ("1. setuju\n2. mungkin iya mungkin tidak\n3. ragu", [S, nil, R, nil, nil], true),
        ("S TS R S S TS", [S, T, R, S, S], true),
        ("7. setuju", nil, true),
        ("1. setuju\n1. tidak setuju", [T, nil, nil, nil, nil], true),
        ("S X R", [S, nil, R, nil, nil], true),
        ("", nil, true),
        ("1 3 2 4 1", [S, T, R, nil, S], true),
    ] as [(String, [Int?]?, Bool)])
    func reads(_ text: String, _ expected: [Int?]?, _ review: Bool) {
        let parsed = Self.parser.parse(text)
        let answers = (0..<5).map { parsed.answers[$0] }
        if let expected { #expect(answers == expected, "\(text): \(parsed)") } else { #expect(parsed.answers.isEmpty, "\(text): \(parsed)") }
        #expect(parsed.needsReview == review, "\(text): confidence \(parsed.confidence), \(parsed.doubts)")
    }

    @Test("answers spread over several messages merge: a later answer replaces, a sequence continues where the last stopped")
    func spread() {
        let first = Self.parser.parse("S TS")
        let second = Self.parser.parse("R S S", startingAt: first.answers.count)
        let fix = Self.parser.parse("2. setuju")
        let merged = AnswerParser.merge([first, second, fix])
        #expect((0..<5).map { merged.answers[$0] } == [Self.S, Self.S, Self.R, Self.S, Self.S])
        #expect(!merged.needsReview)
        #expect(AnswerParser.merge([first, Self.parser.parse("stuju")]).needsReview)
    }

    @Test("one edit apart: substitution, insertion, deletion; not two")
    func edits() {
        #expect(AnswerParser.withinOneEdit("setuju", "setuju"))
        #expect(AnswerParser.withinOneEdit("setuju", "stuju") && AnswerParser.withinOneEdit("setuju", "setujuu"))
        #expect(AnswerParser.withinOneEdit("setuju", "setuja"))
        #expect(!AnswerParser.withinOneEdit("setuju", "stuja") && !AnswerParser.withinOneEdit("setuju", "tuju"))
    }
}
