import Foundation
import Testing
@testable import KelasCore

@Suite("Simulated survey answers")
struct SurveyWritingTests {
    @Test("every style the simulator writes reads back as the answers meant, or goes to review: never misread", arguments: [Language.id, .en])
    func readBack(_ language: Language) {
        let instrument = BuiltinInstruments.adilGender
        var random = SplitMix64(seed: 42)
        var exact = 0, partial = 0, review = 0, misread: [String] = []
        for _ in 0..<2_000 {
            let answers = SurveyWriting.choose(instrument, attitude: random.normal(), scenario: Scenario(), random: &random)
            let texts = SurveyWriting.messages(answers, instrument: instrument, language: language, random: &random)
            let replies = texts.enumerated().map { SurveyReply(messageID: "m\($0.offset)", at: Date(timeIntervalSince1970: Double($0.offset * 60)),
                                                               text: $0.element, isVoice: false) }
            let reading = SurveyReading.read(instrument, replies: replies)
            if !reading.review.isEmpty { review += 1; continue }
            if reading.answers == answers { exact += 1; continue }
            // A skipped statement: the rest as meant.
            if reading.answers.count == answers.count - 1, reading.answers.allSatisfy({ answers[$0.key] == $0.value }) { partial += 1; continue }
            misread.append(texts.joined(separator: " ⏎ ") + " → \(reading.answers.sorted { $0.key < $1.key }.map(\.value))")
        }
        #expect(misread.isEmpty, "\(misread.prefix(5))")
        #expect(exact > 1_550, "exact \(exact), partial \(partial), review \(review)")
        #expect(review < 300, "exact \(exact), partial \(partial), review \(review)")
        // Typos and "Sudah bu" are what goes to review: some of each.
        #expect(review > 40 && partial > 20, "exact \(exact), partial \(partial), review \(review)")
    }
}
