import Foundation
import GRDB
import Testing
import KelasCore
@testable import KelasStore

/// WAHA and Evolution API webhook bodies (fixtures written by us from each project's documentation) through the same
/// decoder and ingest as the server's endpoints.
@Suite("Group gateways inbound")
struct GatewayIngestTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gateways")
    static let group = "120363012345678901@g.us"
    let base = StoreTests()

    func store() throws -> KelasDatabase {
        var (loaded, path) = try base.example()
        loaded.batch.delivery.group = Self.group
        let store = try base.database()
        _ = try store.addBatch(loaded, source: path, now: StoreTests.beforeStart)
        return store
    }

    func content(_ format: WebhookFormat) throws -> WebhookContent {
        let path = Self.fixtures.appendingPathComponent("\(format.rawValue).jsonl").path
        return try GatewayPayload.decode(try Data(contentsOf: URL(fileURLWithPath: path)), format: format, file: path)
    }

    @Test("decoded: text, voice note, a reply's quote, mentions, lid senders; our own messages skipped; acks per participant",
          arguments: [WebhookFormat.waha, .evolution])
    func decoded(_ format: WebhookFormat) throws {
        let content = try content(format)
        #expect(content.payloads == 12)
        #expect(content.messages.count == 8)   // 12 lines − our own message − 2 acks − 1 other event
        let first = try #require(content.messages.first)
        #expect(first.groupID == Self.group && first.phone == PhoneNumber(e164: "+6281234567110") && first.kind == .text && first.viaGateway)
        #expect(first.id == (format == .waha ? "3EB0AA01" : "BAE5AA01"))
        #expect(content.messages[1].kind == .voice && content.messages[1].text == nil)
        // The voice note's length, as each gateway gives it (WEBJS `_data.duration`, Baileys `audioMessage.seconds`).
        #expect(content.messages[1].seconds == (format == .waha ? 37 : 42))
        #expect(content.messages[0].seconds == nil)
        #expect(content.messages[2].quoting == (format == .waha ? "3EB0SENT01" : "BAE5SENT01"))
        #expect(content.messages[3].lid == "99887766@lid" && content.messages[3].phone == PhoneNumber(e164: "+6281234567113"))
        #expect(content.messages[4].lid == "99887766@lid" && content.messages[4].phone == nil)
        #expect(content.statuses.map(\.state) == [.read, .delivered])
        #expect(content.statuses.map(\.recipient) == ["+6281234567110", "+6281234567111"])
    }

    @Test("stored: a group's messages go to the batch naming it; lids learnt and used; a push name matches an alias; strangers listed",
          arguments: [WebhookFormat.waha, .evolution])
    func stored(_ format: WebhookFormat) throws {
        let store = try store()
        let summary = try store.ingest(try content(format), source: format.rawValue, now: ServerNow.now)
        #expect(summary.added["gresik-2021-07"] == 7, "\(summary.added)")
        // The stranger in the group, and the message of a group no batch names, are kept and listed.
        #expect(summary.unmatched.count == 2, "\(summary.unmatched)")
        #expect(summary.unmatched.keys.contains { $0.contains("Orang Lain") })
        #expect(summary.unmatched.keys.contains("+6281234567114"))
        let rows = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, batchID, phone FROM inboundMessage ORDER BY sentAt")
        }
        func phone(_ suffix: String) -> String? { rows.first { ($0["id"] as String).hasSuffix(suffix) }?["phone"] }
        #expect(phone("AA05") == "+6281234567113")   // the lid learnt from the message before
        #expect(phone("AA06") == "+6281234567114")   // "Eko Wahyudi": his name in the batch file
        #expect(phone("AA07") == nil)
        #expect(rows.first { ($0["id"] as String).hasSuffix("ZZ01") }?["batchID"] as String? == nil)
        #expect(try store.writer.read { db in try String.fetchOne(db, sql: "SELECT phone FROM lidMap WHERE lid = '99887766@lid'") }
                == "+6281234567113")
        // The statuses the tracker sees: six participants answered (the stranger counts for nobody).
        let status = try store.status(batchID: "gresik-2021-07", now: ServerNow.now)
        #expect(status.active == 5, "\(status.active)")
        // The trainer's page reads the voice note with its length.
        let answers = try store.latestAnswers(batchID: "gresik-2021-07", from: .distantPast, to: ServerNow.now)
        let budi = try #require(answers[PhoneNumber(e164: "+6281234567111")])
        #expect(budi.isVoice && budi.seconds == (format == .waha ? 37 : 42))
        // Ingesting the same bodies again adds nothing.
        let again = try store.ingest(try content(format), source: format.rawValue, now: ServerNow.now)
        #expect(again.added.values.reduce(0, +) == 0)
    }

    @Test("a body that is not the gateway's shape names the line and the field")
    func badBodies() {
        #expect(throws: ValidationFailure.self) { try GatewayPayload.decode(Data(#"{"hello":1}"#.utf8), format: .waha, file: "x.json") }
        do {
            _ = try GatewayPayload.decode(Data("""
                {"event":"message","payload":{"id":"a","from":"120363012345678901@g.us","participant":"6281@c.us","body":"x"}}
                {"event":"message","payload":{"id":"b","timestamp":"soon","from":"120363012345678901@g.us"}}
                """.utf8), format: .waha, file: "x.jsonl")
            Issue.record("must fail")
        } catch let failure as ValidationFailure {
            #expect(failure.diagnostics.first?.description.contains("x.jsonl:1:1: error: `payload.timestamp` is missing") == true,
                    "\(failure.diagnostics)")
        } catch {
            Issue.record("\(error)")
        }
    }
}

enum ServerNow {
    /// 2021-07-06 12:00 WIB: day 2 of the example batch, after the fixtures' messages.
    static let now = Date(timeIntervalSince1970: 1_625_547_600)
}
