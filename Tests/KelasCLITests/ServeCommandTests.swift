import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("kelas serve")
struct ServeCommandTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-serve-cli-\(UUID().uuidString)")

    @Test("serves on a free port, takes a signed webhook into the store, and exits 0 on SIGTERM with it applied", .timeLimit(.minutes(1)))
    func serveAndDrain() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        // Waits (on the pipe, not a timer) for the banner with the port.
        var (process, err, stderr) = try Self.start(["serve", "--port", "0", "--no-dispatch", "--database", database], environment: [
            "KELAS_ADMIN_TOKEN": "cli-admin", "KELAS_WHATSAPP_APP_SECRET": "cli-secret", "KELAS_NOW": KelasBinary.fixedNow])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let port = try #require(stderr.range(of: "http://127.0.0.1:").map { stderr[$0.upperBound...].prefix { $0.isNumber } })
        let base = "http://127.0.0.1:\(port)"

        let health = try await URLSession.shared.data(from: try #require(URL(string: base + "/healthz")))
        #expect(String(decoding: health.0, as: UTF8.self) == "ok\n")
        let body = Data("""
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[\
        {"from":"6281234567111","id":"wamid.CLI1","timestamp":"1625537400","type":"text","text":{"body":"jawaban"}}]}}]}]}
        """.utf8)
        var request = URLRequest(url: try #require(URL(string: base + "/webhooks/whatsapp")))
        request.httpMethod = "POST"
        request.httpBody = body
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data("cli-secret".utf8)))
        request.setValue("sha256=" + mac.map { String(format: "%02x", $0) }.joined(), forHTTPHeaderField: "X-Hub-Signature-256")
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)

        kill(process.processIdentifier, SIGTERM)
        stderr += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("kelas serve: stopped"))
        let status = try KelasBinary.run(["status", "gresik-2021-07", "--database", database])
        #expect(status.stdout.contains("Budi Santoso"))
        let report = try KelasBinary.run(["report", "--format", "csv", "--database", database])
        #expect(report.stdout.contains("gresik-2021-07,1,24,1,"), "\(report.stdout)")
    }

    /// Starts `kelas serve` and waits (on its standard error, not a timer) for the banner; returns the process, the
    /// pipe and what it printed so far.
    static func start(_ arguments: [String], environment: [String: String]) throws -> (Process, Pipe, String) {
        let process = Process()
        process.executableURL = KelasBinary.url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        var stderr = ""
        while !stderr.contains("SIGTERM or Ctrl-C stops") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            stderr += String(decoding: chunk, as: UTF8.self)
        }
        return (process, err, stderr)
    }

    @Test("a batch added while kelas serve runs goes to its own delivery.sink; one naming none is held with the reason, not printed",
          .timeLimit(.minutes(1)))
    func batchAddedWhileServing() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        // The server's clock starts two seconds before the first greeting is due (KELAS_NOW), on an empty store.
        let (process, err, banner) = try Self.start(["serve", "--port", "0", "--poll", "0.2", "--database", database],
                                                    environment: ["KELAS_NOW": "2021-07-05T07:29:58+07:00", "KELAS_ADMIN_TOKEN": "t"])
        #expect(banner.contains("sending through each batch's sink"), "\(banner)")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let before = ["KELAS_NOW": "2021-07-05T07:00:00+07:00"]
        for (id, sink) in [("with-sink", "\n  sink: jsonl:out.jsonl"), ("no-sink", "")] {
            let folder = directory.appendingPathComponent(id)
            _ = try KelasBinary.run(["init", folder.path])
            let file = folder.appendingPathComponent("batch.yaml")
            let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "id: gresik-2021-07", with: "id: \(id)")
                .replacingOccurrences(of: "mode: group", with: "mode: group" + sink)
            try Data(text.utf8).write(to: file)
            let added = try KelasBinary.run(["batch", "add", file.path, "--database", database], environment: before)
            #expect(added.status == 0, "\(added.stderr)")
        }
        // Wait for the outcome (bounded by the time limit): the greeting in the batch's own file, the other one held.
        let out = directory.appendingPathComponent("with-sink/out.jsonl").path
        var held = ""
        while !(FileManager.default.fileExists(atPath: out) && held.contains("held")) {
            try await Task.sleep(nanoseconds: 100_000_000)
            held = try KelasBinary.run(["outbox", "list", "--batch", "no-sink", "--database", database]).stdout
        }
        kill(process.processIdentifier, SIGTERM)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("\"id\":\"msg_with-sink:d1:salam-pembuka\""))
        #expect(held.contains("no-sink:d1:salam-pembuka") && held.contains("names no delivery.sink"), "\(held)")
        let show = try KelasBinary.run(["outbox", "show", "no-sink:d1:salam-pembuka", "--database", database])
        #expect(show.stdout.contains("(held)") && !show.stdout.contains("#1 "), "\(show.stdout)")
    }
}
