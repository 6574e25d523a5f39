import Foundation
import Hummingbird
import KelasCore
import KelasStore

/// `/today`: a trainer's day on a phone — for each of their batches running today, what went out and what is still
/// to go, the open discussion with each answer, who to call (tap-to-call, full numbers of their own participants), and
/// the marks (phoned, discussed, excused) with a note, undoable. Admins see every batch, numbers masked.
struct TodayRoutes: Sendable {
    let routes: DashboardRoutes
    var server: KelasServer { routes.server }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/today") { request, _ in try await server.offload { try page(request) } }
        router.post("/today/mark") { request, _ in try await mark(request, undo: false) }
        router.post("/today/undo") { request, _ in try await mark(request, undo: true) }
        router.post("/today/upload") { request, _ in try await upload(request) }
    }

    /// The batches a principal may see and mark.
    func batches(for principal: Principal) throws -> [StoredBatch] {
        let all = try server.store.batches()
        guard principal.role == .trainer else { return all }
        guard let phone = principal.phone else { return [] }
        let own = try server.store.batchIDs(trainer: phone)
        return all.filter { own.contains($0.id) }
    }

    /// `id` when it names a batch the principal may see and mark.
    func ownBatch(_ id: String?, _ principal: Principal) throws -> String? {
        guard let id, try batches(for: principal).contains(where: { $0.id == id }) else { return nil }
        return id
    }

    func page(_ request: Request) throws -> Response {
        let t = DashboardRoutes.localizer(request)
        guard let principal = try routes.principal(request) else { return Response(status: .seeOther, headers: [.location: "/login"]) }
        let now = server.configuration.now()
        var body = "<h1>\(Dashboard.escape(t("today.title")))</h1><p class=\"muted\">\(Dashboard.escape(t("today.signedIn", ["name": principal.name])))"
        if !principal.sessionHash.isEmpty {
            body += " · <form class=\"inline\" method=\"post\" action=\"/logout\">\(csrfField(principal))<button class=\"link\">\(Dashboard.escape(t("today.signOut")))</button></form>"
        }
        body += "</p>"
        var shown = 0
        for stored in try batches(for: principal) {
            let today = KelasTimeZone.localDate(now, in: stored.timeZone)
            guard stored.runs(on: today) else { continue }
            body += try section(stored, today: today, now: now, principal: principal, t)
            shown += 1
        }
        if shown == 0 { body += "<p>\(Dashboard.escape(t("today.none")))</p>" }
        return try routes.html(Dashboard.page(t("today.title"), body, t, admin: principal.role == .admin), request)
    }

    func csrfField(_ principal: Principal) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(Dashboard.escape(principal.csrf))\">"
    }

    /// One batch's day.
    func section(_ stored: StoredBatch, today: LocalDate, now: Date, principal: Principal, _ t: Localizer) throws -> String {
        let store = server.store
        let e = Dashboard.escape
        let fullNumbers = principal.role == .trainer
        func number(_ phone: PhoneNumber) -> String {
            fullNumbers ? "<a class=\"phone\" href=\"tel:\(e(phone.e164))\">\(e(phone.e164))</a>" : "<span class=\"phone\">\(e(phone.masked))</span>"
        }
        var html = "<section><h2>\(e(stored.name))</h2><p class=\"muted\">\(e(Dashboard.when(stored, now: now, t))) · \(e(t.longDate(today)))</p>"

        // The day's plan: what went out, what failed and why, what is still to go.
        let receipts = try store.receipts(batchID: stored.id)
        let plan = try store.outbox(batchID: stored.id, date: today)
        html += "<h3>\(e(t("today.plan")))</h3>"
        if plan.isEmpty { html += "<p>\(e(t("batch.noPlan")))</p>" }
        else {
            html += "<ul class=\"plan\">"
            for item in plan {
                let detail = item.lastError ?? receipts[item.message.id]?.description ?? ""
                html += "<li><span class=\"out \(e(item.displayState))\">\(e(t("outbox." + item.displayState)))</span> \(e(item.message.localTime.description)) "
                    + "\(e(t("kind." + item.message.kind.rawValue)))" + (detail.isEmpty ? "" : " <small>\(e(detail))</small>") + "</li>"
            }
            html += "</ul>"
        }

        let status = try store.status(batchID: stored.id, now: now)
        let prompts = try store.prompts(batchID: stored.id)
        let open = prompts.filter { $0.kind == .discussion && $0.opensAt <= now && now < $0.closesAt }
        // The session a mark counts for: the open discussion's, else the latest that opened.
        let session = open.last?.session ?? prompts.last { $0.kind == .discussion && $0.opensAt <= now }?.session
        for prompt in open {
            guard let column = status.columns.firstIndex(where: { $0.key == prompt.key }) else { continue }
            let answers = try store.latestAnswers(batchID: stored.id, from: prompt.opensAt, to: now)
            html += "<h3>\(e(t("today.discussion", ["session": String(prompt.session ?? 0)])))</h3><ul class=\"people\">"
            for row in status.rows {
                let state = column < row.states.count ? row.states[column] : .pending
                var answer = ""
                if let latest = answers[row.phone] {
                    answer = latest.isVoice ? "🎤" + (latest.seconds.map { " " + String(format: "%d:%02d", $0 / 60, $0 % 60) } ?? "")
                        : (latest.text.map { "“" + e(String($0.prefix(160))) + "”" } ?? "")
                }
                html += "<li><span class=\"s \(state.rawValue)\">\(state.symbol)</span> \(e(row.name)) \(answer)"
                if state == .replied || state == .voiceNote, let session = prompt.session {
                    html += markForm(stored.id, row.phone, session: session, kinds: [.discussed], principal: principal, t)
                }
                html += "</li>"
            }
            html += "</ul>"
        }

        let calls = status.rows.filter(\.needsCall)
        html += "<h3>\(e(t("today.calls", ["count": String(calls.count)])))</h3>"
        if calls.isEmpty { html += "<p>\(e(t("batch.nobody")))</p>" }
        else {
            html += "<ul class=\"people\">"
            for row in calls {
                html += "<li>\(e(row.name)) \(number(row.phone))"
                if let session { html += markForm(stored.id, row.phone, session: session, kinds: [.phoned, .excused], principal: principal, t) }
                html += "</li>"
            }
            html += "</ul>"
        }

        // Today's marks, each undoable.
        let startOfDay = KelasTimeZone.instant(today, LocalTime(secondsOfDay: 0), in: stored.timeZone)
        let marks = try store.marks(batchID: stored.id, since: startOfDay)
        if !marks.isEmpty {
            let names = Dictionary(status.rows.map { ($0.phone, $0.name) }, uniquingKeysWith: { first, _ in first })
            html += "<h3>\(e(t("today.marks")))</h3><ul class=\"people\">"
            for mark in marks {
                html += "<li>\(e(names[mark.phone] ?? mark.phone.masked)): \(e(t("mark." + mark.kind.rawValue))) · S\(mark.session)"
                    + (mark.note.map { " — " + e($0) } ?? "")
                    + " <form class=\"inline\" method=\"post\" action=\"/today/undo\">\(csrfField(principal))"
                    + "<input type=\"hidden\" name=\"batch\" value=\"\(e(stored.id))\"><input type=\"hidden\" name=\"mark\" value=\"\(mark.id)\">"
                    + "<button class=\"link\">\(e(t("today.undo")))</button></form></li>"
            }
            html += "</ul>"
        }
        // The day's chat export, read by the same ingest as `kelas ingest chat`.
        html += "<h3>\(e(t("today.upload")))</h3><form method=\"post\" action=\"/today/upload\" enctype=\"multipart/form-data\" class=\"mark\">"
            + csrfField(principal) + "<input type=\"hidden\" name=\"batch\" value=\"\(e(stored.id))\">"
            + "<input type=\"file\" name=\"export\" accept=\".txt,.zip,text/plain,application/zip\" required>"
            + "<button>\(e(t("today.uploadButton")))</button></form>"
        return html + "</section>"
    }

    /// The largest chat export a page may upload (a week of a 100-person group is a few MB; a zip with media omitted less).
    static let uploadLimit = 32 << 20

    /// `POST /today/upload`: a chat export (.txt or .zip) into one of the principal's batches, as `kelas ingest chat`.
    func upload(_ request: Request) async throws -> Response {
        let t = DashboardRoutes.localizer(request)
        let body = try await request.body.collect(upTo: Self.uploadLimit)
        return try await server.offload { try upload(request, body: Data(buffer: body), t) }
    }

    func upload(_ request: Request, body: Data, _ t: Localizer) throws -> Response {
        guard let principal = try routes.principal(request) else { return try text("sign in first\n", status: .unauthorized) }
        guard let form = MultipartForm(contentType: request.headers[.contentType], body: body) else {
            return try text("send the export as multipart/form-data, as the page's form does\n", status: .badRequest)
        }
        if let refusal = try routes.csrfRefusal(principal, token: form.text("csrf")) { return refusal }
        guard let batch = try ownBatch(form.text("batch"), principal) else { return try text("that batch is not one of yours\n", status: .forbidden) }
        guard let file = form["export"], !file.data.isEmpty else { return try text("choose the chat export to upload\n", status: .badRequest) }
        let name = (file.filename ?? "chat.txt").replacingOccurrences(of: "/", with: "_")
        let zip = name.lowercased().hasSuffix(".zip") || file.data.starts(with: Data([0x50, 0x4B, 0x03, 0x04]))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-upload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(zip ? "export.zip" : "export.txt").path
        try file.data.write(to: URL(fileURLWithPath: path))
        let outcome: String
        let status: HTTPResponse.Status
        do {
            let context = try server.store.chatContext(batchID: batch, me: nil)
            let (_, stats, summary) = try server.store.ingest(chat: ChatExportFile(path: path), context: context, now: server.configuration.now())
            outcome = t("today.uploaded", ["file": name, "messages": t.integer(stats.messages), "voice": t.integer(stats.voiceNotes),
                                           "added": t.integer(summary.messagesAdded)])
                + (summary.unmatched.isEmpty ? "" : " " + t("today.unmatched", ["names": summary.unmatched.keys.sorted().joined(separator: ", ")]))
            status = .ok
        } catch let error as ChatExportError {
            outcome = "\(name): " + t(error.phrase)
            status = .unprocessableContent
        } catch let error as StoreError {
            outcome = t(error.phrase)
            status = .badRequest
        }
        let page = "<p><a href=\"/today\">← \(Dashboard.escape(t("today.title")))</a></p><p\(status == .ok ? "" : " class=\"error\"")>\(Dashboard.escape(outcome))</p>"
        return try text(Dashboard.page(t("today.title"), page, t), status: status, type: "text/html; charset=utf-8")
    }

    func markForm(_ batch: String, _ phone: PhoneNumber, session: Int, kinds: [MarkKind], principal: Principal, _ t: Localizer) -> String {
        let e = Dashboard.escape
        return "<form class=\"mark\" method=\"post\" action=\"/today/mark\">\(csrfField(principal))"
            + "<input type=\"hidden\" name=\"batch\" value=\"\(e(batch))\"><input type=\"hidden\" name=\"phone\" value=\"\(e(phone.e164))\">"
            + "<input type=\"hidden\" name=\"session\" value=\"\(session)\">"
            + "<input name=\"note\" maxlength=\"200\" placeholder=\"\(e(t("today.note")))\">"
            + kinds.map { "<button name=\"kind\" value=\"\($0.rawValue)\">\(e(t("mark." + $0.rawValue)))</button>" }.joined()
            + "</form>"
    }

    /// `POST /today/mark` and `/today/undo`: the same marks as `kelas mark`, only for a batch the principal may see, and
    /// only with the session's CSRF token.
    func mark(_ request: Request, undo: Bool) async throws -> Response {
        let form = try await DashboardRoutes.form(request)
        return try await server.offload { try mark(request, form: form, undo: undo) }
    }

    func mark(_ request: Request, form: [String: String], undo: Bool) throws -> Response {
        guard let principal = try routes.principal(request) else { return try text("sign in first\n", status: .unauthorized) }
        if let refusal = try routes.csrfRefusal(principal, token: form["csrf"]) { return refusal }
        guard let batch = try ownBatch(form["batch"], principal) else { return try text("that batch is not one of yours\n", status: .forbidden) }
        let now = server.configuration.now()
        do {
            if undo {
                guard let id = form["mark"].flatMap(Int64.init), try server.store.undoMark(batchID: batch, id: id, now: now) else {
                    return try text("no such mark in \(batch)\n", status: .notFound)
                }
            } else {
                guard let phone = form["phone"], let session = form["session"].flatMap(Int.init),
                      let kind = form["kind"].flatMap(MarkKind.init(rawValue:)) else {
                    return try text("a mark needs phone, session and kind (phoned, discussed or excused)\n", status: .badRequest)
                }
                let note = form["note"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : String($0.prefix(200)) }
                _ = try server.store.mark(batchID: batch, participant: phone, session: session, kind: kind, note: note, now: now)
            }
        } catch let error as StoreError {
            return try text("\(error)\n", status: .badRequest)
        }
        return Response(status: .seeOther, headers: [.location: "/today"])
    }
}
