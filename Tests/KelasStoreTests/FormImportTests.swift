import Foundation
import Testing
import KelasCore
@testable import KelasStore

/// Pre- and post-tests from form exports written in each tool's style (KoboToolbox, ODK Central, Google Forms).
@Suite("Form-export imports")
struct FormImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/forms")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-forms-\(UUID().uuidString)")
    let instrument = BuiltinInstruments.adilGender
    static let after = Date(timeIntervalSince1970: 1_626_048_000)

    func read(_ name: String, map: [String: Int] = [:]) throws -> FormExport {
        let path = Self.fixtures.appendingPathComponent(name).path
        let log = DiagnosticLog()
        let export = FormExport.read(try String(contentsOfFile: path, encoding: .utf8), file: path, instrument: instrument, map: map, log: log)
        return try #require(export, "\(log.sorted)")
    }

    func store() throws -> KelasDatabase {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        let file = directory.appendingPathComponent("batch.yaml").path
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(try BatchFile.load(path: file), source: file, now: Date(timeIntervalSince1970: 1_625_000_000))
        return store
    }

    @Test("each style is recognised; every statement finds its column (labels, group paths, xml names, English titles)", arguments: [
        ("kobo-pre.csv", FormExport.Style.kobo, 4), ("odk-post.csv", .odk, 2), ("google-pre.csv", .googleForms, 2),
    ])
    func styles(_ name: String, _ style: FormExport.Style, _ rows: Int) throws {
        let export = try read(name)
        #expect(export.style == style && export.rows.count == rows)
        #expect(export.columns.count == 12 && export.missingStatements(of: instrument).isEmpty)
        #expect(export.unusedColumns.isEmpty, "\(export.unusedColumns)")
        // The first row of each is Ahmad, the most equitable answers: 36.
        let first = try #require(export.rows.first)
        #expect(instrument.score(first.answers)?.total == 36, "\(first.answers)")
    }

    @Test("KoboToolbox: rows match by phone in any formatting; an unknown number and an unknown answer are listed; re-import adds nothing")
    func kobo() throws {
        let store = try store()
        let export = try read("kobo-pre.csv")
        #expect(export.rows.map(\.submission) == ["a1b2c3d4-0001", "a1b2c3d4-0002", "a1b2c3d4-0003", "a1b2c3d4-0004"])
        #expect(export.rows.flatMap(\.unknown).map { "\($0.line) \($0.value)" } == ["5 Sangat ragu"])
        let summary = try store.importForm(export, batchID: "gresik-2021-07", survey: .pre, now: Self.after)
        #expect(summary.rows == 4 && summary.byPhone == 3 && summary.byName == 0)
        #expect(summary.unmatched.map(\.line) == [4] && summary.unmatched.first?.who.contains("0813-9999-0000") == true)
        #expect(summary.stored == 12 + 12 + 11)
        let results = try store.participantResults(now: Self.after)
        #expect(results.first { $0.name == "Ahmad Fauzi" }?.pre?.score?.total == 36)
        #expect(results.first { $0.name == "Budi Santoso" }?.pre?.score?.total == 20)
        #expect(results.first { $0.name == "Dedi Kurniawan" }?.pre?.score?.answered == 11)
        #expect(results.first { $0.name == "Ahmad Fauzi" }?.pre?.source == "form")
        let again = try store.importForm(export, batchID: "gresik-2021-07", survey: .pre, now: Self.after)
        #expect(again.stored == 0 && again.unchanged == 35)
    }

    @Test("ODK Central by name (any case); Google Forms by phone; a map file names what the text cannot")
    func odkAndGoogle() throws {
        let store = try store()
        let odk = try store.importForm(try read("odk-post.csv"), batchID: "gresik-2021-07", survey: .post, now: Self.after)
        #expect(odk.byName == 2 && odk.unmatched.isEmpty && odk.stored == 24)
        let google = try store.importForm(try read("google-pre.csv"), batchID: "gresik-2021-07", survey: .pre, now: Self.after)
        #expect(google.byPhone == 2 && google.stored == 24)
        let results = try store.participantResults(now: Self.after)
        #expect(results.first { $0.name == "Cahyo Prasetyo" }?.post?.score?.total == 24)
        #expect(results.first { $0.name == "Eko Wahyudi" }?.pre?.score?.total == 24)

        // Headers nobody could match by text, mapped by number and by id.
        let csv = "phone,Q1,Q8\n0812-3456-7110,setuju,tidak setuju\n"
        let file = directory.appendingPathComponent("q.csv").path
        let mapFile = directory.appendingPathComponent("map.yaml").path
        try Data("Q1: 1\nQ8: akses-setara\n".utf8).write(to: URL(fileURLWithPath: mapFile))
        let log = DiagnosticLog()
        let map = try #require(FormExport.loadMap(path: mapFile, instrument: instrument, log: log))
        #expect(map == ["Q1": 0, "Q8": 7])
        let export = try #require(FormExport.read(csv, file: file, instrument: instrument, map: map, log: log))
        #expect(export.rows.first?.answers == [0: 0, 7: 2])
        #expect(FormExport.read(csv, file: file, instrument: instrument, log: DiagnosticLog()) == nil, "without the map nothing matches")
        try Data("Q1: 13\nQ8: akses\n".utf8).write(to: URL(fileURLWithPath: mapFile))
        let bad = DiagnosticLog()
        #expect(FormExport.loadMap(path: mapFile, instrument: instrument, log: bad) == nil)
        #expect(bad.sorted.map(\.location.line) == [1, 2])
    }
}
