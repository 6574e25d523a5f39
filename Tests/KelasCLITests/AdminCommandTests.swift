import Foundation
import KelasCore
import KelasStore
import Testing

@Suite("kelas inbox and kelas backup")
struct AdminCommandTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-admin-\(UUID().uuidString)")

    func freshStore() throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        let added = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        #expect(added.status == 0, "\(added.stderr)")
        return database
    }

    static let answer = Data("""
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[\
        {"from":"6281234567111","id":"wamid.INBOX1","timestamp":"1625537400","type":"text","text":{"body":"jawaban"}}]}}]}]}
        """.utf8)

    @Test("inbox list, show and retry: a payload an older Kelas could not read is applied on retry; an unreadable one stays put aside")
    func inbox() throws {
        let database = try freshStore()
        let store = try KelasDatabase(path: database)
        let now = Date(timeIntervalSince1970: 1_625_540_400)
        try store.enqueueWebhook(endpoint: "whatsapp", deliveryID: nil, body: Self.answer, receivedAt: now)
        try store.enqueueWebhook(endpoint: "whatsapp", deliveryID: nil, body: Data(#"{"entry": 7}"#.utf8), receivedAt: now)
        // As an older Kelas did: neither could be read, so both were quarantined.
        let summary = try store.applyInbox(now: now) { _, _ in throw ValidationFailure([]) }
        #expect(summary.quarantined == 2)

        let list = try KelasBinary.run(["inbox", "list", "--database", database])
        #expect(list.status == 0 && list.stdout.contains("quarantined") && list.stdout.contains("cannot be read"), "\(list.stdout)")
        let show = try KelasBinary.run(["inbox", "show", "1", "--database", database])
        #expect(show.stdout.contains("#1 quarantined (POST /webhooks/whatsapp)") && show.stdout.contains("wamid.INBOX1"), "\(show.stdout)")
        let missing = try KelasBinary.run(["inbox", "show", "99", "--database", database])
        #expect(missing.status == 1 && missing.stderr.contains("no payload #99"))

        let retried = try KelasBinary.run(["inbox", "retry", "--all", "--database", database])
        #expect(retried.status == 1, "one stays unreadable")
        #expect(retried.stdout.contains("retried 2 payloads: 1 applied, 1 quarantined again"), "\(retried.stdout)\(retried.stderr)")
        let status = try KelasBinary.run(["status", "gresik-2021-07", "--database", database])
        #expect(status.stdout.contains("active 1"), "\(status.stdout)")
        let after = try KelasBinary.run(["inbox", "list", "--database", database])
        #expect(after.stdout.contains("`entry`") || after.stdout.contains("entry"))
        #expect(!after.stdout.contains("\n1 "), "the applied one left the list")
        let usage = try KelasBinary.run(["inbox", "retry", "--database", database])
        #expect(usage.status != 0 && usage.stderr.contains("--all"))
    }

    @Test("backup writes a copy that opens as a store; an existing file needs --force")
    func backup() throws {
        let database = try freshStore()
        let copy = directory.appendingPathComponent("copy.sqlite").path
        let first = try KelasBinary.run(["backup", copy, "--database", database])
        #expect(first.status == 0 && first.stdout.contains("1 batches") && first.stdout.contains("integrity ok"), "\(first.stderr)")
        let again = try KelasBinary.run(["backup", copy, "--database", database])
        #expect(again.status == 1 && again.stderr.contains("--force"))
        #expect(try KelasBinary.run(["backup", copy, "--force", "--database", database]).status == 0)
        let list = try KelasBinary.run(["batch", "list", "--database", copy])
        #expect(list.stdout.contains("gresik-2021-07"))
    }
}

@Suite("kelas access")
struct AccessCommandTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-access-\(UUID().uuidString)")

    @Test("add prints a one-time link (only its hash stored), list shows it, revoke ends it; an unknown trainer is named with the known ones")
    func lifecycle() throws {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: false)
        let database = directory.appendingPathComponent("kelas.sqlite").path
        #expect(try KelasBinary.run(["batch", "add", directory.appendingPathComponent("batch.yaml").path, "--database", database]).status == 0)
        let added = try KelasBinary.run(["access", "add", "trainer", "0812-3456-7001", "--url", "https://kelas.example.org/", "--database", database])
        #expect(added.status == 0, "\(added.stderr)")
        let link = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        #expect(link.hasPrefix("https://kelas.example.org/signin/") && link.count > 70)
        let secret = String(link.split(separator: "/").last ?? "")
        let stored = try Data(contentsOf: URL(fileURLWithPath: database))
        #expect(stored.range(of: Data(secret.utf8)) == nil)
        let list = try KelasBinary.run(["access", "list", "--database", database])
        #expect(list.stdout.contains("Iva Hasanah") && list.stdout.contains("unused") && !list.stdout.contains("+6281234567001"))
        let revoked = try KelasBinary.run(["access", "revoke", "+6281234567001", "--database", database])
        #expect(revoked.status == 0 && revoked.stdout.contains("revoked 1 access"))
        let unknown = try KelasBinary.run(["access", "add", "trainer", "+6281234567110", "--database", database])
        #expect(unknown.status == 1 && unknown.stderr.contains("no trainer +6281234567110") && unknown.stderr.contains("Iva Hasanah"))
        let admin = try KelasBinary.run(["access", "add", "admin", "+6281234567003", "--database", database])
        #expect(admin.status != 0 && admin.stderr.contains("admins sign in with KELAS_ADMIN_TOKEN"))
    }
}
