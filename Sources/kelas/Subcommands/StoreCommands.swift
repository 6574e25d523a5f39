import ArgumentParser
import Foundation
import KelasCore
import KelasStore

/// `--database`, shared by every command that reads or writes the store.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: ArgumentHelp(
        "The SQLite store (default: $KELAS_DATABASE, else kelas.sqlite in the current folder).", valueName: "file"))
    var path: String?

    func open() throws -> KelasDatabase {
        let path = path ?? KelasDatabase.defaultPath()
        do { return try KelasDatabase(path: path) } catch {
            printError(cli("cli.error", ["problem": cli("cli.cannotOpenStore", ["path": path, "problem": "\(error)"])]))
            throw ExitCode(1)
        }
    }
}

/// Runs a store call, printing a store error as a one-line message with exit status 1.
func storeCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as StoreError {
        printError(cli("cli.error", ["problem": cli(error.phrase)]))
        throw ExitCode(1)
    }
}

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Add batches to the store and list them.",
        subcommands: [Add.self, List.self, Show.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a validated batch with its participants and planned messages.",
            discussion: """
            Idempotent: adding the same file again changes nothing. After an edit, adding it again updates only what has \
            not happened yet (messages due later than now) and says what changed. The import is one transaction: \
            on any failure the store is left as it was.
            """
        )
        @Argument(help: ArgumentHelp("The batch file.", valueName: "batch.yaml")) var batch: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let loaded = try loadBatch(batch, cli)
            let summary = try database.open().addBatch(loaded, source: batch, now: try CLIClock.now())
            print(cli(summary.phrase))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the batches in the store.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let batches = try database.open().batches()
            if batches.isEmpty { print(cli("report.empty")); return }
            let rows = [headings("id", "start", "district", "programme", "mode", "participants", "messages")]
                + batches.map { [$0.id, $0.start, $0.district, $0.programme, $0.mode, String($0.participants), String($0.messages)] }
            print(TextTable.render(rows), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one batch as stored.")
        @Argument(help: ArgumentHelp("The batch id.", valueName: "id")) var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            guard let batch = try store.batch(id) else {
                try storeCall { throw StoreError.unknownBatch(id, known: try store.batches().map(\.id)) }
                return
            }
            let t = cli
            let rule = t(batch.completion.postTest ? "batch.rulePostTest" : "batch.rule", ["sessions": String(batch.completion.sessions)])
            print("\(batch.name) (\(batch.id))")
            print(fields([
                (t("show.programme"), batch.programme), (t("show.district"), batch.district),
                (t("show.starts"), "\(batch.start) (\(batch.timezone))"),
                (t("show.delivery"), t("show.deliveryValue", ["mode": batch.mode, "sink": "\(batch.sink)"])),
                (t("show.participants"), String(batch.participants)),
                (t("show.messages"), t("show.planned", ["count": String(batch.messages)])),
                (t("show.completion"), rule), (t("show.source"), batch.source),
            ]), terminator: "")
        }
    }
}

struct MarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mark",
        abstract: "Record what happened off WhatsApp: a phone call, an in-person talk, or an excuse.",
        discussion: """
        `discussed` and `phoned` make the session's discussion `discussed` for that participant, even if it was missed; \
        `excused` sets it apart from missed. The participant may be given by phone number (any formatting), name or alias.

        Example: kelas mark gresik-2021-07 "Budi Santoso" --session 1 phoned --note "called, answered by phone"
        """
    )
    @Argument(help: ArgumentHelp("The batch id.", valueName: "batch")) var batch: String
    @Argument(help: ArgumentHelp("Phone number, name or alias.", valueName: "participant")) var participant: String
    @Option(help: "The session number.") var session: Int
    @Argument(help: ArgumentHelp("discussed, phoned or excused.", valueName: "what")) var kind: MarkKind
    @Option(help: "A note to keep with the mark.") var note: String?
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var language: LanguageOption

    func run() throws {
        let store = try database.open()
        let phone = try storeCall {
            try store.mark(batchID: batch, participant: participant, session: session, kind: kind, note: note, now: try CLIClock.now())
        }
        print(cli("cli.marked", ["phone": "\(phone)", "session": String(session), "batch": batch, "mark": cli("mark." + kind.rawValue).lowercased()]))
    }
}

extension MarkKind: ExpressibleByArgument {}

struct OptOutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optout",
        abstract: "Who has opted out of a batch's messages; record an opt-out or opt-in an admin was told of.",
        discussion: """
        A participant who writes only STOP, BERHENTI, KELUAR or UNSUBSCRIBE (the batch file's `opt-out: { stop: […] }` \
        replaces the list) is opted out: no more 1:1 messages (skipped, with the reason), no reminder names them; a post \
        to a gateway group still reaches the whole group, so the list tells the admin whom to remove. MULAI or START \
        (`opt-out: { start: […] }`) opts them back in. Opted-out participants stay in every denominator, and reports say so.

        Examples:
          kelas optout list gresik-2021-07
          kelas optout add gresik-2021-07 "Budi Santoso" --note "asked by phone"
          kelas optout remove gresik-2021-07 "Budi Santoso"
        """,
        subcommands: [List.self, Add.self, Remove.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Those opted out of a batch now, since when and how.")
        @Argument(help: ArgumentHelp("The batch id.", valueName: "batch")) var batch: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            let states = try storeCall { try store.optOuts(batchID: batch) }
            if states.isEmpty { print(cli("optout.nobody", ["batch": batch])); return }
            let format = ISO8601DateFormatter()
            print(TextTable.render([headings("phone", "since", "how")] + states.values.sorted { $0.at < $1.at }.map {
                [$0.phone.e164, format.string(from: $0.at), $0.how]
            }), terminator: "")
            print(cli("optout.count", ["count": String(states.count), "batch": batch]))
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a participant opted out.")
        @Argument(help: ArgumentHelp("The batch id.", valueName: "batch")) var batch: String
        @Argument(help: ArgumentHelp("Phone number, name or alias.", valueName: "participant")) var participant: String
        @Option(help: "A note to keep with it.") var note: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            let phone = try storeCall { try store.setOptOut(batchID: batch, participant: participant, optedOut: true, note: note, now: try CLIClock.now()) }
            print(cli("optout.added", ["phone": "\(phone)", "batch": batch]))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a participant opted back in.")
        @Argument(help: ArgumentHelp("The batch id.", valueName: "batch")) var batch: String
        @Argument(help: ArgumentHelp("Phone number, name or alias.", valueName: "participant")) var participant: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            let phone = try storeCall { try store.setOptOut(batchID: batch, participant: participant, optedOut: false, note: nil, now: try CLIClock.now()) }
            print(cli("optout.removed", ["phone": "\(phone)", "batch": batch]))
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "One row per participant, one column per prompt: who answered, who needs a phone call.",
        discussion: """
        Symbols: R replied in writing · V voice note · D discussed (a trainer took it up, or a mark) · ✗ missed · \
        E excused · · pending. The denominator is every registered participant.
        """
    )
    @Argument(help: ArgumentHelp("The batch id.", valueName: "batch")) var batch: String
    @Option(help: ArgumentHelp("id or en (default: KELAS_LANG, else the terminal's locale).", valueName: "id|en")) var lang: Language?
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let t = try cliLocalizer(lang)
        let store = try database.open()
        let now = try CLIClock.now()
        let status = try storeCall { try store.status(batchID: batch, now: now) }
        let optOuts = try storeCall { try store.optOuts(batchID: batch) }
        print(StatusRenderer.table(status, optOuts: optOuts, t), terminator: "")
    }
}

enum StatusRenderer {
    static func table(_ status: BatchStatus, optOuts: [PhoneNumber: OptOutState] = [:], _ t: Localizer = Localizer(.en)) -> String {
        let headers = status.columns.map { column -> String in
            if let survey = column.survey { return t(survey == .pre ? "column.pre" : "column.post").uppercased() }
            if let session = column.session { return t("column.session", ["session": String(session)]) }
            return column.key
        }
        var rows = [[t("column.participant").uppercased(), t("status.phone")] + headers + [t("status.done"), t("status.call")]]
        for row in status.rows {
            rows.append([row.name, row.phone.e164] + row.states.map(\.symbol)
                        + [row.completed ? t("status.yes") : "", row.needsCall ? t("status.callMark") : ""])
        }
        func percent(_ count: Int) -> String { t.percent(count, of: status.registered) }
        var out = TextTable.render(rows)
        out += "\n" + t("status.summary", ["registered": t.integer(status.registered), "active": t.integer(status.active),
                                           "activePercent": percent(status.active), "completed": t.integer(status.completed),
                                           "completedPercent": percent(status.completed)]) + "\n"
        let calls = status.rows.filter(\.needsCall).map(\.name)
        out += (calls.isEmpty ? t("status.noCalls") : t("status.calls", ["names": calls.joined(separator: ", ")])) + "\n"
        let out2 = status.rows.compactMap { row in optOuts[row.phone].map { "\(row.name) (\($0.how))" } }
        if !out2.isEmpty {
            out += t("status.optedOut", ["count": String(out2.count), "names": out2.joined(separator: ", ")]) + "\n"
        }
        return out
    }
}
