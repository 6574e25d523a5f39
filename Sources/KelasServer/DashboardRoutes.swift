import Foundation
import Hummingbird
import KelasCore
import KelasStore

/// The pages: the admin's (behind an admin session, or the admin token as a bearer) and the trainer's day (behind a
/// trainer's or an admin's session). Sessions are random ids of which the store keeps only a hash.
/// sets (an HMAC of the token, so the cookie never holds the token itself).
struct DashboardRoutes: Sendable {
    let server: KelasServer
    let limiter: SignInLimiter

    func add(to router: Router<BasicRequestContext>) {
        router.get("/login") { request, _ in try html(Dashboard.login(failed: false, Self.localizer(request)), request) }
        router.post("/login") { request, _ in try await login(request) }
        router.get("/signin/:secret") { request, context in try await signIn(context.parameters.get("secret") ?? "", request) }
        router.post("/logout") { request, _ in try await logout(request) }
        TodayRoutes(routes: self).add(to: router)
        let admin = router.group().add(middleware: AdminAuth(routes: self))
        admin.get("/") { request, _ in try await server.offload { try overview(request) } }
        admin.get("/batches/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await server.offload { try batch(id, request) }
        }
        admin.get("/report") { request, _ in try await server.offload { try report(request) } }
        admin.get("/results") { request, _ in try await server.offload { try results(request, batch: nil) } }
        admin.get("/batches/:id/results") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await server.offload { try results(request, batch: id) }
        }
        admin.get("/report.csv") { request, _ in try await server.offload { try csv(request) } }
        ScheduleRoutes(routes: self).add(to: admin)
    }

    /// The admin's sign-in: the token starts a session of its own (revocable, expiring), never a cookie derived from the token.
    func login(_ request: Request) async throws -> Response {
        let t = Self.localizer(request)
        let now = server.configuration.now()
        if let wait = await limiter.allowed(at: now) { return try tooMany(wait, t) }
        let body = try await request.body.collect(upTo: 4096)
        let token = Self.formValue("token", in: String(buffer: body)) ?? ""
        guard constantTimeEqual(token, server.configuration.adminToken) else {
            await limiter.failed(at: now)
            return try text(Dashboard.login(failed: true, t), status: .unauthorized, type: "text/html; charset=utf-8")
        }
        let id = AccessTokens.secret()
        let store = server.store
        _ = try await server.offload {
            try store.startAdminSession(sessionHash: AccessTokens.hash(id), csrf: AccessTokens.secret(), now: now, lifetime: AccessTokens.adminSession)
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(sessionCookie(id, lifetime: AccessTokens.adminSession, request: request))
        return response
    }

    /// A field of an `application/x-www-form-urlencoded` body (`+` is a space, `%XX` a byte).
    static func formValue(_ name: String, in body: String) -> String? { fields(body)[name] }

    /// Every field of an `application/x-www-form-urlencoded` body.
    static func fields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            if parts.count == 2, let name = decode(parts[0]), let value = decode(parts[1]), fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    /// The cookie that remembers the language a reader chose with the pages' switch.
    static let languageCookie = "kelas_lang"

    /// The reader's language: `?lang=id|en` (the switch), else the one they chose before (cookie), else the browser's
    /// Accept-Language, else Indonesian.
    static func language(_ request: Request) -> Language {
        if let chosen = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) { return chosen }
        if let remembered = request.cookies[languageCookie]?.value, let language = Language(rawValue: remembered) { return language }
        return LanguagePreference.fromAcceptLanguage(request.headers[.acceptLanguage]) ?? .id
    }

    static func localizer(_ request: Request) -> Localizer { Localizer(language(request)) }

    func overview(_ request: Request) throws -> Response {
        let t = Self.localizer(request)
        let now = server.configuration.now()
        let store = server.store
        let report = try store.report(by: .batch, now: now)
        let rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.group, $0) })
        let lines = try store.batches().map { batch in
            Dashboard.BatchLine(batch: batch, row: rows[batch.id] ?? ReportRow(group: batch.id), when: Dashboard.when(batch, now: now, t))
        }
        let sort = request.uri.queryParameters.get("sort").flatMap(Dashboard.Sort.init(rawValue:)) ?? .start
        return try html(Dashboard.overview(lines, total: report.total, sort: sort, now: Self.stamp(now),
                                           problems: try store.deliveryProblems(), t), request)
    }

    func notFound(_ id: String, _ t: Localizer) throws -> Response {
        try text(Dashboard.page(t("page.notFound"), "<h1>\(Dashboard.escape(t("batch.notFound", ["id": id])))</h1>"
                                + "<p><a href=\"/\">\(Dashboard.escape(t("batch.back")))</a></p>", t),
                 status: .notFound, type: "text/html; charset=utf-8")
    }

    func batch(_ id: String, _ request: Request) throws -> Response {
        let t = Self.localizer(request)
        let store = server.store
        guard let stored = try store.batch(id) else { return try notFound(id, t) }
        let now = server.configuration.now()
        let zone = stored.timeZone
        let today = KelasTimeZone.localDate(now, in: zone)
        let receipts = try store.receipts(batchID: id)
        let plan = try store.outbox(batchID: id, date: today).map { item in
            Dashboard.PlanLine(time: item.message.localTime.description, kind: item.message.kind.rawValue,
                               audience: audience(item.message.audience, t), state: item.displayState,
                               detail: item.lastError ?? receipts[item.message.id]?.description
                                   ?? (item.attempts > 1 ? "\(item.attempts) attempts" : ""))
        }
        let status = try store.status(batchID: id, now: now)
        let optOuts = try store.optOuts(batchID: id)
        return try html(Dashboard.batch(stored, status: status, when: Dashboard.when(stored, now: now, t), today: t.longDate(today), plan: plan,
                                        optOuts: optOuts, problems: try store.deliveryProblems(batchID: id), t), request)
    }

    /// Who a planned message goes to, with a participant's number masked.
    func audience(_ audience: Audience, _ t: Localizer) -> String {
        switch audience {
        case .group: t("audience.group")
        case .participant(let phone): phone.masked
        case .nonResponders: t("audience.silent")
        }
    }

    func report(_ request: Request) throws -> Response {
        let now = server.configuration.now()
        return try html(Dashboard.report(try [ReportGrouping.district, .programme, .trainer].map { try server.store.report(by: $0, now: now) },
                                         Self.localizer(request)), request)
    }

    /// The programme report (or one batch's), in the reader's language (Indonesian unless they chose English).
    func results(_ request: Request, batch: String?) throws -> Response {
        let t = Self.localizer(request)
        let language = t.language
        let store = server.store
        // The figures change only when the store does: the body is kept per store version, language and scope.
        let version = try store.version(), key = "\(language.rawValue)|\(batch ?? "")"
        let body: String
        if let kept = server.pages.value(key, version: version) {
            body = kept
        } else {
            let batches = try store.batches().filter { batch == nil || $0.id == batch }
            if let batch, batches.isEmpty { return try notFound(batch, t) }
            let participants = try store.participantResults(batchIDs: batch.map { [$0] }, now: server.configuration.now())
            let report = ProgrammeReport(participants: participants, batches: batches.compactMap(\.period),
                                         indicators: server.configuration.indicators, language: language)
            let scope = batch.map { "<p><a href=\"/batches/\(Dashboard.escape($0))\">← \(Dashboard.escape($0))</a></p>" } ?? ""
            body = scope + report.htmlBody
            server.pages.keep(body, key, version: version)
        }
        return try html(Dashboard.page(t("page.results"), body, t), request)
    }

    func csv(_ request: Request) throws -> Response {
        let by = request.uri.queryParameters.get("by").flatMap(ReportGrouping.init(rawValue:)) ?? .batch
        let report = try server.store.report(by: by, now: server.configuration.now())
        return try text(ReportRenderer.csv(report), type: "text/csv; charset=utf-8",
                        headers: [.contentDisposition: "attachment; filename=\"kelas-report-\(by.rawValue).csv\""])
    }

    /// A page; when the reader used the language switch, the choice is remembered for the next pages.
    func html(_ page: String, _ request: Request, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = try text(page, status: status, type: "text/html; charset=utf-8", headers: [.contentLanguage: Self.language(request).rawValue])
        if let chosen = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) {
            response.setCookie(Cookie(name: Self.languageCookie, value: chosen.rawValue, maxAge: 365 * 86_400, path: "/", httpOnly: true,
                                      sameSite: .strict))
        }
        return response
    }

    static func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        return formatter.string(from: date)
    }
}
