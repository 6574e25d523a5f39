import Foundation
import Testing
import KelasCore
@testable import KelasStore

/// Results read from real replies in the store, counted by hand.
@Suite("Results from WhatsApp replies")
struct ResultsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-results-\(UUID().uuidString)")
    /// 2021-07-05 09:30 WIB, the pre-test open; 2021-07-10 08:30, the post-test open; the week after.
    static let preTime = Date(timeIntervalSince1970: 1_625_452_200)
    static let postTime = Date(timeIntervalSince1970: 1_625_880_600)
    static let after = Date(timeIntervalSince1970: 1_626_048_000)
    static let ahmad = PhoneNumber(e164: "+6281234567110"), budi = PhoneNumber(e164: "+6281234567111")
    static let cahyo = PhoneNumber(e164: "+6281234567112"), dedi = PhoneNumber(e164: "+6281234567113")

    func store() throws -> KelasDatabase {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let file = directory.appendingPathComponent("batch.yaml").path
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(try BatchFile.load(path: file), source: file, now: Self.preTime.addingTimeInterval(-86_400))
        let equitable = "TS TS TS TS TS TS TS S S S S S"          // 36: the most equitable answers
        let messages: [(String, PhoneNumber, Date, InboundMessage.Kind, String?)] = [
            ("a-pre", Self.ahmad, Self.preTime, .text, equitable),
            ("a-post", Self.ahmad, Self.postTime, .text, equitable),
            // Budi agrees with everything but equal access before (7 × 1 + 1 + 4 × 3 = 20), over two messages; equitable after.
            ("b-pre-1", Self.budi, Self.preTime, .text, "S S S S S S"),
            ("b-pre-2", Self.budi, Self.preTime.addingTimeInterval(120), .text, "S TS S S S S"),
            ("b-post", Self.budi, Self.postTime, .text, "1. tidak setuju\n2. tidak setuju\n3. ts\n4. ts\n5. ts\n6. ts\n7. ts\n8. setuju\n9. setuju\n10. s\n11. s\n12. s"),
            // Cahyo answers the pre-test by voice note (a trainer types it later); agrees with everything after (22).
            ("c-pre", Self.cahyo, Self.preTime, .voice, nil),
            ("c-post", Self.cahyo, Self.postTime, .text, "S S S S S S S S S S S S"),
            // Dedi's pre-test is misspelt: it waits for a person and does not count.
            ("d-pre", Self.dedi, Self.preTime, .text, "stuju ts r s s s s s s s s s"),
        ]
        _ = try store.ingest(batchID: "gresik-2021-07", source: "test", now: Self.after) { insert in
            for (id, phone, at, kind, text) in messages {
                try insert(InboundMessage(id: id, phone: phone, author: id, sentAt: at, kind: kind, text: text))
            }
        }
        return store
    }

    @Test("each participant's tests are read from the replies the tracker counted for them; voice notes and doubts wait for a person")
    func readings() throws {
        let store = try store()
        let results = try store.participantResults(now: Self.after)
        #expect(results.count == 24)
        func result(_ phone: PhoneNumber) throws -> ParticipantResult { try #require(results.first { $0.phone == phone.e164 }) }
        #expect(try result(Self.ahmad).pre?.score?.total == 36 && result(Self.ahmad).post?.score?.total == 36)
        #expect(try result(Self.budi).pre?.score?.total == 20 && result(Self.budi).post?.score?.total == 36)
        #expect(try result(Self.budi).pre?.answers.count == 12)
        #expect(try result(Self.cahyo).pre?.score == nil && result(Self.cahyo).post?.score?.total == 22)
        #expect(try result(Self.dedi).pre?.score == nil)
        let review = try store.reviewQueue(now: Self.after)
        #expect(review.map(\.item.messageID).sorted() == ["c-pre", "d-pre"])
        #expect(review.first { $0.item.messageID == "c-pre" }?.item.reason.contains("voice note") == true)
        #expect(review.first { $0.item.messageID == "d-pre" }?.item.text == "stuju ts r s s s s s s s s s")

        // A trainer types Cahyo's pre-test from his voice note: it counts, and leaves the review queue.
        let instrument = try #require(try store.instrument(batchID: "gresik-2021-07"))
        let typed = try instrument.typedAnswers("1=S 2=S 3=S 4=S 5=S 6=S 7=S 8=S 9=S 10=S 11=S 12=S").get()
        try store.setAnswers(batchID: "gresik-2021-07", participant: "Cahyo Prasetyo", survey: .pre, answers: typed, source: "trainer",
                             now: Self.after)
        let after = try store.participantResults(now: Self.after)
        let cahyo = try #require(after.first { $0.phone == Self.cahyo.e164 })
        #expect(cahyo.pre?.score?.total == 22 && cahyo.pre?.source == "trainer")
        #expect(try store.reviewQueue(now: Self.after).map(\.item.messageID) == ["d-pre"])
    }

    @Test("the group figures by hand: flow, means, paired change with its interval, agreement with McNemar")
    func figures() throws {
        let store = try store()
        let instrument = try #require(try store.instrument(batchID: "gresik-2021-07"))
        try store.setAnswers(batchID: "gresik-2021-07", participant: "Cahyo Prasetyo", survey: .pre,
                             answers: try instrument.typedAnswers("S S S S S S S S S S S S").get(), source: "trainer", now: Self.after)
        let results = ProgrammeResults(try store.participantResults(now: Self.after), by: .batch)
        let row = try #require(results.rows.first)
        #expect(row.registered == 24 && row.tookPre == 3 && row.tookPost == 3 && row.both == 3)
        // Pre 36, 20, 22 → 26; post 36, 36, 22 → 31.33…; differences 0, 16, 0: mean 5.333, sd 9.2376
        #expect(abs((row.meanPre ?? 0) - 26) < 1e-9 && abs((row.meanPost ?? 0) - 94.0 / 3) < 1e-9)
        let change = try #require(row.change)
        #expect(abs(change.mean - 16.0 / 3) < 1e-9 && abs((change.sd ?? 0) - 9.237604) < 1e-5)
        // Half width t(0.975, 2) 4.302653 × 9.237604 / √3 = 22.947; interval −17.61 to 28.28
        #expect(abs((change.interval?.lowerBound ?? 0) + 17.6138) < 1e-3 && abs((change.interval?.upperBound ?? 0) - 28.2805) < 1e-3)
        #expect(change.improved == 1 && change.unchanged == 2 && change.declined == 0)
        // Agreement on equal access after: all three; before, Budi did not (b = 0, c = 1: exact p = 1).
        let agreement = row.count("agreement")
        #expect(agreement.count == 3 && agreement.tested == 3)
        #expect(agreement.change?.b == 0 && agreement.change?.c == 1 && agreement.change?.p == 1 && agreement.change?.exact == true)
        #expect(ResultsRow.percent(agreement.count, of: row.registered) == 12.5)
        // Nobody completed (no discussion answered): no champions, whatever their scores; tested = took the post-test.
        #expect(row.completed == 0 && row.count("champion").count == 0 && row.count("champion").tested == 3)
        #expect(row.count("champion").change == nil)
        #expect(results.total.registered == 24 && results.rules.contains { $0.contains("rendah") || $0.contains("low 12–20") })
    }
}
