import Foundation
import Testing
@testable import KelasCore

/// Golden outputs of `kelas plan` on the example batch, through the real executable.
///
/// To accept a deliberate change of output: `KELAS_UPDATE_GOLDEN=1 swift test --filter KelasCLITests`, then review the diff.
@Suite("kelas plan")
struct PlanCommandTests {
    static let example = "examples/gresik-2021-07/batch.yaml"
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden")

    static func expectGolden(_ name: String, _ arguments: [String]) throws {
        let result = try KelasBinary.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let file = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["KELAS_UPDATE_GOLDEN"] == "1" {
            try Data(result.stdout.utf8).write(to: file)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(result.stdout == expected, "output differs from \(name); see the comment on PlanCommandTests")
    }

    @Test("table of day 2")
    func table() throws { try Self.expectGolden("plan-day2.txt", ["plan", Self.example, "--day", "2"]) }

    @Test("JSON of day 2")
    func json() throws { try Self.expectGolden("plan-day2.json", ["plan", Self.example, "--day", "2", "--format", "json"]) }

    @Test("Markdown of the whole week")
    func markdown() throws { try Self.expectGolden("plan-week.md", ["plan", Self.example, "--format", "markdown"]) }

    @Test("the JSON has the documented shape")
    func jsonShape() throws {
        let result = try KelasBinary.run(["plan", Self.example, "--date", "2021-07-06", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["batch"] as? String == "gresik-2021-07")
        #expect(object["day"] as? Int == 2)
        #expect(object["date"] as? String == "2021-07-06")
        #expect(object["timezone"] as? String == "Asia/Jakarta")
        let messages = try #require(object["messages"] as? [[String: Any]])
        #expect(messages.count == 6)
        let video = try #require(messages.first { $0["kind"] as? String == "video" })
        #expect(video["sendAt"] as? String == "2021-07-06T07:45:00+07:00")
        #expect(video["audience"] as? String == "group")
        #expect(video["url"] as? String == "https://www.youtube.com/watch?v=KELAS-SESI-1")
        #expect(video["flags"] as? [String] == [])
        for key in ["id", "day", "sendAt", "kind", "audience", "text", "url", "flags"] {
            #expect(messages.allSatisfy { $0[key] != nil }, "every message has \(key)")
        }
    }

    @Test("a fan-out batch lists one JSON message per participant and collapses them in the table")
    func fanout() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-cli-\(UUID().uuidString)")
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: false)
        let batch = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: batch, encoding: .utf8).replacingOccurrences(of: "mode: group", with: "mode: fanout")
        try Data(text.utf8).write(to: batch)
        let json = try KelasBinary.run(["plan", batch.path, "--day", "2", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let messages = try #require(object["messages"] as? [[String: Any]])
        #expect(messages.count == 6 * 24)
        #expect(messages.allSatisfy { ($0["flags"] as? [String])?.contains("needs-template") == true })
        let table = try KelasBinary.run(["plan", batch.path, "--day", "2"])
        #expect(table.stdout.contains("24 participants"))
        #expect(table.stdout.contains("144 messages · 144 need an approved template"))

        // With a store that has heard from Ahmad 1:1 on Tuesday 06:00, his day-2 messages go free-form; the plan says so.
        let database = directory.appendingPathComponent("kelas.sqlite").path
        #expect(try KelasBinary.run(["batch", "add", batch.path, "--database", database]).status == 0)
        let payload = directory.appendingPathComponent("ahmad.json")
        try Data(#"""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
            "metadata":{"display_phone_number":"6281234567000","phone_number_id":"105555500000001"},
            "contacts":[{"profile":{"name":"Fauzi"},"wa_id":"6281234567110"}],
            "messages":[{"from":"6281234567110","id":"wamid.AHMAD1","timestamp":"1625526000","type":"text","text":{"body":"Siap"}}]}}]}]}
            """#.utf8).write(to: payload)
        let ingest = try KelasBinary.run(["ingest", "webhook", payload.path, "--database", database])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let known = try KelasBinary.run(["plan", batch.path, "--day", "2", "--database", database])
        #expect(known.stdout.contains("144 messages · 6 free-form (window open) · 138 need an approved template"), "\(known.stdout)")
        let knownJSON = try KelasBinary.run(["plan", batch.path, "--day", "2", "--database", database, "--format", "json"])
        let routed = try #require(try JSONSerialization.jsonObject(with: Data(knownJSON.stdout.utf8)) as? [String: Any])
        let ahmad = (routed["messages"] as? [[String: Any]] ?? []).filter { $0["audience"] as? String == "participant:+6281234567110" }
        #expect(ahmad.count == 6 && ahmad.allSatisfy { ($0["flags"] as? [String])?.contains("needs-template") == false })
        // A dry run never creates a store.
        let missing = directory.appendingPathComponent("none.sqlite").path
        #expect(try KelasBinary.run(["plan", batch.path, "--day", "2", "--database", missing]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test("a date outside the batch week is refused with the week's dates")
    func dateOutsideWeek() throws {
        let result = try KelasBinary.run(["plan", Self.example, "--date", "2021-08-01"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("2021-08-01 is not in batch gresik-2021-07's week (2021-07-05 to 2021-07-11)"))
    }

    @Test("bad options are refused before any file is read", arguments: [
        (["--day", "8"], "--day must be from 1 to 7"),
        (["--day", "1", "--date", "2021-07-05"], "Give one of --day, --date and --today"),
        (["--date", "5/7/2021"], "--date must be a date as YYYY-MM-DD"),
        (["--format", "csv"], "format"),
    ])
    func badOptions(_ options: [String], _ message: String) throws {
        let result = try KelasBinary.run(["plan", Self.example] + options)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message))
    }
}

@Suite("kelas plan --today and --lang")
struct PlanTodayTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-today-\(UUID().uuidString)")
    /// Tuesday 6 July 2021, 06:30 WIB: day 2 of the example batch.
    static let tuesday = ["KELAS_NOW": "2021-07-06T06:30:00+07:00"]

    @Test("a file's plan for today, in Indonesian: headings, columns, dates and counts in their own form")
    func fileToday() throws {
        let run = try KelasBinary.run(["plan", PlanCommandTests.example, "--today", "--lang", "id"], environment: Self.tuesday)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("· pengiriman ke grup · jendela 07:00-21:00"))
        #expect(run.stdout.contains("Hari ke-2 · Selasa, 6 Juli 2021 · Asia/Jakarta (UTC+07:00)"))
        #expect(run.stdout.contains("JAM") && run.stdout.contains("PENERIMA") && run.stdout.contains("6 pesan"))
        #expect(!run.stdout.contains("Hari ke-1 ·"))
        // The same from KELAS_LANG, and English when asked.
        let env = try KelasBinary.run(["plan", PlanCommandTests.example, "--today"], environment: Self.tuesday.merging(["KELAS_LANG": "id"]) { $1 })
        #expect(env.stdout == run.stdout)
        let english = try KelasBinary.run(["plan", PlanCommandTests.example, "--today"], environment: Self.tuesday)
        #expect(english.stdout.contains("Day 2 · Tuesday 6 July 2021") && english.stdout.contains("6 messages"))
        // Outside the week, the week's dates; an unknown language, named.
        let late = try KelasBinary.run(["plan", PlanCommandTests.example, "--today"])
        #expect(late.status == 1 && late.stderr.contains("is not in batch gresik-2021-07's week (2021-07-05 to 2021-07-11)"))
        let bad = try KelasBinary.run(["plan", PlanCommandTests.example], environment: ["KELAS_LANG": "jv"])
        #expect(bad.status == 1 && bad.stderr.contains("KELAS_LANG is `jv`"))
    }

    @Test("without a file: every batch in the store running today, from the file it was added from")
    func storeToday() throws {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: false)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        #expect(try KelasBinary.run(["batch", "add", directory.appendingPathComponent("batch.yaml").path, "--database", database]).status == 0)
        let run = try KelasBinary.run(["plan", "--today", "--database", database], environment: Self.tuesday)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("(gresik-2021-07)") && run.stdout.contains("Day 2 · Tuesday 6 July 2021"))
        let after = try KelasBinary.run(["plan", "--today", "--database", database, "--lang", "id"])
        #expect(after.status == 0 && after.stdout.contains("Tidak ada angkatan di \(database) yang berjalan hari ini (Senin, 12 Juli 2021)."))
        let none = try KelasBinary.run(["plan", "--today", "--database", directory.appendingPathComponent("none.sqlite").path])
        #expect(none.status == 1 && none.stderr.contains("no store at"))
        let neither = try KelasBinary.run(["plan"])
        #expect(neither.status != 0 && neither.stderr.contains("--today"))
    }
}
