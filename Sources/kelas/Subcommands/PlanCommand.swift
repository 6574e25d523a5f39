import ArgumentParser
import Foundation
import KelasCore
import KelasStore

extension PlanFormat: ExpressibleByArgument {}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print a batch's message plan: what is sent, to whom, and when (a dry run; nothing is sent).",
        discussion: """
        Times are local to the batch's time zone. Flags: `shifted` (moved by a quiet time or the send window), \
        `spaced` (moved a few seconds so one person gets at most one message per 6 s), `conditional` (a reminder, \
        sent only to those who have not answered).

        Fan-out through the Cloud API reaches a person with free-form text only within 24 h of their last message. \
        From the messages in the store (if there is one), each message is flagged with the way it would go: no flag \
        (window open: free-form), `template` (the item's approved template goes instead), `reengage` (the batch's \
        re-engagement template goes first; the message waits for a reply), `needs-template` (no template is \
        configured: the Cloud API would refuse it). The dispatcher decides again when it sends.

        Examples:
          kelas plan batch.yaml --day 1
          kelas plan batch.yaml --date 2021-07-06 --format json
          kelas plan batch.yaml --format markdown > plan.md
          kelas plan batch.yaml --day 2 --database kelas.sqlite   # fan-out: windows as the store knows them
          kelas plan --today                                       # every batch in the store running today
          kelas plan batch.yaml --today --lang id                  # this morning's dry run, in Indonesian
        """
    )

    @Argument(help: ArgumentHelp("The batch file (with --today it may be left out: every batch in the store running today).",
                                 valueName: "batch.yaml"))
    var batch: String?

    @Option(help: "The day of the week to print, 1 to 7.")
    var day: Int?

    @Option(help: ArgumentHelp("The local date to print, as YYYY-MM-DD.", valueName: "date"))
    var date: String?

    @Flag(help: "Today's plan (in each batch's own time zone): of the file, or of every batch in the store running today.")
    var today = false

    @Option(help: "table (for people), json (for programs) or markdown (for reports).")
    var format: PlanFormat = .table

    @Option(help: ArgumentHelp("The language of the table and Markdown: id or en (default: KELAS_LANG, else the terminal's locale).",
                               valueName: "id|en"))
    var lang: Language?

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        let t = lang.map { Localizer($0) } ?? cli
        if [day != nil, date != nil, today].count(where: { $0 }) > 1 { throw ValidationError(t("plan.oneOf")) }
        if let day, !(1...7).contains(day) { throw ValidationError(t("plan.day", ["day": String(day)])) }
        if let date, LocalDate(date) == nil { throw ValidationError(t("plan.date", ["date": date])) }
        if batch == nil && !today { throw ValidationError(t("plan.nameFile")) }
    }

    func run() throws {
        let t = try cliLocalizer(lang)
        guard let batch else { return try printTodayFromStore(t) }
        let loaded = try loadBatch(batch, t)
        var selectedDay = day
        let wanted = try date.flatMap(LocalDate.init) ?? (today ? Self.today(in: loaded.batch.timeZone) : nil)
        if let localDate = wanted {
            guard let found = loaded.batch.day(of: localDate) else {
                let end = loaded.batch.date(ofDay: 7)
                printError(t("cli.error", ["problem": t("plan.notInWeek", ["date": "\(localDate)", "batch": loaded.batch.id, "start": "\(loaded.batch.start)",
                                                                          "end": "\(end)"])]))
                throw ExitCode(1)
            }
            selectedDay = found
        }
        print(try render(loaded, day: selectedDay, t), terminator: "")
    }

    /// The local date now in `zone`.
    static func today(in zone: TimeZone) throws -> LocalDate {
        KelasTimeZone.localDate(try CLIClock.now(), in: zone)
    }

    /// The plan of one loaded batch (one day, or the week), routed by what the store knows of each 24-hour window.
    func render(_ loaded: LoadedBatch, day selectedDay: Int?, _ t: Localizer) throws -> String {
        var planner = Planner(batch: loaded.batch, curriculum: loaded.curriculum)
        if loaded.batch.delivery.mode == .fanout {
            // What is known now of each participant's 24-hour window: read from the store when there is one (a dry run
            // never creates it).
            let path = database.path ?? KelasDatabase.defaultPath()
            if FileManager.default.fileExists(atPath: path) {
                let windows = try storeCall {
                    try database.open().conversationWindows(phones: loaded.batch.participants.map(\.phone), now: try CLIClock.now())
                }
                planner.lastInbound = windows.compactMapValues(\.lastInbound)
                planner.windowClosed = windows.compactMapValues(\.closedAt)
            }
        }
        let messages = selectedDay.map { planner.plan(day: $0) } ?? planner.plan()
        return try PlanRenderer(batch: loaded.batch, day: selectedDay, messages: messages, localizer: t).render(format)
    }

    /// `kelas plan --today` without a file: every batch in the store whose week holds today, each from the batch file
    /// it was added from (the files stay the source of truth).
    func printTodayFromStore(_ t: Localizer) throws {
        let path = database.path ?? KelasDatabase.defaultPath()
        guard FileManager.default.fileExists(atPath: path) else {
            printError(t("cli.error", ["problem": t("plan.noStore", ["path": path])]))
            throw ExitCode(1)
        }
        let store = try database.open()
        var printed = 0
        for stored in try storeCall({ try store.batches() }) {
            let date = try Self.today(in: stored.timeZone)
            guard stored.runs(on: date) else { continue }
            guard FileManager.default.fileExists(atPath: stored.source) else {
                printError(t("cli.warning", ["problem": t("plan.noFile", ["batch": stored.id, "file": stored.source])]))
                continue
            }
            let loaded = try loadBatch(stored.source, t)
            if printed > 0 && format != .json { print("") }
            print(try render(loaded, day: loaded.batch.day(of: date), t), terminator: "")
            printed += 1
        }
        if printed == 0 {
            let date = try Self.today(in: KelasTimeZone.resolve("Asia/Jakarta") ?? .gmt)
            print(t("plan.todayNone", ["store": path, "date": t.longDate(date)]))
        }
    }
}
