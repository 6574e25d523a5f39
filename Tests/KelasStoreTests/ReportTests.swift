import Foundation
import Testing
import KelasCore
@testable import KelasStore

/// Report figures against counts made by hand from the fixtures (see the comments in IngestTests.chatExports).
@Suite("Report")
struct ReportTests {
    let ingest = IngestTests()

    /// The example batch with both exports, a phone-call mark and a post-test answer for Budi; and a second, silent batch.
    func store() throws -> KelasDatabase {
        let store = try ingest.storeWithBatch()
        _ = try ingest.ingestChat(store, "android-id.txt")
        _ = try ingest.ingestChat(store, "ios-en.txt", me: "Rumi")
        // Budi: S1 replied, S2 voice note, S3 phoned, post-test answered → completed (2 sessions + post-test).
        _ = try store.mark(batchID: "gresik-2021-07", participant: "Budi Santoso", session: 3, kind: .phoned, note: nil,
                           now: IngestTests.afterWeek)
        // 2021-07-10 09:00 WIB, during the post-test.
        _ = try store.ingest(batchID: "gresik-2021-07", source: "test", now: IngestTests.afterWeek) { insert in
            try insert(InboundMessage(id: "wamid.POST", phone: PhoneNumber(e164: "+6281234567111"), author: "Budi",
                                      sentAt: Date(timeIntervalSince1970: 1_625_882_400), kind: .text, text: "sudah isi post-test"))
        }
        let (loaded, path) = try ingest.base.example {
            $0.replacingOccurrences(of: "id: gresik-2021-07", with: "id: lamongan-2021-08")
                .replacingOccurrences(of: "programme: WEE ", with: "programme: GEM ")
                .replacingOccurrences(of: "district: Gresik", with: "district: Lamongan")
                .replacingOccurrences(of: "{ name: Winoto,", with: "{ name: Sri Wahyuni,")
        }
        _ = try store.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        return store
    }

    @Test("per batch: registered, active, completed, replies, voice notes, awaiting, drop-outs as counted by hand")
    func byBatch() throws {
        let report = try store().report(by: .batch, now: IngestTests.afterWeek)
        var gresik = ReportRow(group: "gresik-2021-07")
        gresik.batches = 1; gresik.registered = 24
        gresik.active = 7          // Ahmad, Budi, Cahyo, Eko, Fajar, Gunawan, Hadi
        gresik.completed = 1       // Budi
        gresik.completedPercent = 4.2
        gresik.replies = 11        // Fauzi 1, Budi 4 + post-test 1, Cahyo 2, Eko 1, Gunawan 1, Hadi 1 (deleted and unmatched not counted)
        gresik.voiceNotes = 4      // Fauzi, Budi (Android); Eko, Fajar (iOS)
        gresik.awaitingTrainer = 6 // Budi S1+S2, Cahyo S2, Fajar S1, Gunawan S1, Hadi S1
        gresik.dropOuts = 6        // every active one but Budi missed all closed prompts after their last answer
        var lamongan = ReportRow(group: "lamongan-2021-08")
        lamongan.batches = 1; lamongan.registered = 24
        #expect(report.rows == [gresik, lamongan])
        #expect(report.total.registered == 48 && report.total.completed == 1 && report.total.completedPercent == 2.1)
        #expect(report.denominator == "registered participants")
    }

    @Test("by programme, district and trainer; the total counts each participant once")
    func groupings() throws {
        let store = try store()
        #expect(try store.report(by: .programme, now: IngestTests.afterWeek).rows.map(\.group) == ["GEM", "WEE"])
        // The participants file names Gresik for everyone, so district follows the participant, not the batch.
        #expect(try store.report(by: .district, now: IngestTests.afterWeek).rows.map { [$0.group, String($0.registered)] } == [["Gresik", "48"]])
        let trainers = try store.report(by: .trainer, now: IngestTests.afterWeek)
        #expect(trainers.rows.map { "\($0.group) \($0.batches) \($0.registered) \($0.active)" }
            == ["Iva Hasanah 2 48 7", "Sri Wahyuni 1 24 0", "Winoto 1 24 7"])
        #expect(trainers.total.registered == 48 && trainers.total.active == 7)
        #expect(try store.report(by: .batch, batchIDs: ["lamongan-2021-08"], now: IngestTests.afterWeek).rows.map(\.group) == ["lamongan-2021-08"])
        #expect(throws: StoreError.unknownBatch("x", known: ["gresik-2021-07", "lamongan-2021-08"])) {
            try store.report(by: .batch, batchIDs: ["x"], now: IngestTests.afterWeek)
        }
    }
}
