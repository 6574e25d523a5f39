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
        """
    )

    @Argument(help: ArgumentHelp("The batch file.", valueName: "batch.yaml"))
    var batch: String

    @Option(help: "The day of the week to print, 1 to 7.")
    var day: Int?

    @Option(help: ArgumentHelp("The local date to print, as YYYY-MM-DD.", valueName: "date"))
    var date: String?

    @Option(help: "table (for people), json (for programs) or markdown (for reports).")
    var format: PlanFormat = .table

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if day != nil && date != nil { throw ValidationError("Give --day or --date, not both.") }
        if let day, !(1...7).contains(day) { throw ValidationError("--day must be from 1 to 7, not \(day).") }
        if let date, LocalDate(date) == nil { throw ValidationError("--date must be a date as YYYY-MM-DD, not \(date).") }
    }

    func run() throws {
        let loaded = try loadBatch(batch)
        var selectedDay = day
        if let date, let localDate = LocalDate(date) {
            guard let found = loaded.batch.day(of: localDate) else {
                let end = loaded.batch.date(ofDay: 7)
                printError("error: \(date) is not in batch \(loaded.batch.id)'s week (\(loaded.batch.start) to \(end)); use --day 1 to 7 or a date in that week.")
                throw ExitCode(1)
            }
            selectedDay = found
        }
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
        let renderer = PlanRenderer(batch: loaded.batch, day: selectedDay, messages: messages)
        print(try renderer.render(format), terminator: "")
    }
}
