import Foundation
import Testing
import KelasCore
import KelasStore
@testable import KelasDelivery

/// A stand-in Cloud API that keeps the 24-hour rule as WhatsApp does: free-form text to a number whose window is not
/// open is answered with error 131047; templates always go.
final class WindowedCloudAPI: @unchecked Sendable {
    private let lock = NSLock()
    private var openNumbers: Set<String>
    private(set) var server: TestHTTPServer?

    init(open: Set<String>) throws {
        openNumbers = open
        server = nil
        server = try TestHTTPServer { [unowned self] request, number in
            let body = (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]) ?? [:]
            let to = body["to"] as? String ?? ""
            if body["type"] as? String != "template" && !self.isOpen(to) {
                return .init(status: 400, headers: ["Content-Type": "application/json"], body: Data(#"""
                    {"error":{"message":"Re-engagement message","type":"OAuthException","code":131047,
                    "error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}}
                    """#.utf8))
            }
            return .init(status: 200, headers: ["Content-Type": "application/json"],
                         body: Data(#"{"messaging_product":"whatsapp","messages":[{"id":"wamid.W\#(number)"}]}"#.utf8))
        }
    }

    func isOpen(_ digits: String) -> Bool { lock.withLock { openNumbers.contains(digits) } }
    func open(_ digits: String) { lock.withLock { _ = openNumbers.insert(digits) } }
    var requests: [TestHTTPServer.Request] { server?.requests ?? [] }
    var port: UInt16 { server?.port ?? 0 }
    func stop() { server?.stop() }
}

@Suite("Cloud API templates and the 24-hour window, decided at send time on a virtual clock")
struct TemplateWindowTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-window-\(UUID().uuidString)")
    static let batchID = "gresik-2021-07"
    /// 2021-07-05 (day 1) at a WIB time.
    static func day1(_ hour: Int, _ minute: Int = 0) -> Date {
        Date(timeIntervalSince1970: 1_625_418_000 + Double(hour * 3600 + minute * 60))
    }
    static let ahmad = PhoneNumber(e164: "+6281234567110")
    static let budi = PhoneNumber(e164: "+6281234567111")
    static let cahyo = PhoneNumber(e164: "+6281234567112")

    /// Day 1: a greeting with its own template, then a discussion and a note without one (the batch's re-engagement
    /// template stands in for them).
    static let curriculum = """
    id: window-test
    title: { id: "Uji jendela 24 jam" }
    languages: [id]
    sessions:
      - { number: 1, title: { id: "Sesi 1" } }
    days:
      - day: 1
        items:
          - id: salam
            at: "08:00"
            kind: text
            text: "Selamat pagi {{name}}, hari ini sesi 1."
            template: { name: kelas_salam, language: id, params: ["{{name}}", "{{date}}"] }
          - id: diskusi-1
            at: "09:00"
            kind: discussion
            session: 1
            text: "Apa arti gender menurut Bapak?"
          - id: catatan
            at: "10:00"
            kind: text
            text: "Terima kasih atas jawaban Bapak."
    """

    func store(api: String) throws -> (KelasDatabase, LoadedBatch) {
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        try Data(Self.curriculum.utf8).write(to: directory.appendingPathComponent("window.yaml"))
        let batchFile = directory.appendingPathComponent("batch.yaml")
        let text = try String(contentsOf: batchFile, encoding: .utf8)
            .replacingOccurrences(of: "curriculum: curriculum.yaml", with: "curriculum: window.yaml")
            .replacingOccurrences(of: "mode: group", with: """
                mode: fanout
                  sink: whatsapp-cloud:106540352242922
                  api: \(api)
                  template: { name: kelas_sapa, language: id, params: ["{{name}}", "{{batch}}"] }
                """)
        try Data(text.utf8).write(to: batchFile)
        let loaded = try BatchFile.load(path: batchFile.path)
        let store = try KelasDatabase(path: directory.appendingPathComponent("kelas.sqlite").path)
        _ = try store.addBatch(loaded, source: batchFile.path, now: Self.day1(6))
        return (store, loaded)
    }

    func wrote(_ store: KelasDatabase, _ phone: PhoneNumber, _ id: String, at: Date) throws {
        _ = try store.ingest(batchID: Self.batchID, source: "test", now: at) { insert in
            try insert(InboundMessage(id: id, phone: phone, author: phone.e164, sentAt: at, kind: .text, text: "Siap"))
        }
    }

    @Test("open → free-form, closed → the item's template, a 131047 retried as the template, the re-engagement template knocks once and the rest waits for the reply")
    func sendTime() async throws {
        // WhatsApp's truth: only Ahmad's window is open. Kelas's store also believes Cahyo wrote (to another number).
        let api = try WindowedCloudAPI(open: [String(Self.ahmad.digits)])
        defer { api.stop() }
        let (store, _) = try store(api: "http://127.0.0.1:\(api.port)/v21.0")
        try wrote(store, Self.ahmad, "wamid.A0", at: Self.day1(7, 30))
        try wrote(store, Self.cahyo, "wamid.C0", at: Self.day1(7, 45))
        try wrote(store, Self.budi, "wamid.B0", at: Self.day1(7) - 2 * 86_400) // two days ago: closed

        let sinks = SinkResolver(fallback: nil) { try $0.makeSink(environment: ["KELAS_WHATSAPP_TOKEN": "t"]) }
        let dispatcher = Dispatcher(store: store, sinks: sinks, inFlight: 16)
        let morning = try await dispatcher.run(clock: VirtualClock(Self.day1(7)), until: Self.day1(9, 20))
        #expect(morning.failed == 0 && morning.dead == 0)

        func bodies(to phone: PhoneNumber) throws -> [[String: Any]] {
            try api.requests.compactMap { try JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
                .filter { $0["to"] as? String == String(phone.digits) }
        }
        // 08:00, the greeting: Ahmad free-form; Budi as the item's template with its parameters; Cahyo free-form first
        // (the store thought his window open), answered 131047, then at once as the template.
        let ahmad = try bodies(to: Self.ahmad)
        #expect(ahmad.map { $0["type"] as? String } == ["text", "text"])
        let budi = try bodies(to: Self.budi)
        let greeting = try #require(budi.first)
        #expect(greeting["type"] as? String == "template")
        let template = try #require(greeting["template"] as? [String: Any])
        #expect(template["name"] as? String == "kelas_salam")
        #expect((template["language"] as? [String: Any])?["code"] as? String == "id")
        let parameters = ((template["components"] as? [[String: Any]])?.first?["parameters"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        #expect(parameters == ["Budi Santoso", "Senin, 5 Juli 2021"])
        let cahyo = try bodies(to: Self.cahyo)
        #expect(cahyo.prefix(2).map { $0["type"] as? String } == ["text", "template"])
        let cahyoGreeting = try #require(try store.outbox(messageID: "\(Self.batchID):d1:salam:\(Self.cahyo.digits)").first)
        #expect(cahyoGreeting.state == .sent && cahyoGreeting.attempts == 2)
        #expect(try store.attempts(messageID: cahyoGreeting.message.id).first?.error?.contains("sent again as template kelas_salam") == true)
        #expect(try store.conversationWindow(phone: Self.cahyo, now: Self.day1(9)).closedAt != nil)

        // 09:00, the discussion has no template: everyone but Ahmad gets the re-engagement template — once, though the
        // discussion waits and is looked at again every 10 minutes — and the discussion waits, saying why.
        let knocks = try store.outbox().filter { $0.message.itemKey == KelasDatabase.reengagementItem }
        #expect(knocks.count == 23 && knocks.allSatisfy { $0.state == .sent })
        #expect(!knocks.contains { $0.message.audience == .participant(Self.ahmad) })
        #expect(budi.dropFirst().first.flatMap { ($0["template"] as? [String: Any])?["name"] as? String } == "kelas_sapa")
        let waiting = try #require(try store.outbox(messageID: "\(Self.batchID):d1:diskusi-1:\(Self.budi.digits)").first)
        #expect(waiting.state == .queued && waiting.attempts == 0)
        #expect(waiting.lastError?.contains("waiting for a reply to the re-engagement template kelas_sapa") == true)
        #expect(morning.waiting > 0)

        // Budi answers at 09:30 (his window opens, at WhatsApp too): his discussion and the 10:00 note go free-form.
        try wrote(store, Self.budi, "wamid.B1", at: Self.day1(9, 30))
        api.open(String(Self.budi.digits))
        let day = try await dispatcher.run(clock: VirtualClock(Self.day1(9, 30)), until: Self.day1(22))
        #expect(day.failed == 0 && day.dead == 0)
        let budiAfter = try bodies(to: Self.budi).dropFirst(2)
        #expect(budiAfter.map { $0["type"] as? String } == ["text", "text"])
        #expect(budiAfter.first.flatMap { ($0["text"] as? [String: Any])?["body"] as? String }?.contains("Apa arti gender") == true)
        let budiDiscussion = try #require(try store.outbox(messageID: "\(Self.batchID):d1:diskusi-1:\(Self.budi.digits)").first)
        #expect(budiDiscussion.state == .sent)
        let sentAt = try #require(budiDiscussion.sentAt)
        #expect(sentAt >= Self.day1(9, 30) && sentAt <= Self.day1(9, 41))
        // Those who never answered: their discussion and note expire at the window's end, the reason kept; no second knock.
        let dedi = try store.outbox(messageID: "\(Self.batchID):d1:diskusi-1:6281234567113").first
        #expect(dedi?.state == .expired && dedi?.lastError?.contains("re-engagement") == true)
        #expect(try store.outbox().count { $0.message.itemKey == KelasDatabase.reengagementItem } == 23)
    }

    @Test("the plan shows which way each fan-out message would go given the windows known now")
    func planRoutes() throws {
        let (store, loaded) = try store(api: "http://127.0.0.1:1/v21.0")
        try wrote(store, Self.ahmad, "wamid.A0", at: Self.day1(7, 30))
        let windows = try store.conversationWindows(batchID: Self.batchID, now: Self.day1(7, 50))
        #expect(windows.keys.sorted { $0.e164 < $1.e164 } == [Self.ahmad])
        var planner = Planner(batch: loaded.batch, curriculum: loaded.curriculum)
        planner.lastInbound = windows.compactMapValues(\.lastInbound)
        let plan = planner.plan(day: 1)
        func flags(_ item: String, _ phone: PhoneNumber) -> [PlanFlag] {
            plan.first { $0.itemKey == item && $0.audience == .participant(phone) }?.flags ?? [.conditional]
        }
        #expect(!flags("salam", Self.ahmad).contains(.template) && !flags("diskusi-1", Self.ahmad).contains(.reengage))
        #expect(flags("salam", Self.budi).contains(.template))
        #expect(flags("diskusi-1", Self.budi).contains(.reengage))
        let greeting = try #require(plan.first { $0.itemKey == "salam" && $0.audience == .participant(Self.budi) })
        #expect(greeting.template == PlannedTemplate(name: "kelas_salam", language: "id", parameters: ["Budi Santoso", "Senin, 5 Juli 2021"]))
        let text = PlanRenderer(batch: loaded.batch, day: 1, messages: plan).table()
        // Ahmad's three go free-form; the others' greeting as its template, their other two behind the re-engagement one.
        #expect(text.contains("72 messages · 3 free-form (window open) · 23 as their item's template · 46 wait behind the re-engagement template"))
        // Stored with the plan: the dispatcher reads the template back.
        let stored = try #require(try store.outbox(messageID: "\(Self.batchID):d1:diskusi-1:\(Self.budi.digits)").first)
        #expect(stored.message.template == PlannedTemplate(name: "kelas_sapa", language: "id",
                                                           parameters: ["Budi Santoso", "Pelatihan Adil Gender — Gresik angkatan 7"],
                                                           reengagement: true))
    }
}
