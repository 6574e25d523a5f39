import ArgumentParser
import Foundation
import KelasCore
import KelasStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports: completion per batch, district, programme or trainer (the default); the programme report.",
        subcommands: [Completion.self, Programme.self],
        defaultSubcommand: Completion.self
    )
}

extension ReportCommand {
  struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Completion per batch, district, programme or trainer: registered, active, completed, replies, voice notes.",
        discussion: """
        Columns: REGISTERED participants (the denominator of every percentage) · ACTIVE answered at least one prompt · \
        COMPLETED met the batch's completion rule (default: answered in 2 sessions and the post-test) · REPLIES answers \
        in writing or with a photo, video or document · VOICE NOTES · AWAITING discussion answers no trainer has taken up \
        · DROP-OUTS answered before, then missed at least the last two prompts that closed · OPTED OUT wrote STOP (or \
        an admin recorded it): no more messages to them, still counted among the registered.

        --by district uses each participant's district (else the batch's). --by trainer counts a participant under \
        every trainer of their batch; the TOTAL row counts each participant once. --format csv is UTF-8 with a byte-order \
        mark and a header row, so it opens cleanly in a spreadsheet.

        Examples:
          kelas report
          kelas report --by district --format csv > completion.csv
        """
    )
    @Option(help: ArgumentHelp("batch, district, programme or trainer.", valueName: "grouping")) var by: ReportGrouping = .batch
    @Option(help: ArgumentHelp("table, csv or json.", valueName: "format")) var format: Format = .table
    @Option(name: .customLong("batch"), help: ArgumentHelp("Only these batches (repeat the option; default: all).", valueName: "id"))
    var batches: [String] = []
    @Option(help: ArgumentHelp("The language of the table: id or en (default: KELAS_LANG, else the terminal's locale); CSV and "
                               + "JSON keep English keys and numbers.", valueName: "id|en"))
    var lang: Language?
    @OptionGroup var database: DatabaseOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    func run() throws {
        let t = try cliLocalizer(lang)
        let store = try database.open()
        let report = try storeCall { try store.report(by: by, batchIDs: batches.isEmpty ? nil : batches, now: try CLIClock.now()) }
        switch format {
        case .table: print(ReportRenderer.table(report, t), terminator: "")
        case .csv: FileHandle.standardOutput.write(Data(ReportRenderer.csv(report).utf8))
        case .json: print(try ReportRenderer.json(report), terminator: "")
        }
    }
  }

  struct Programme: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programme",
        abstract: "The programme's report: totals, by year and strand, disability, indicators, the pre/post change, attrition.",
        discussion: """
        Generated from every batch in the store (or --batch ones): what the programme reported by hand. Indonesian by \
        default (--lang en for English); Markdown, or HTML that prints cleanly to PDF from a browser and draws the pre \
        and post scores as bars.

        Examples:
          kelas report programme > laporan.md
          kelas report programme --lang en --format html > report.html
        """
    )
    @Option(help: ArgumentHelp("id or en.", valueName: "language")) var lang: Language = .id
    @Option(help: ArgumentHelp("markdown or html.", valueName: "format")) var format: Format = .markdown
    @Option(name: .customLong("batch"), help: ArgumentHelp("Only these batches (repeat the option; default: all).", valueName: "id"))
    var batches: [String] = []
    @OptionGroup var indicators: IndicatorOptions
    @OptionGroup var database: DatabaseOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, html }

    func run() throws {
        let store = try database.open()
        let indicators = try indicators.load(store)
        let participants = try storeCall { try store.participantResults(batchIDs: batches.isEmpty ? nil : batches, now: try CLIClock.now()) }
        let periods = try store.batches().filter { batches.isEmpty || batches.contains($0.id) }.compactMap(\.period)
        let report = ProgrammeReport(participants: participants, batches: periods, indicators: indicators, language: lang)
        print(format == .markdown ? report.markdown : report.html, terminator: "")
    }
  }
}


extension ReportGrouping: ExpressibleByArgument {}
