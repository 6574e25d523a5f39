import Foundation
import Testing

@Suite("kelas ingest")
struct IngestCommandTests {
    static let fixtures = "Tests/Fixtures/ingest/"

    func freshStore() throws -> String {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-ingest-\(UUID().uuidString).sqlite").path
        let added = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        #expect(added.status == 0, "\(added.stderr)")
        return database
    }

    @Test("ingest webhook stores once and says so; a bad file stores nothing and names the line")
    func webhook() throws {
        let database = try freshStore()
        let first = try KelasBinary.run(["ingest", "webhook", Self.fixtures + "webhook-all-types.jsonl", "--database", database])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("read 12 payloads from Tests/Fixtures/ingest/webhook-all-types.jsonl: 11 messages, 5 statuses"))
        #expect(first.stdout.contains("stored 10 new messages (gresik-2021-07: 9), 1 already stored; 5 new statuses"))
        #expect(first.stdout.contains("not matched to anyone in a batch: +6289900001111 (1)"))
        let again = try KelasBinary.run(["ingest", "webhook", Self.fixtures + "webhook-all-types.jsonl", "--database", database])
        #expect(again.stdout.contains("stored 0 new messages, 11 already stored; 0 new statuses, 5 already stored"))
        let bad = try KelasBinary.run(["ingest", "webhook", Self.fixtures + "webhook-bad.jsonl", "--database", database])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("Tests/Fixtures/ingest/webhook-bad.jsonl:2:1: error: `entry[0].changes[0].value.messages[0].timestamp` is missing"))
        #expect(bad.stderr.contains("nothing was stored"))
    }

    @Test("ingest webhook --format waha|evolution: a group gateway's events into the batch naming the group")
    func gateways() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-gateway-cli-\(UUID().uuidString)")
        let initialised = try KelasBinary.run(["init", directory.path])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let file = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "mode: group", with: "mode: group\n  group: 120363012345678901@g.us\n  #")
        try Data(text.utf8).write(to: file)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        _ = try KelasBinary.run(["batch", "add", file.path, "--database", database])
        for format in ["waha", "evolution"] {
            let run = try KelasBinary.run(["ingest", "webhook", "--format", format, "Tests/Fixtures/gateways/\(format).jsonl", "--database", database])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("read 12 payloads from Tests/Fixtures/gateways/\(format).jsonl: 8 messages, 2 statuses"), "\(run.stdout)")
            #expect(run.stdout.contains("stored 8 new messages (gresik-2021-07: 7)"), "\(run.stdout)")
        }
        let wrong = try KelasBinary.run(["ingest", "webhook", "--format", "waha", Self.fixtures + "webhook-all-types.jsonl", "--database", database])
        #expect(wrong.status == 1 && wrong.stderr.contains("give the body exactly as the waha gateway posted it"), "\(wrong.stderr)")
    }

    @Test("ingest chat --dry-run --format json has the documented shape and touches no store")
    func dryRunJSON() throws {
        let database = try freshStore()
        let result = try KelasBinary.run(["ingest", "chat", Self.fixtures + "android-id.txt", "--batch", "gresik-2021-07",
                                          "--dry-run", "--format", "json", "--database", database])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Android, day/month/year, 24-hour clock — ambiguous"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["format"] as? String == "android dmy 24h")
        #expect(json["messages"] as? Int == 16 && json["voiceNotes"] as? Int == 2 && json["media"] as? Int == 2)
        #expect(json["systemLines"] as? Int == 4)
        #expect(json["unmatched"] as? [String] == ["Pak RT Gresik"])
        let authors = try #require(json["authors"] as? [[String: Any]])
        let fauzi = try #require(authors.first { $0["name"] as? String == "Fauzi Gresik" })
        #expect(fauzi["participant"] as? String == "+6281234567110" && fauzi["messages"] as? Int == 2 && fauzi["voiceNotes"] as? Int == 1)
        #expect(authors.first { $0["name"] as? String == "Pak RT Gresik" }?["participant"] is NSNull)
        let status = try KelasBinary.run(["status", "gresik-2021-07", "--database", database])
        #expect(status.stdout.contains("active 0 (0%)"), "a dry run stores nothing")
        let indonesian = try KelasBinary.run(["status", "gresik-2021-07", "--database", database], environment: ["KELAS_LANG": "id"])
        #expect(indonesian.stdout.contains("PESERTA") && indonesian.stdout.contains("terdaftar 24 · aktif 0 (0 %)"), "\(indonesian.stdout)")
        #expect(indonesian.stdout.contains("perlu ditelepon: ") || indonesian.stdout.contains("tidak ada yang perlu ditelepon"))
    }

    @Test("ingest chat stores into the batch; --date-order forces; a missing --batch is a usage error")
    func chat() throws {
        let database = try freshStore()
        let result = try KelasBinary.run(["ingest", "chat", Self.fixtures + "ios-en.txt", "--batch", "gresik-2021-07", "--me", "Rumi",
                                          "--database", database])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("iOS, month/day/year, 12-hour clock with seconds — ambiguous"))
        #expect(result.stdout == """
            read 10 messages (2 voice notes, 1 media, 1 deleted) and 4 system lines
            stored 10 new messages (gresik-2021-07: 10)

            """)
        let forced = try KelasBinary.run(["ingest", "chat", Self.fixtures + "ios-en.txt", "--dry-run", "--date-order", "mdy"])
        #expect(forced.stderr.contains("month/day/year, 12-hour clock with seconds — forced by --date-order"))
        let missing = try KelasBinary.run(["ingest", "chat", Self.fixtures + "ios-en.txt"])
        #expect(missing.status != 0 && missing.stderr.contains("--batch ID"))
        let nobody = try KelasBinary.run(["ingest", "chat", Self.fixtures + "ios-en.txt", "--batch", "gresik-2021-07", "--me", "Siapa",
                                          "--database", database])
        #expect(nobody.status == 1 && nobody.stderr.contains("--me Siapa is nobody in gresik-2021-07"))
    }

    @Test("ingest chat: a year/day/month export is read whole; mangled header lines are reported by number, too many store nothing")
    func yearDayMonthAndMangled() throws {
        let database = try freshStore()
        let ydm = try KelasBinary.run(["ingest", "chat", Self.fixtures + "android-ydm.txt", "--batch", "gresik-2021-07", "--database", database])
        #expect(ydm.status == 0, "\(ydm.stderr)")
        #expect(ydm.stderr.contains("year/day/month"))
        #expect(ydm.stdout.hasPrefix("read 16 messages (2 voice notes, 2 media, 1 deleted) and 4 system lines"), "\(ydm.stdout)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-mangled-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lines = try String(contentsOfFile: KelasBinary.root.appendingPathComponent(Self.fixtures + "android-id.txt").path, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert("06/07/21 09.40 Budi Santoso: header without its dash", at: 12)
        let one = directory.appendingPathComponent("one.txt")
        try Data(lines.joined(separator: "\n").utf8).write(to: one)
        let warned = try KelasBinary.run(["ingest", "chat", one.path, "--batch", "gresik-2021-07", "--dry-run", "--database", database])
        #expect(warned.status == 0 && warned.stderr.contains("warning: 1 line starts like a message header") && warned.stderr.contains("line 13"),
                "\(warned.stderr)")
        let forced = try KelasBinary.run(["ingest", "chat", Self.fixtures + "android-ydm.txt", "--batch", "gresik-2021-07",
                                          "--date-order", "mdy", "--database", database])
        #expect(forced.status == 1 && forced.stderr.contains("nothing was stored"), "\(forced.stderr)")
    }

    @Test("kelas report as table, CSV (BOM, header, CRLF) and JSON")
    func report() throws {
        let database = try freshStore()
        _ = try KelasBinary.run(["ingest", "chat", Self.fixtures + "android-id.txt", "--batch", "gresik-2021-07", "--database", database])
        let table = try KelasBinary.run(["report", "--database", database])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("BATCH           BATCHES  REGISTERED  ACTIVE  COMPLETED  %    REPLIES  VOICE NOTES  AWAITING TRAINER  DROP-OUTS  OPTED OUT"))
        #expect(table.stdout.contains("gresik-2021-07  1        24          3       0          0.0  7        2            3                 3          0"))
        // The same in Indonesian: headings and the decimal comma.
        let indonesian = try KelasBinary.run(["report", "--database", database, "--lang", "id"])
        #expect(indonesian.stdout.contains("ANGKATAN        ANGKATAN  TERDAFTAR  AKTIF  LULUS  %    JAWABAN"))
        #expect(indonesian.stdout.contains("  0,0  ") && indonesian.stdout.contains("persentase dihitung dari peserta terdaftar (24 di 1 angkatan)"))
        #expect(table.stdout.contains("percentages are of registered participants (24 in 1 batch)"))
        let csv = try KelasBinary.run(["report", "--by", "district", "--format", "csv", "--database", database])
        #expect(csv.stdout.hasPrefix("\u{FEFF}district,batches,registered,active,completed,completed_percent,replies,voice_notes,awaiting_trainer,drop_outs,opted_out\r\n"))
        #expect(csv.stdout.hasSuffix("TOTAL,1,24,3,0,0.0,7,2,3,3,0\r\n"))
        let json = try KelasBinary.run(["report", "--format", "json", "--database", database])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["by"] as? String == "batch" && object["denominator"] as? String == "registered participants")
        #expect((object["total"] as? [String: Any])?["voiceNotes"] as? Int == 2)
        let wrong = try KelasBinary.run(["report", "--by", "kabupaten", "--database", database])
        #expect(wrong.status != 0 && wrong.stderr.contains("kabupaten"))
    }
}
