import Foundation
import Testing

@Suite("kelas results")
struct ResultsCommandTests {
    /// A Cloud API payload with one text message.
    static func payload(_ id: String, from digits: String, at timestamp: Int, _ text: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"\#(digits)","id":"\#(id)","timestamp":"\#(timestamp)","type":"text","text":{"body":"\#(text)"}}]}}]}]}"#
    }

    @Test("results from replies: the table with its denominators and rules, review, set, CSV and JSON")
    func results() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-results-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database],
                                environment: ["KELAS_NOW": "2021-07-01T09:00:00+07:00"])
        let pre = 1_625_452_200, post = 1_625_880_600   // pre-test and post-test open, WIB
        let lines = [
            Self.payload("w1", from: "6281234567110", at: pre, "S S S S S S S S S S S S"),
            Self.payload("w2", from: "6281234567110", at: post, "TS TS TS TS TS TS TS S S S S S"),
            Self.payload("w3", from: "6281234567111", at: pre, "saya setuju semua pak"),
        ]
        let file = directory.appendingPathComponent("replies.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        let ingest = try KelasBinary.run(["ingest", "webhook", file.path, "--database", database])
        #expect(ingest.status == 0, "\(ingest.stderr)")

        let table = try KelasBinary.run(["results", "--database", database])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("gresik-2021-07  24"), "\(table.stdout)")
        #expect(table.stdout.contains("+14.0") && table.stdout.contains("percentages are of registered participants (24)"))
        #expect(table.stdout.contains("rule: adil-gender: totals 12–36, bands low 12–20, moderate 21–28, high 29–36"))

        let review = try KelasBinary.run(["results", "review", "--database", database])
        #expect(review.stdout.contains("Budi Santoso") && review.stdout.contains("saya setuju semua pak"), "\(review.stdout)")
        let bad = try KelasBinary.run(["results", "set", "gresik-2021-07", "Budi Santoso", "--survey", "pre", "semua", "--database", database])
        #expect(bad.status == 1 && bad.stderr.contains("1=S 2=TS 3=R"))
        let set = try KelasBinary.run(["results", "set", "gresik-2021-07", "Budi Santoso", "--survey", "pre",
                                       "1=S 2=S 3=S 4=S 5=S 6=S 7=S 8=S 9=S 10=S 11=S 12=S", "--database", database])
        #expect(set.status == 0 && set.stdout.contains("recorded 12 answers") && set.stdout.contains("score 22 of 36"), "\(set.stderr)")
        let cleared = try KelasBinary.run(["results", "review", "--database", database])
        #expect(cleared.stdout.contains("nothing needs a person"))

        let csv = try KelasBinary.run(["results", "--by", "district", "--format", "csv", "--database", database])
        #expect(csv.stdout.hasPrefix("\u{FEFF}district,registered,took_pre,took_post,both,mean_pre"))
        #expect(csv.stdout.contains("\r\nGresik,24,2,1,1,22.000,36.000,14.000"), "\(csv.stdout)")
        let markdown = try KelasBinary.run(["results", "--format", "markdown", "--database", database])
        #expect(markdown.stdout.hasPrefix("| BATCH | REGISTERED | PRE | POST |") && markdown.stdout.contains("\n|---|---|")
                && markdown.stdout.contains("- percentages are of registered participants (24)"), "\(markdown.stdout)")
        let json = try KelasBinary.run(["results", "--format", "json", "--database", database])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["denominator"] as? String == "registered participants")
        #expect((object["total"] as? [String: Any])?["tookPre"] as? Int == 2)

        // Own indicators: a column each, both denominators; a statement no instrument has is an error at its line.
        let indicators = directory.appendingPathComponent("indicators.yaml")
        try Data("""
            indicators:
              - id: high-post
                name: { id: "Skor post tinggi", en: "High post score" }
                rule:
                  score: { test: post, at-least: 29 }
              - id: opens-meetings
                name: { id: "Rapat terbuka", en: "Meetings open" }
                rule:
                  answer: { test: post, statement: perempuan-tak-perlu-rapat, is: tidak setuju }

            """.utf8).write(to: indicators)
        let own = try KelasBinary.run(["results", "--indicators", indicators.path, "--format", "csv", "--database", database])
        #expect(own.status == 0, "\(own.stderr)")
        #expect(own.stdout.contains("high-post,high-post_tested,high-post_percent_registered,high-post_mcnemar_p,opens-meetings"))
        // Pre 22 → post 36 for Agus: high after, not before (b = 0, c = 1); Budi's pre is typed S to all (he agreed to
        // the meetings statement), Agus answered TS after.
        #expect(own.stdout.contains("\r\ngresik-2021-07,24,2,1,1,"), "\(own.stdout)")
        #expect(own.stdout.contains(",1,1,4.200,1.000,1,1,4.200,1.000\r\n"), "\(own.stdout)")
        try Data(String(decoding: try Data(contentsOf: indicators), as: UTF8.self)
            .replacingOccurrences(of: "perempuan-tak-perlu-rapat", with: "perempuan-tak-perlu-rapt").utf8).write(to: indicators)
        let wrong = try KelasBinary.run(["results", "--indicators", indicators.path, "--database", database])
        #expect(wrong.status == 1 && wrong.stdout.isEmpty)
        #expect(wrong.stderr.contains("indicators.yaml:9:") && wrong.stderr.contains("no instrument in use has a statement `perempuan-tak-perlu-rapt`")
            && wrong.stderr.contains("did you mean `perempuan-tak-perlu-rapat`?"), "\(wrong.stderr)")
    }

    @Test("results import: a KoboToolbox export, what could not be placed listed by line, a re-import storing nothing")
    func importForm() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-import-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        let arguments = ["results", "import", "Tests/Fixtures/forms/kobo-pre.csv", "--batch", "gresik-2021-07", "--survey", "pre",
                         "--database", database]
        let first = try KelasBinary.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("KoboToolbox export, 4 rows; 12 of 12 statements have a column"), "\(first.stdout)")
        #expect(first.stdout.contains("line 5: `Sangat ragu` in `sikap/Mengurus rumah dan anak adalah tugas perempuan.` is none of the answers"))
        #expect(first.stdout.contains("matched 3 of 4 rows (3 by phone, 0 by name); stored 35 answers, 0 already stored"))
        #expect(first.stdout.contains("line 4: nobody in gresik-2021-07 is `Pak RT / 0813-9999-0000`") || first.stdout.contains("line 4: nobody"))
        let again = try KelasBinary.run(arguments)
        #expect(again.stdout.contains("stored 0 answers, 35 already stored"))
        let table = try KelasBinary.run(["results", "--database", database])
        #expect(table.stdout.contains("gresik-2021-07  24          3"), "\(table.stdout)")
        let wrong = try KelasBinary.run(["results", "import", "examples/gresik-2021-07/participants.csv", "--batch", "gresik-2021-07",
                                         "--survey", "pre", "--database", database])
        #expect(wrong.status == 1 && wrong.stderr.contains("no column matches a statement") && wrong.stderr.contains("nothing was imported"))
    }

    @Test("the programme report in Indonesian and English, Markdown and HTML, against its golden files")
    func programmeReport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-programme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database],
                                environment: ["KELAS_NOW": "2021-07-01T09:00:00+07:00"])
        let pre = 1_625_452_200, post = 1_625_880_600
        let lines = [
            Self.payload("p1", from: "6281234567110", at: pre, "S S S S S S S S S S S S"),
            Self.payload("p2", from: "6281234567110", at: post, "TS TS TS TS TS TS TS S S S S S"),
            Self.payload("p3", from: "6281234567111", at: pre, "1. ragu 2. ragu 3. ragu 4. ragu 5. ragu 6. ragu 7. ragu 8. TS 9. ragu 10. ragu 11. ragu 12. ragu"),
            Self.payload("p4", from: "6281234567111", at: post, "TS TS TS R R R R S S S S S"),
            Self.payload("p5", from: "6281234567112", at: pre, "S S S S S S S S S S S S"),
        ]
        let file = directory.appendingPathComponent("replies.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        _ = try KelasBinary.run(["ingest", "webhook", file.path, "--database", database])
        try PlanCommandTests.expectGolden("programme-report.id.md", ["report", "programme", "--database", database])
        try PlanCommandTests.expectGolden("programme-report.en.md", ["report", "programme", "--lang", "en", "--database", database])
        try PlanCommandTests.expectGolden("programme-report.en.html", ["report", "programme", "--lang", "en", "--format", "html",
                                                                       "--database", database])
        // The completion report is still the default of `kelas report`.
        #expect(try KelasBinary.run(["report", "--database", database]).stdout.contains("REGISTERED"))
    }
}
