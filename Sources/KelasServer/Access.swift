import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KelasCore
import KelasStore

/// Secrets for sign-in links and sessions: random, shown or set once; only their SHA-256 is stored.
public enum AccessTokens {
    /// 32 random bytes (the system's secure generator), URL-safe base64 without padding.
    public static func secret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Lower-case hex SHA-256: what the store keeps of a secret.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// How long a trainer's sign-in link stays usable, and how long a session lasts.
    public static let linkLifetime: TimeInterval = 7 * 86_400
    public static let trainerSession: TimeInterval = 14 * 86_400
    public static let adminSession: TimeInterval = 12 * 3600
}

/// Counts failed sign-ins (a wrong admin token, a used or unknown link) and refuses more than `limit` in `window`:
/// guessing is slowed for everyone rather than answered at full speed.
actor SignInLimiter {
    let limit: Int
    let window: TimeInterval
    private var failures: [Date] = []

    init(limit: Int = 20, window: TimeInterval = 300) {
        self.limit = limit
        self.window = window
    }

    /// Whether a sign-in may be tried at `now`, and when to come back if not.
    func allowed(at now: Date) -> TimeInterval? {
        failures.removeAll { now.timeIntervalSince($0) >= window }
        guard failures.count >= limit, let oldest = failures.first else { return nil }
        return max(1, window - now.timeIntervalSince(oldest))
    }

    func failed(at now: Date) { failures.append(now) }
}

extension DashboardRoutes {
    static let sessionCookie = "kelas_session"

    /// The signed-in principal: a valid session cookie (an admin's or a trainer's), or the admin token as a bearer
    /// (for scripts and monitoring).
    func principal(_ request: Request) throws -> Principal? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
           constantTimeEqual(String(header.dropFirst(7)), server.configuration.adminToken) {
            return Principal(role: .admin, phone: nil, name: "admin", csrf: "", sessionHash: "")
        }
        guard let cookie = request.cookies[Self.sessionCookie]?.value, !cookie.isEmpty else { return nil }
        return try server.store.session(hash: AccessTokens.hash(cookie), now: server.configuration.now())
    }

    /// `principal(_:)` from async code: the session lookup is a store call.
    func signedIn(_ request: Request) async throws -> Principal? {
        try await server.offload { try principal(request) }
    }

    /// Nil when a form may act for `principal`: a browser session sends its own CSRF token (a bearer-token client has no
    /// form to forge); otherwise the refusal.
    func csrfRefusal(_ principal: Principal, token: String?) throws -> Response? {
        if principal.sessionHash.isEmpty || constantTimeEqual(token ?? "", principal.csrf) { return nil }
        return try text("a form without its CSRF token is refused\n", status: .forbidden)
    }

    /// The cookie of a new session: HttpOnly, SameSite=Strict, Secure when the server is reached over TLS.
    func sessionCookie(_ id: String, lifetime: TimeInterval, request: Request) -> Cookie {
        let secure = server.configuration.secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto") ?? .via] == "https"
        return Cookie(name: Self.sessionCookie, value: id, maxAge: Int(lifetime), path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    func tooMany(_ retryAfter: TimeInterval, _ t: Localizer) throws -> Response {
        try text(Dashboard.page(t("login.title"), "<h1>Kelas</h1><p class=\"error\">\(Dashboard.escape(t("access.tooMany")))</p>", t),
                 status: .tooManyRequests, type: "text/html; charset=utf-8", headers: [.retryAfter: String(Int(retryAfter.rounded(.up)))])
    }

    /// `GET /signin/{secret}`: a trainer's one-time link starts their session and opens their day.
    func signIn(_ secret: String, _ request: Request) async throws -> Response {
        let t = Self.localizer(request)
        let now = server.configuration.now()
        if let wait = await limiter.allowed(at: now) { return try tooMany(wait, t) }
        let id = AccessTokens.secret()
        let store = server.store
        guard let principal = try await server.offload({
            try store.redeemLink(linkHash: AccessTokens.hash(secret), sessionHash: AccessTokens.hash(id), csrf: AccessTokens.secret(),
                                 now: now, lifetime: AccessTokens.trainerSession)
        }) else {
            await limiter.failed(at: now)
            return try text(Dashboard.page(t("login.title"), "<h1>Kelas</h1><p class=\"error\">\(Dashboard.escape(t("access.badLink")))</p>", t),
                            status: .forbidden, type: "text/html; charset=utf-8")
        }
        var response = Response(status: .seeOther, headers: [.location: principal.role == .admin ? "/" : "/today"])
        response.setCookie(sessionCookie(id, lifetime: AccessTokens.trainerSession, request: request))
        return response
    }

    /// `POST /logout`: ends the session (its CSRF token required) and forgets the cookie.
    func logout(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        guard let principal = try await signedIn(request), !principal.sessionHash.isEmpty,
              constantTimeEqual(form["csrf"] ?? "", principal.csrf) else {
            return try text("a form without its CSRF token is refused\n", status: .forbidden)
        }
        let store = server.store, now = server.configuration.now()
        try await server.offload { try store.endSession(hash: principal.sessionHash, now: now) }
        var response = Response(status: .seeOther, headers: [.location: "/login"])
        response.setCookie(Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    /// The fields of an `application/x-www-form-urlencoded` body (at most 64 KB).
    static func form(_ request: Request, limit: Int = 64 * 1024) async throws -> [String: String] {
        fields(String(buffer: try await request.body.collect(upTo: limit)))
    }
}

/// Lets admins through (a session cookie or the bearer token); a trainer gets 403 with the way to their page; a
/// browser without a session goes to the sign-in form, anything else gets 401.
struct AdminAuth: RouterMiddleware {
    typealias Context = BasicRequestContext
    let routes: DashboardRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let principal = try await routes.signedIn(request) {
            if principal.role == .admin { return try await next(request, context) }
            let t = DashboardRoutes.localizer(request)
            return try text(Dashboard.page("Kelas", "<p>\(Dashboard.escape(t("access.adminOnly")))</p><p><a href=\"/today\">\(Dashboard.escape(t("today.title")))</a></p>", t),
                            status: .forbidden, type: "text/html; charset=utf-8")
        }
        if request.headers[.accept]?.contains("text/html") ?? false {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        return try text("an admin token is needed: Authorization: Bearer <KELAS_ADMIN_TOKEN>\n", status: .unauthorized,
                        headers: [.wwwAuthenticate: "Bearer realm=\"kelas\""])
    }
}
