import Foundation
import Testing

@Suite("kelas simulate")
struct SimulateCommandTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-simulate-\(UUID().uuidString)")

    func path(_ name: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test("the example batch with a seed: a summary, the real report, and the same export for the same seed")
    func exampleWeek() throws {
        let first = try path("a.txt"), second = try path("b.txt"), page = try path("week.html")
        let run = try KelasBinary.run(["simulate", "--seed", "7", "--report", "--export-chat", first, "--html", page, "--transcript"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("simulated gresik-2021-07: 24 participants, seed 7 (replay with --seed 7)\n"))
        #expect(run.stdout.contains("BATCH") && run.stdout.contains("percentages are of registered participants (24 in 1 batch)"))
        #expect(run.stdout.contains("── Senin, 5 Juli 2021 ──") && run.stdout.contains("🎤 "))
        _ = try KelasBinary.run(["simulate", "--seed", "7", "--export-chat", second])
        let exported = try String(contentsOfFile: first, encoding: .utf8)
        #expect(exported == (try String(contentsOfFile: second, encoding: .utf8)))
        #expect(exported.contains("(file terlampir)") && exported.hasPrefix("05/07/21 06.30 - Pesan dan panggilan"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>") && html.contains("class=\"voice\"") && html.contains("Completion summary"))

        // The export reads back with `kelas ingest chat`, every author matched.
        let database = try path("kelas.sqlite")
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        let ingest = try KelasBinary.run(["ingest", "chat", first, "--batch", "gresik-2021-07", "--database", database])
        #expect(ingest.status == 0 && !ingest.stdout.contains("unmatched"), "\(ingest.stdout)\(ingest.stderr)")
    }

    @Test("a simulation refuses to mix into a store that has the batch; a bad scenario names its line")
    func errors() throws {
        let database = try path("real.sqlite")
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        let mixed = try KelasBinary.run(["simulate", "--seed", "1", "--database", database])
        #expect(mixed.status == 1 && mixed.stderr.contains("already in \(database)"))
        let scenario = try path("bad.yaml")
        try Data("participants:\n  answer: often\n".utf8).write(to: URL(fileURLWithPath: scenario))
        let bad = try KelasBinary.run(["simulate", "--seed", "1", "--scenario", scenario])
        #expect(bad.status == 1 && bad.stderr.contains("\(scenario):2:") && bad.stderr.contains("`answer` is a probability"))
        let both = try KelasBinary.run(["simulate", "--preset", "programme", "--transcript"])
        #expect(both.status != 0 && both.stderr.contains("work on one batch"))
    }

    @Test("the programme preset prints its totals beside the reported figures")
    func programme() throws {
        let run = try KelasBinary.run(["simulate", "--preset", "programme", "--seed", "1", "--report"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("77 batches, 2029 participants"))
        #expect(run.stdout.contains("reported by the programme: agree 87.4%, champions 50.6%"))
        #expect(run.stdout.contains("DISTRICT") && run.stdout.contains("Bangkalan") && run.stdout.contains("PWD"))
    }

    @Test("live mode: the week through the dispatcher and a jsonl sink, a line per day, and the report of the offline run")
    func live() throws {
        let sent = try path("sent.jsonl"), database = try path("live.sqlite")
        let run = try KelasBinary.run(["simulate", "--seed", "7", "--webhook", "--speed", "max", "--sink", "jsonl:\(sent)",
                                       "--database", database, "--report"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("live: gresik-2021-07 through jsonl:\(sent) without waiting; Ctrl-C stops\n"))
        let days = run.stderr.split(separator: "\n").filter { $0.hasPrefix("day ") }
        #expect(days.count == 7 && days[0].hasPrefix("day 1 (2021-07-05): ") && days[6].hasPrefix("day 7 (2021-07-11): "))
        #expect(run.stdout.contains("the store's statuses match the simulation's for all 24 participants"))

        // Every message the dispatcher sent is a line of the sink and a `sent` row of the outbox.
        let lines = try String(contentsOfFile: sent, encoding: .utf8).split(separator: "\n")
        let outbox = try KelasBinary.run(["outbox", "list", "--state", "sent", "--database", database])
        #expect(lines.count > 20 && outbox.stdout.split(separator: "\n").count == lines.count + 1)
        #expect(run.stdout.contains("live through jsonl:\(sent): \(lines.count) sent, 0 to retry, 0 failed"))

        // The report is the one the offline simulation of the same seed prints: same week, same statuses.
        let offline = try KelasBinary.run(["simulate", "--seed", "7", "--report"])
        func report(_ text: String) -> Substring? { text.range(of: "BATCH").map { text[$0.lowerBound...] } }
        #expect(report(run.stdout) != nil && report(run.stdout) == report(offline.stdout))
    }

    @Test("live mode refuses WhatsApp, a bad speed, and live options without --webhook, each with the fix")
    func liveErrors() throws {
        let cloud = try KelasBinary.run(["simulate", "--webhook", "--sink", "whatsapp-cloud:106540352242922"])
        #expect(cloud.status != 0 && cloud.stderr.contains("does not go to WhatsApp") && cloud.stderr.contains("use console, jsonl:FILE or webhook:URL"))
        let speed = try KelasBinary.run(["simulate", "--webhook", "--speed", "fast"])
        #expect(speed.status != 0 && speed.stderr.contains("--speed fast: give virtual seconds per real second"))
        let alone = try KelasBinary.run(["simulate", "--speed", "max"])
        #expect(alone.status != 0 && alone.stderr.contains("add --webhook"))
        let secret = try KelasBinary.run(["simulate", "--webhook", "--sink", "webhook:http://127.0.0.1:9/kelas"])
        #expect(secret.status == 1 && secret.stderr.contains("set KELAS_WEBHOOK_SECRET"))
    }

    @Test("live mode stops on SIGINT: exit 0, what was sent stays in the store", .timeLimit(.minutes(1)))
    func liveStops() throws {
        let database = try path("stopped.sqlite")
        // A week in about a week: the run is surely still on day 1 when the signal comes.
        let run = try KelasBinary.interrupt(["simulate", "--seed", "7", "--webhook", "--speed", "1", "--database", database],
                                            when: "Ctrl-C stops", with: SIGINT)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("stopping: what was sent and fed back stays in the store"))
        #expect(run.stdout.contains("stopped on day 1: the store holds the week up to then"))
        let status = try KelasBinary.run(["batch", "list", "--database", database])
        #expect(status.stdout.contains("gresik-2021-07"))
    }
}

/// `scripts/standin-gateway.py`, started for a test and stopped after it.
final class StandInGateway {
    let process = Process()
    let port: Int

    init(log: String, disconnected: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", KelasBinary.root.appendingPathComponent("scripts/standin-gateway.py").path, "--port", "0",
                             "--api-key", "standin", "--log", log] + (disconnected ? ["--disconnected"] : [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Its first line names the port it listens on (read, not waited for on a timer).
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let port = text.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            kill(process.processIdentifier, SIGKILL)
            throw StandInError(output: text)
        }
        self.port = port
    }

    /// SIGKILL: it cannot be blocked, so a signal mask the test runner hands down cannot keep the gateway alive.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct StandInError: Error { var output: String }
}

@Suite("kelas simulate through a stand-in gateway")
struct SimulateGatewayTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-standin-\(UUID().uuidString)")

    @Test("--webhook --sink waha:http://127.0.0.1:PORT plays the week against scripts/standin-gateway.py: the loop rehearsed")
    func waha() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("standin.jsonl").path
        let gateway = try StandInGateway(log: log)
        defer { gateway.stop() }
        let database = directory.appendingPathComponent("rehearsal.sqlite").path
        let run = try KelasBinary.run(["simulate", "--webhook", "--speed", "max", "--seed", "7", "--database", database,
                                       "--sink", "waha:http://127.0.0.1:\(gateway.port)"], environment: ["KELAS_WAHA_API_KEY": "standin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("live through waha:http://127.0.0.1:\(gateway.port): 27 sent, 0 to retry, 0 failed"))
        #expect(run.stdout.contains("the store's statuses match the simulation's for all 24 participants"))
        #expect(run.stdout.contains("waha payloads from the group") && run.stdout.contains("read receipts"))
        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(requests.count == 27)
        #expect(requests.contains { $0.contains("\"path\": \"/api/sendFile\"") })
        // The store shows who read what: `kelas outbox show` of the first post.
        let list = try KelasBinary.run(["outbox", "list", "--database", database])
        let id = try #require(list.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .first { $0.hasPrefix("gresik-2021-07:d1:") })
        let show = try KelasBinary.run(["outbox", "show", id, "--database", database])
        #expect(show.stdout.contains("receipts: delivered to 24, read by"), "\(show.stdout)")

        // A wrong key is the gateway's 401, failed with the variable to set.
        let wrong = try KelasBinary.run(["simulate", "--webhook", "--speed", "max", "--seed", "7",
                                         "--sink", "waha:http://127.0.0.1:\(gateway.port)"], environment: ["KELAS_WAHA_API_KEY": "nope"])
        #expect(wrong.stdout.contains("0 sent") && wrong.stdout.contains("27 failed"), "\(wrong.stdout)")
    }

    @Test("a gateway elsewhere is refused: a simulation never posts to a real group")
    func refusesRealGateway() throws {
        let run = try KelasBinary.run(["simulate", "--webhook", "--sink", "waha:https://waha.example.org"])
        #expect(run.status != 0 && run.stderr.contains("a stand-in gateway on this machine"))
    }
}
