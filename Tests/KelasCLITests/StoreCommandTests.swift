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
}
