import ArgumentParser
import Foundation
import KelasCore
import KelasServer
import KelasStore

struct AccessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Give trainers their own sign-in to `kelas serve` (/today), list who has access, revoke it.",
        discussion: """
        `kelas access add trainer PHONE` prints a one-time sign-in link (valid 7 days): send it to the trainer. Only a \
        hash of its secret is stored; opening it starts a session (14 days; the cookie HttpOnly, SameSite=Strict, Secure \
        behind TLS) that sees only the batches listing that trainer. Admins sign in with the admin token at /login.

        Examples:
          kelas access add trainer +6281234567001 --url https://kelas.example.org
          kelas access list
          kelas access revoke +6281234567001
        """,
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a one-time sign-in link for a trainer of a batch in the store.")
        @Argument(help: ArgumentHelp("Who: trainer (admins use the admin token).", valueName: "role")) var role: String
        @Argument(help: ArgumentHelp("The trainer's phone, as a batch file lists it.", valueName: "phone")) var phone: String
        @Option(help: ArgumentHelp("Where `kelas serve` is reached (default: $KELAS_PUBLIC_URL, else http://127.0.0.1:8080).",
                                   valueName: "url")) var url: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func validate() throws {
            guard role == "trainer" else {
                throw ValidationError(cli("access.role", ["role": role]))
            }
        }

        func run() throws {
            let secret = AccessTokens.secret()
            let now = try CLIClock.now()
            let store = try database.open()
            let added = try storeCall {
                try store.addTrainerAccess(phone: phone, linkHash: AccessTokens.hash(secret), expiresAt: now.addingTimeInterval(AccessTokens.linkLifetime), now: now)
            }
            let base = (url ?? ProcessInfo.processInfo.environment["KELAS_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080")
            var trimmed = base
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            print(cli("access.added", ["id": String(added.id), "name": added.name, "phone": added.phone.masked]))
            print("\(trimmed)/signin/\(secret)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every access given: who, when, whether the link is unused, live sessions, revoked.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let now = try CLIClock.now()
            let entries = try storeCall { try database.open().accessList(now: now) }
            if entries.isEmpty { print(cli("access.none")); return }
            let format = ISO8601DateFormatter()
            let rows = [headings("id", "role", "name", "phone", "given", "link", "sessions", "revoked")] + entries.map { entry in
                [String(entry.id), cli("role." + entry.role.rawValue), entry.name, entry.phone?.masked ?? "", format.string(from: entry.createdAt),
                 cli(entry.linkPending ? "access.unused" : "access.used"), String(entry.sessions), entry.revokedAt.map(format.string(from:)) ?? ""]
            }
            print(TextTable.render(rows), terminator: "")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an access (by its id, or a trainer's phone): its link and sessions stop working.")
        @Argument(help: ArgumentHelp("The access id from `kelas access list`, or the trainer's phone.", valueName: "id|phone")) var which: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let count = try storeCall { try database.open().revokeAccess(which, now: try CLIClock.now()) }
            print(cli("access.revoked", parts: ["count": .count(count, "access.count")]))
        }
    }
}
