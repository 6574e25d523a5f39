import Foundation
import Testing
@testable import KelasCore

/// Files written to hurt: they are refused with a located error, quickly and in little memory.
@Suite("Hostile input")
struct HostileInputTests {
    /// A few hundred bytes of nested anchors that name 9^9 (387 million) values.
    static let aliasBomb: String = {
        var lines = [#"a: &a ["x","x","x","x","x","x","x","x","x"]"#]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
            previous = name
        }
        return (["id: bomb"] + lines).joined(separator: "\n") + "\n"
    }()

    @Test("a YAML alias bomb is refused at its place with the budget, before it takes the memory",
          arguments: ["batch.yaml", "curriculum.yaml"])
    func aliasBomb(_ name: String) throws {
        #expect(Self.aliasBomb.utf8.count < 600)
        let workspace = try Workspace()
        try workspace.write(name, Self.aliasBomb)
        let errors = workspace.validate([name]).errors(containing: "expands to more than")
        #expect(errors.count == 1)
        #expect(errors.first?.location.file.hasSuffix(name) == true && (errors.first?.location.line ?? 0) > 1)
        #expect(errors.first?.message.contains("\(YAMLDocument.nodeBudget(for: Self.aliasBomb))") == true)
    }

    @Test("a scenario file bomb is refused the same way")
    func scenarioBomb() throws {
        let workspace = try Workspace()
        try workspace.write("what-if.yaml", Self.aliasBomb)
        do {
            _ = try ScenarioFile.load(path: workspace.path("what-if.yaml"))
            Issue.record("the bomb was read")
        } catch {
            #expect(error.diagnostics.contains { $0.message.contains("expands to more than") })
        }
    }

    @Test("anchors and aliases within reason still work")
    func modestAliases() throws {
        let loaded = try loadExample { workspace in
            try workspace.edit("batch.yaml", replacing: "name: Pelatihan", with: "name: &title Pelatihan")
            try workspace.edit("batch.yaml", replacing: "programme: WEE", with: "programme: *title")
        }
        #expect(loaded.batch.programme == loaded.batch.name)
    }

    @Test("a file over its cap is refused before it is read, and the error says the cap", arguments: [
        ("batch.yaml", FileLimits.yaml), ("participants.csv", FileLimits.csv),
    ])
    func sizeCap(_ name: String, _ cap: Int) throws {
        let workspace = try Workspace()
        try Data(repeating: UInt8(ascii: "#"), count: cap + 1).write(to: URL(fileURLWithPath: workspace.path(name)))
        let errors = workspace.validate([name]).errors(containing: "larger than \(FileLimits.describe(cap))")
        #expect(errors.count == 1, "\(workspace.validate([name]).diagnostics)")
    }

    @Test("the payload reader stops at its cap, from a file or a stream")
    func payloadCap() throws {
        let workspace = try Workspace()
        try Data(repeating: UInt8(ascii: " "), count: 4096).write(to: URL(fileURLWithPath: workspace.path("p.json")))
        #expect(try FileLimits.read(workspace.path("p.json"), limit: 4096).count == 4096)
        #expect(throws: FileLimits.Failure.self) { try FileLimits.read(workspace.path("p.json"), limit: 4095) }
        #expect(throws: FileLimits.Failure.self) { try FileLimits.read(workspace.path("nothing.json"), limit: 10) }
    }

    @Test("a webhook timestamp outside 2000–2100 is refused at its field (a huge one overflowed the calendar arithmetic)",
          arguments: ["1e300", "-5", "nan", "99999999999"])
    func timestamps(_ stamp: String) {
        let body = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"6281234567111","id":"w1","timestamp":"\#(stamp)","type":"text","text":{"body":"x"}}]}}]}]}"#
        do {
            _ = try WebhookPayload.decode(Data(body.utf8), file: "p.json")
            Issue.record("\(stamp) was read as a time")
        } catch {
            #expect("\(error)".contains("not Unix seconds between 2000 and 2100"), "\(error)")
        }
    }
}
