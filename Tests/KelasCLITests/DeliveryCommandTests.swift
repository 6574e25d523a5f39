import Foundation
import Testing

@Suite("kelas run and kelas outbox")
struct DeliveryCommandTests {
    @Test("a past batch expires instead of being sent; a retried message goes out through the jsonl sink once")
    func runOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        // Added the week before; run the week after (KELAS_NOW: the test does not depend on today's date).
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database],
                                environment: ["KELAS_NOW": "2021-06-28T09:00:00+07:00"])
        let after = ["KELAS_NOW": "2021-07-12T09:00:00+07:00"]
        let first = try KelasBinary.run(["run", "--once", "--database", database], environment: after)
        #expect(first.stdout == "each batch's sink (console if none): 0 sent, 0 to retry, 0 failed, 0 dead, 27 expired, 0 skipped\n",
                "\(first.stderr)")
        let id = "gresik-2021-07:d1:salam-pembuka"
        let retry = try KelasBinary.run(["outbox", "retry", id, "--database", database], environment: after)
        #expect(retry.stdout == "queued \(id) again; `kelas run` sends it\n")
        let out = directory.appendingPathComponent("out.jsonl").path
        let second = try KelasBinary.run(["run", "--once", "--sink", "jsonl:\(out)", "--database", database],
                                         environment: ["KELAS_NOW": "2021-07-12T09:01:00+07:00"])
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

@Suite("kelas run: each batch's sink, and stopping on a signal")
struct RunSinkAndSignalTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-run-\(UUID().uuidString)")

    /// The example batch with `edit` applied to its batch file, added to a fresh store; returns the store's path.
    func store(_ edit: (String) -> String) throws -> String {
        _ = try KelasBinary.run(["init", directory.path])
        let batch = directory.appendingPathComponent("batch.yaml")
        try Data(edit(try String(contentsOf: batch, encoding: .utf8)).utf8).write(to: batch)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        let added = try KelasBinary.run(["batch", "add", batch.path, "--database", database],
                                        environment: ["KELAS_NOW": "2021-06-28T09:00:00+07:00"])
        #expect(added.status == 0, "\(added.stderr)")
        return database
    }

    @Test("without --sink a batch goes to its file's delivery.sink (a jsonl path beside the file); a missing secret names the batch")
    func batchSink() throws {
        let database = try store { $0.replacingOccurrences(of: "mode: group", with: "mode: group\n  sink: jsonl:sent.jsonl") }
        let out = directory.appendingPathComponent("sent.jsonl").path
        let run = try KelasBinary.run(["run", "--once", "--now", "2021-07-05T07:30:00+07:00", "--database", database])
        #expect(run.stdout.hasPrefix("each batch's sink (console if none): 1 sent"), "\(run.stdout)\(run.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(#""item":"salam-pembuka""#))

        let batch = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: batch, encoding: .utf8)
            .replacingOccurrences(of: "sink: jsonl:sent.jsonl", with: "sink: webhook:https://gateway.example.org/kelas")
        try Data(text.utf8).write(to: batch)
        _ = try KelasBinary.run(["batch", "add", batch.path, "--database", database])
        let noSecret = try KelasBinary.run(["run", "--once", "--database", database])
        #expect(noSecret.status == 1)
        #expect(noSecret.stderr.contains("batch gresik-2021-07 (delivery.sink: webhook:https://gateway.example.org/kelas)"))
        #expect(noSecret.stderr.contains("KELAS_WEBHOOK_SECRET"))
        let badOption = try KelasBinary.run(["run", "--once", "--sink", "whatsapp-cloud:my-number", "--database", database])
        #expect(badOption.status != 0 && badOption.stderr.contains("needs the business phone number's id"))
    }

    @Test("SIGINT and SIGTERM stop a waiting run cleanly: exit 0, a summary, nothing left claimed", arguments: [SIGINT, SIGTERM])
    func stopsOnSignal(_ signal: Int32) throws {
        // The day before the batch starts (KELAS_NOW): the run sleeps until its first message, and is stopped while it waits.
        let database = try store { $0 }
        let run = try KelasBinary.interrupt(["run", "--database", database], when: "Ctrl-C or SIGTERM stops", with: signal,
                                            environment: ["KELAS_NOW": "2021-07-04T09:00:00+07:00"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("stopping: messages in flight finish"))
        #expect(run.stdout == "each batch's sink (console if none): 0 sent, 0 to retry, 0 failed, 0 dead, 0 expired, 0 skipped\n")
        let claimed = try KelasBinary.run(["outbox", "list", "--state", "claimed", "--database", database])
        #expect(claimed.stdout.contains("the outbox is empty"))
        let queued = try KelasBinary.run(["outbox", "list", "--state", "queued", "--database", database])
        #expect(queued.stdout.split(separator: "\n").count == 28)
    }
}
