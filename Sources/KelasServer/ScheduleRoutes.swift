import Foundation
import Hummingbird
import KelasCore
import KelasStore

/// `/schedule` (admins): a batch scheduled from the browser. The form writes the batch file and the participants
/// file (and an uploaded curriculum) into the workspace, checks them with the same validator as `kelas validate` —
/// each problem beside its field, or as `participants.csv:14: …` — and adds the batch to the store. Nothing is kept
/// when there is an error; the files stay the source of truth and can be downloaded.
struct ScheduleRoutes: Sendable {
    let routes: DashboardRoutes
    var server: KelasServer { routes.server }

    /// The largest participants file (as spreadsheets save it) and curriculum a form may upload.
    static let participantsLimit = FileLimits.csv
    static let curriculumLimit = FileLimits.yaml
    static let files = ["batch.yaml", "participants.csv", "curriculum.yaml"]

    func add(to admin: RouterGroup<BasicRequestContext>) {
        admin.get("/schedule") { request, _ in try await server.offload { try page(request, form: BatchForm(), errors: [:], general: []) } }
        admin.post("/schedule") { request, _ in try await schedule(request) }
        admin.get("/schedule/files/:id/:file") { request, context in
            let id = context.parameters.get("id") ?? "", name = context.parameters.get("file") ?? ""
            return try await server.offload { try file(id, name) }
        }
    }

    var workspace: URL { URL(fileURLWithPath: server.configuration.workspace) }

    func page(_ request: Request, form: BatchForm, errors: [String: [String]], general: [String], status: HTTPResponse.Status = .ok) throws -> Response {
        let t = DashboardRoutes.localizer(request)
        let principal = try routes.principal(request)
        let e = Dashboard.escape
        var body = "<p><a href=\"/\">\(e(t("batch.back")))</a></p><h1>\(e(t("schedule.title")))</h1>"
        if !general.isEmpty {
            body += "<div class=\"banner\" role=\"alert\"><ul>" + general.map { "<li>\(e($0))</li>" }.joined() + "</ul></div>"
        }
        body += "<form method=\"post\" action=\"/schedule\" enctype=\"multipart/form-data\" class=\"schedule\">"
        body += "<input type=\"hidden\" name=\"csrf\" value=\"\(e(principal?.csrf ?? ""))\">"
        func field(_ name: String, _ input: String) -> String {
            let problems = errors[name] ?? []
            return "<label class=\"field\(problems.isEmpty ? "" : " invalid")\"><span>\(e(t("schedule." + name)))</span>\(input)"
                + problems.map { "<small class=\"error\">\(e($0))</small>" }.joined() + "</label>"
        }
        func input(_ name: String, _ value: String, _ extra: String = "") -> String {
            field(name, "<input name=\"\(name)\" value=\"\(e(value))\" \(extra)>")
        }
        func select(_ name: String, _ value: String, _ options: [(String, String)]) -> String {
            field(name, "<select name=\"\(name)\">" + options.map { option in
                "<option value=\"\(e(option.0))\"\(option.0 == value ? " selected" : "")>\(e(option.1))</option>"
            }.joined() + "</select>")
        }
        let nextMonday = Self.nextMonday(after: server.configuration.now())
        body += input("name", form.name, "required maxlength=\"120\"")
        body += input("id", form.id, "required pattern=\"[A-Za-z0-9_-]+\" maxlength=\"60\" placeholder=\"gresik-2021-07\"")
        body += input("programme", form.programme, "required")
        body += input("district", form.district, "required")
        body += input("start", form.start.isEmpty ? nextMonday.description : form.start, "type=\"date\" required")
        body += select("timezone", form.timezone, [("Asia/Jakarta", "WIB — Asia/Jakarta"), ("Asia/Makassar", "WITA — Asia/Makassar"),
                                                    ("Asia/Jayapura", "WIT — Asia/Jayapura")])
        body += select("language", form.language, [("id", "Bahasa Indonesia"), ("en", "English")])
        body += select("curriculum", form.curriculum == "curriculum.yaml" ? "adil-gender" : form.curriculum,
                       BuiltinCurricula.ids.map { ($0, $0) })
        body += field("curriculumFile", "<input type=\"file\" name=\"curriculumFile\" accept=\".yaml,.yml\">")
        body += select("mode", form.mode, [("group", t("plan.mode.group")), ("fanout", t("plan.mode.fanout"))])
        body += input("sink", form.sink, "placeholder=\"waha:https://… · whatsapp-cloud:… · webhook:https://…\"")
        body += field("trainers", "<textarea name=\"trainers\" rows=\"3\" placeholder=\"Iva Hasanah, +6281234567001\">\(e(form.trainers))</textarea>")
        body += input("admin", form.admin, "required placeholder=\"Rumi, +6281234567003\"")
        body += field("participants", "<input type=\"file\" name=\"participants\" accept=\".csv,text/csv\" required>")
        body += "<button>\(e(t("schedule.submit")))</button></form><p class=\"muted\">\(e(t("schedule.hint")))</p>"
        return try routes.html(Dashboard.page(t("schedule.title"), body, t), request, status: status)
    }

    static func nextMonday(after now: Date) -> LocalDate {
        let zone = KelasTimeZone.resolve("Asia/Jakarta") ?? .gmt
        var date = KelasTimeZone.localDate(now, in: zone).adding(days: 1)
        while date.weekday != .monday { date = date.adding(days: 1) }
        return date
    }

    func schedule(_ request: Request) async throws -> Response {
        let t = DashboardRoutes.localizer(request)
        let body = try await request.body.collect(upTo: Self.participantsLimit + Self.curriculumLimit + 64 * 1024)
        return try await server.offload { try schedule(request, body: Data(buffer: body), t) }
    }

    func schedule(_ request: Request, body: Data, _ t: Localizer) throws -> Response {
        guard let principal = try routes.principal(request) else { return try text("sign in first\n", status: .unauthorized) }
        guard let multipart = MultipartForm(contentType: request.headers[.contentType], body: body) else {
            return try text("send the form as multipart/form-data, as the page does\n", status: .badRequest)
        }
        if let refusal = try routes.csrfRefusal(principal, token: multipart.text("csrf")) { return refusal }
        var form = BatchForm(values: Dictionary(BatchForm.fields.compactMap { name in multipart.text(name).map { (name, $0) } },
                                                uniquingKeysWith: { first, _ in first }))
        var errors: [String: [String]] = [:]
        let participants = multipart["participants"]?.data ?? Data()
        if participants.isEmpty { errors["participants", default: []].append(t("schedule.needParticipants")) }
        if participants.count > Self.participantsLimit { errors["participants", default: []].append(t("schedule.tooBig", ["limit": FileLimits.describe(Self.participantsLimit)])) }
        let curriculum = multipart["curriculumFile"].flatMap { $0.data.isEmpty ? nil : $0.data }
        if let curriculum, curriculum.count > Self.curriculumLimit {
            errors["curriculumFile", default: []].append(t("schedule.tooBig", ["limit": FileLimits.describe(Self.curriculumLimit)]))
        }
        if curriculum != nil { form.curriculum = "curriculum.yaml" }
        let slug = form.id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } && !form.id.isEmpty
        if !slug { errors["id", default: []].append(t("schedule.badID")) }
        if !errors.isEmpty { return try page(request, form: form, errors: errors, general: [], status: .unprocessableContent) }

        // Written into a folder of its own, checked there, and moved into place only when it is right.
        let fm = FileManager.default
        try fm.createDirectory(at: workspace, withIntermediateDirectories: true)
        let incoming = workspace.appendingPathComponent(".incoming-\(UUID().uuidString)")
        try fm.createDirectory(at: incoming, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: incoming) }
        let (yaml, fieldOfLine) = form.yaml()
        try Data(yaml.utf8).write(to: incoming.appendingPathComponent("batch.yaml"))
        try participants.write(to: incoming.appendingPathComponent("participants.csv"))
        if let curriculum { try curriculum.write(to: incoming.appendingPathComponent("curriculum.yaml")) }
        let log = DiagnosticLog()
        let loaded = BatchFile.load(path: incoming.appendingPathComponent("batch.yaml").path, log: log)
        var general: [String] = []
        for diagnostic in log.sorted where diagnostic.severity == .error {
            let file = (diagnostic.location.file as NSString).lastPathComponent
            let text = t(diagnostic.phrase) + (diagnostic.fixPhrase.map { " — " + t($0) } ?? "")
            if file == "batch.yaml", let field = fieldOfLine[diagnostic.location.line] ?? fieldOfLine.filter({ $0.key <= diagnostic.location.line }).max(by: { $0.key < $1.key })?.value {
                errors[field, default: []].append(text)
            } else if file == "participants.csv" {
                errors["participants", default: []].append("participants.csv:\(diagnostic.location.line): \(text)")
            } else if file == "curriculum.yaml" {
                errors["curriculumFile", default: []].append("curriculum.yaml:\(diagnostic.location.line): \(text)")
            } else {
                general.append("\(file):\(diagnostic.location.line): \(text)")
            }
        }
        guard let loaded, errors.isEmpty, general.isEmpty else {
            return try page(request, form: form, errors: errors, general: general, status: .unprocessableContent)
        }
        let folder = workspace.appendingPathComponent(loaded.batch.id)
        let taken = try server.store.batch(loaded.batch.id) != nil
        if fm.fileExists(atPath: folder.path) || taken {
            errors["id", default: []].append(t("schedule.exists", ["id": loaded.batch.id]))
            return try page(request, form: form, errors: errors, general: [], status: .conflict)
        }
        try fm.moveItem(at: incoming, to: folder)
        let batchFile = folder.appendingPathComponent("batch.yaml").path
        do {
            _ = try server.store.addBatch(try BatchFile.load(path: batchFile), source: batchFile, now: server.configuration.now())
        } catch {
            try? fm.removeItem(at: folder)
            return try page(request, form: form, errors: [:], general: ["\(error)"], status: .unprocessableContent)
        }
        let e = Dashboard.escape
        let links = Self.files.filter { fm.fileExists(atPath: folder.appendingPathComponent($0).path) }.map {
            "<li><a href=\"/schedule/files/\(e(loaded.batch.id))/\($0)\" download>\($0)</a></li>"
        }.joined()
        let done = "<h1>\(e(t("schedule.done", ["id": loaded.batch.id])))</h1><p>\(e(t("schedule.doneNote", ["folder": folder.path])))</p>"
            + "<ul>\(links)</ul><p><a href=\"/batches/\(e(loaded.batch.id))\">\(e(loaded.batch.name))</a></p>"
        return try routes.html(Dashboard.page(t("schedule.title"), done, t), request, status: .created)
    }

    /// A scheduled batch's files, for download (only those three names, only from the workspace).
    func file(_ id: String, _ name: String) throws -> Response {
        guard Self.files.contains(name), !id.isEmpty, !id.contains("/"), !id.hasPrefix("."),
              let data = FileManager.default.contents(atPath: workspace.appendingPathComponent(id).appendingPathComponent(name).path) else {
            return try text("no such file\n", status: .notFound)
        }
        return Response(status: .ok, headers: [.contentType: name.hasSuffix(".csv") ? "text/csv; charset=utf-8" : "application/yaml; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"\(name)\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
