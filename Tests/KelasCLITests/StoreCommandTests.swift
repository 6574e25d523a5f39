import Foundation
import Testing

@Suite("kelas batch, mark and status")
struct StoreCommandTests {
    @Test("batch add is idempotent; mark and status work on the stored batch")
    func addMarkStatus() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-cli-\(UUID().uuidString).sqlite").path
        let example = "examples/gresik-2021-07/batch.yaml"
        let first = try KelasBinary.run(["batch", "add", example, "--database", database])
        #expect(first.stdout == "added batch gresik-2021-07: 24 participants, 27 planned messages\n", "\(first.stderr)")
        let second = try KelasBinary.run(["batch", "add", example, "--database", database])
        #expect(second.stdout == "batch gresik-2021-07 is unchanged\n")
        let mark = try KelasBinary.run(["mark", "gresik-2021-07", "0812 3456 7111", "--session", "2", "discussed", "--database", database])
        #expect(mark.status == 0, "\(mark.stderr)")
        let status = try KelasBinary.run(["status", "gresik-2021-07", "--database", database])
        #expect(status.stdout.contains("PARTICIPANT      PHONE           PRE  S1  S2  S3  S4  POST  DONE  CALL"))
        #expect(status.stdout.contains("Budi Santoso     +6281234567111  ✗    ✗   D"))
        #expect(status.stdout.contains("of 24 registered"))
        let unknown = try KelasBinary.run(["status", "gresik-2021-08", "--database", database])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "error: no batch `gresik-2021-08` in the store; batches: gresik-2021-07\n")
    }

    @Test("the store commands speak Indonesian with --lang id or KELAS_LANG=id: summaries, tables, errors")
    func indonesian() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-cli-\(UUID().uuidString).sqlite").path
        let example = "examples/gresik-2021-07/batch.yaml"
        let add = try KelasBinary.run(["batch", "add", example, "--database", database, "--lang", "id"])
        #expect(add.stdout == "angkatan gresik-2021-07 ditambahkan: 24 peserta, 27 pesan direncanakan\n", "\(add.stderr)")
        let indonesian = ["KELAS_LANG": "id"]
        let list = try KelasBinary.run(["batch", "list", "--database", database], environment: indonesian)
        #expect(list.stdout.hasPrefix("ID") && list.stdout.contains("KABUPATEN") && list.stdout.contains("PESERTA"), "\(list.stdout)")
        let mark = try KelasBinary.run(["mark", "gresik-2021-07", "Budi Santoso", "--session", "1", "phoned", "--database", database],
                                       environment: indonesian)
        #expect(mark.stdout.contains("+6281234567111 ditandai sudah ditelepon untuk sesi 1 di gresik-2021-07"), "\(mark.stdout)")
        let unknown = try KelasBinary.run(["status", "gresik-2021-08", "--database", database], environment: indonesian)
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "kesalahan: tidak ada angkatan `gresik-2021-08` di penyimpanan; angkatan yang ada: gresik-2021-07\n")
        let outbox = try KelasBinary.run(["outbox", "show", "nope", "--database", database, "--lang", "id"])
        #expect(outbox.stderr.contains("tidak ada pesan `nope` di kotak keluar"), "\(outbox.stderr)")
        let optOut = try KelasBinary.run(["optout", "list", "gresik-2021-07", "--database", database], environment: indonesian)
        #expect(optOut.stdout == "tidak ada yang berhenti berlangganan di gresik-2021-07\n")
        // English stays English: the language is a choice of the run, never mixed.
        let english = try KelasBinary.run(["optout", "list", "gresik-2021-07", "--database", database, "--lang", "en"], environment: indonesian)
        #expect(english.stdout == "nobody has opted out of gresik-2021-07\n")
    }

    @Test("optout add, list and remove; status says who opted out and that they stay in the denominator")
    func optOut() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-cli-\(UUID().uuidString).sqlite").path
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        let none = try KelasBinary.run(["optout", "list", "gresik-2021-07", "--database", database])
        #expect(none.stdout == "nobody has opted out of gresik-2021-07\n", "\(none.stderr)")
        let add = try KelasBinary.run(["optout", "add", "gresik-2021-07", "Budi Santoso", "--note", "asked by phone", "--database", database])
        #expect(add.status == 0 && add.stdout.contains("+6281234567111 opted out of gresik-2021-07"), "\(add.stderr)")
        let list = try KelasBinary.run(["optout", "gresik-2021-07", "--database", database])
        #expect(list.stdout.contains("+6281234567111") && list.stdout.contains("recorded by an admin: asked by phone"), "\(list.stdout)")
        let status = try KelasBinary.run(["status", "gresik-2021-07", "--database", database])
        #expect(status.stdout.contains("opted out, sent nothing more but kept in the denominator (1): Budi Santoso (recorded by an admin: asked by phone)"),
                "\(status.stdout)")
        let report = try KelasBinary.run(["report", "--database", database])
        #expect(report.stdout.contains("1 opted out of the messages (STOP) and are still counted among the registered"), "\(report.stdout)")
        let remove = try KelasBinary.run(["optout", "remove", "gresik-2021-07", "0812-3456-7111", "--database", database])
        #expect(remove.status == 0)
        let after = try KelasBinary.run(["optout", "list", "gresik-2021-07", "--database", database])
        #expect(after.stdout.hasPrefix("nobody has opted out"))
        let nobody = try KelasBinary.run(["optout", "add", "gresik-2021-07", "Siapa", "--database", database])
        #expect(nobody.status == 1 && nobody.stderr.contains("no participant `Siapa` in gresik-2021-07"))
    }
}
