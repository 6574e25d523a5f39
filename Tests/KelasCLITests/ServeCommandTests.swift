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
        let process = Process()
        process.executableURL = KelasBinary.url
        process.arguments = ["serve", "--port", "0", "--no-dispatch", "--database", database]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["KELAS_ADMIN_TOKEN": "cli-admin", "KELAS_WHATSAPP_APP_SECRET": "cli-secret"]) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        // Wait (on the pipe, not a timer) for the banner with the port.
        var stderr = ""
        while !stderr.contains("SIGTERM or Ctrl-C stops") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            stderr += String(decoding: chunk, as: UTF8.self)
        }
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
}
