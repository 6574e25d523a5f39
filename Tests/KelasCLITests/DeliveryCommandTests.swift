import Foundation
import Testing

@Suite("kelas run and kelas outbox")
struct DeliveryCommandTests {
    @Test("a past batch expires instead of being sent; a retried message goes out through the jsonl sink once")
    func runOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        let first = try KelasBinary.run(["run", "--once", "--database", database])
        #expect(first.stdout == "console: 0 sent, 0 to retry, 0 failed, 0 dead, 27 expired, 0 skipped\n", "\(first.stderr)")
        let id = "gresik-2021-07:d1:salam-pembuka"
        let retry = try KelasBinary.run(["outbox", "retry", id, "--database", database])
        #expect(retry.stdout == "queued \(id) again; `kelas run` sends it\n")
        let out = directory.appendingPathComponent("out.jsonl").path
        let second = try KelasBinary.run(["run", "--once", "--sink", "jsonl:\(out)", "--database", database])
        #expect(second.stdout.hasPrefix("jsonl:\(out): 1 sent"), "\(second.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(#""id":"msg_gresik-2021-07:d1:salam-pembuka""#))
        let show = try KelasBinary.run(["outbox", "show", id, "--database", database])
        #expect(show.stdout.contains("(sent)") && show.stdout.contains("#1 ") && show.stdout.contains("HTTP 200"))
        let again = try KelasBinary.run(["outbox", "retry", id, "--database", database])
        #expect(again.status == 1 && again.stderr.contains("only failed, dead, expired or skipped messages can be sent again"))
        let noSecret = try KelasBinary.run(["run", "--once", "--sink", "webhook:http://127.0.0.1:9/x", "--database", database])
        #expect(noSecret.status == 1 && noSecret.stderr.contains("KELAS_WEBHOOK_SECRET"))
    }
}
