import ArgumentParser
import KelasCore

extension PlanFormat: ExpressibleByArgument {}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print a batch's message plan: what is sent, to whom, and when (a dry run; nothing is sent).",
        discussion: """
        Times are local to the batch's time zone. Flags: `shifted` (moved by a quiet time or the send window), \
        `spaced` (moved a few seconds so one person gets at most one message per 6 s), `needs-template` \
        (fan-out to someone who has not written in 24 h: only an approved WhatsApp template reaches them), \
        `conditional` (a reminder, sent only to those who have not answered).

        Examples:
          kelas plan batch.yaml --day 1
          kelas plan batch.yaml --date 2021-07-06 --format json
          kelas plan batch.yaml --format markdown > plan.md
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
        let planner = Planner(batch: loaded.batch, curriculum: loaded.curriculum)
        let messages = selectedDay.map { planner.plan(day: $0) } ?? planner.plan()
        let renderer = PlanRenderer(batch: loaded.batch, day: selectedDay, messages: messages)
        print(try renderer.render(format), terminator: "")
    }
}
