import ArgumentParser
import Foundation
import KelasCore
import KelasStore

struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "The pre- and post-test results: scores, change, agreement and champions; the answers that need a person.",
        discussion: """
        A survey item of the curriculum that names an instrument (`instrument: adil-gender`) is scored: each \
        participant's replies to it are read as answers — numbered lines (1. setuju, 2 TS, 3) ragu), one answer per \
        statement in order (S TS R S S, 1 3 2 2 1, a c b), keywords in Indonesian and English — over as many messages \
        as they take. A voice note, or a reply not read with confidence, waits in `kelas results review` and does not \
        count until a trainer types its answers with `kelas results set`.

        Figures per group: registered → took the pre-test → took the post-test → both; mean scores; the paired change \
        (mean, 95 % interval from the t distribution, Cohen's d_z); each indicator — by default agreement on equal \
        access at the post-test and champions, or those of `--indicators FILE` — as a count of registered and of those \
        tested, with McNemar's test before and after for a rule about the post-test alone. Percentages are of \
        registered participants, and the rules (bands, indicators) are printed with every table.

        Examples:
          kelas results                                  per batch
          kelas results --by district --format csv > results.csv
          kelas results --indicators indicators.yaml     your own indicators (see the README)
          kelas results review gresik-2021-07            what needs a person
          kelas results set gresik-2021-07 "Cahyo Prasetyo" --survey pre "1=S 2=TS 3=R 4=S 5=S 6=S 7=TS 8=S 9=S 10=S 11=S 12=S"
          kelas results import pre-test.csv --batch gresik-2021-07 --survey pre      a KoboToolbox, ODK or Google Forms export
        """,
        subcommands: [Show.self, Review.self, Set.self, Import.self],
        defaultSubcommand: Show.self
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Results per batch, district, programme, year, programme year, disability or trainer.")
        @Option(help: ArgumentHelp("batch, district, programme, year (calendar), programme-year (12 months from the first batch), disability or trainer.", valueName: "grouping"))
        var by: ResultsGrouping = .batch
        @Option(help: ArgumentHelp("table, csv, json or markdown.", valueName: "format")) var format: Format = .table
        @Option(help: ArgumentHelp("Only this batch (repeat for several).", valueName: "id")) var batch: [String] = []
        @OptionGroup var indicators: IndicatorOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, markdown }

        func run() throws {
            let store = try database.open()
            let now = try CLIClock.now()
            let indicators = try indicators.load(store)
            let participants = try storeCall { try store.participantResults(batchIDs: batch.isEmpty ? nil : batch, now: now) }
            let t = try language.localizer()
            let results = ProgrammeResults(participants, by: by, indicators: indicators, language: t.language)
            switch format {
            case .table: print(ResultsRenderer.table(results, t), terminator: "")
            case .csv: print(ResultsRenderer.csv(results), terminator: "")
            case .json: print(try ResultsRenderer.json(results), terminator: "")
            case .markdown: print(ResultsRenderer.markdown(results, t), terminator: "")
            }
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Survey replies that need a person: voice notes and replies not read with confidence.")
        @Argument(help: ArgumentHelp("Only this batch.", valueName: "batch")) var batch: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            let entries = try storeCall { try store.reviewQueue(batchID: batch, now: try CLIClock.now()) }
            if entries.isEmpty { print(cli("review.none")); return }
            let format = ISO8601DateFormatter()
            print(TextTable.render([headings("batch", "participant", "survey", "sent", "reply", "why")] + entries.map {
                [$0.batchID, $0.name, $0.survey.rawValue, format.string(from: $0.item.at),
                 $0.item.text.map { String($0.replacingOccurrences(of: "\n", with: " ⏎ ").prefix(60)) } ?? "🎤", $0.item.reason]
            }), terminator: "")
            print(cli("review.count", ["count": String(entries.count)]))
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a participant's answers typed by a trainer (from a voice note or a call).")
        @Argument(help: ArgumentHelp("The batch.", valueName: "batch")) var batch: String
        @Argument(help: ArgumentHelp("The participant: phone, name or alias.", valueName: "person")) var person: String
        @Option(help: ArgumentHelp("pre or post.", valueName: "survey")) var survey: SurveyKind
        @Argument(help: ArgumentHelp("The answers, as `1=S 2=TS 3=R …` (S setuju, R ragu-ragu, TS tidak setuju).", valueName: "answers"))
        var answers: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            guard let instrument = try storeCall({ try store.instrument(batchID: batch) }) else {
                printError(cli("cli.error", ["problem": cli("results.noInstrument", ["batch": batch])]))
                throw ExitCode(1)
            }
            let parsed: [Int: Int]
            switch instrument.typedAnswers(answers) {
            case .success(let read): parsed = read
            case .failure(let problem): printError(cli("cli.error", ["problem": cli(problem.phrase)])); throw ExitCode(1)
            }
            let phone = try storeCall {
                try store.setAnswers(batchID: batch, participant: person, survey: survey, answers: parsed, source: "trainer", now: try CLIClock.now())
            }
            let score = instrument.score(parsed)
            let values = ["count": String(parsed.count), "survey": survey.rawValue, "phone": phone.masked, "batch": batch,
                          "score": score.map { cli.decimal($0.total, digits: 0) } ?? "", "of": cli.decimal(instrument.range.upperBound, digits: 0),
                          "needed": String(instrument.minimumAnswered)]
            print(cli(score == nil ? "results.recordedNoScore" : "results.recorded", values))
        }
    }
}

extension ResultsCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a pre- or post-test from a form export (KoboToolbox, ODK Central, Google Forms CSV).",
            discussion: """
            Columns answer statements by their text, in Indonesian or English (group paths such as `sikap/…` or \
            `sikap-…` are fine), or by the statement's id; a --map file names the rest. Rows are matched to the \
            batch's participants by a phone column (any formatting), else by a name column. Unmatched rows, answers \
            that are none of the options, columns that answer nothing and statements no column answers are listed: \
            nothing is dropped unseen. One transaction; importing the same export again changes nothing.

            A --map file is YAML, column header → statement number or id:
              "Q8. Akses yang sama": 8
              group_sikap/q_rumah: rumah-tugas-perempuan
            """
        )
        @Argument(help: ArgumentHelp("The CSV export.", valueName: "file")) var file: String
        @Option(help: ArgumentHelp("The batch it belongs to.", valueName: "id")) var batch: String
        @Option(help: ArgumentHelp("pre or post.", valueName: "survey")) var survey: SurveyKind
        @Option(help: ArgumentHelp("A YAML file mapping column headers to statements.", valueName: "file")) var map: String?
        @Flag(help: "Read and match, store nothing.") var dryRun = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            guard let instrument = try storeCall({ try store.instrument(batchID: batch) }) else {
                printError(cli("cli.error", ["problem": cli("results.noInstrument", ["batch": batch])]))
                throw ExitCode(1)
            }
            let log = DiagnosticLog()
            let mapping = map.flatMap { FormExport.loadMap(path: $0, instrument: instrument, log: log) } ?? [:]
            let export = log.hasErrors ? nil : FileLimits.readCSV(file, log: log).flatMap {
                FormExport.read($0, file: file, instrument: instrument, map: mapping, log: log)
            }
            guard let export, !log.hasErrors else {
                for diagnostic in log.sorted { printError(diagnostic.text(cli)) }
                printError(cli("import.nothing", ["file": file]))
                throw ExitCode(1)
            }
            print(cli("import.read", ["file": file, "style": export.style.rawValue, "rows": String(export.rows.count),
                                      "columns": String(export.columns.count), "statements": String(instrument.statements.count)]))
            let missing = export.missingStatements(of: instrument)
            if !missing.isEmpty { print("  " + cli("import.noColumn", ["statements": missing.map { String($0 + 1) }.joined(separator: ", ")])) }
            if !export.unusedColumns.isEmpty {
                print("  " + cli("import.unused", ["columns": export.unusedColumns.map { "`\($0)`" }.joined(separator: ", ")]))
            }
            let unknown = export.rows.flatMap(\.unknown)
            for answer in unknown.prefix(20) {
                print("  " + cli("import.unknownAnswer", ["line": String(answer.line), "value": answer.value, "column": answer.column]))
            }
            if unknown.count > 20 { print("  " + cli("import.moreUnknown", ["count": String(unknown.count - 20)])) }
            if dryRun { return }
            let summary = try storeCall { try store.importForm(export, batchID: batch, survey: survey, now: try CLIClock.now()) }
            print(cli("import.matched", ["matched": String(summary.byPhone + summary.byName), "rows": String(summary.rows),
                                         "phone": String(summary.byPhone), "name": String(summary.byName), "stored": String(summary.stored),
                                         "unchanged": String(summary.unchanged)]))
            for row in summary.unmatched { print("  " + cli("import.unmatched", ["line": String(row.line), "batch": batch, "who": row.who])) }
            if !summary.repeated.isEmpty { print("  " + cli("import.repeated", ["names": summary.repeated.joined(separator: ", ")])) }
        }
    }
}

extension ResultsGrouping: ExpressibleByArgument {}
extension SurveyKind: ExpressibleByArgument {}

/// `--indicators FILE`: the indicators to count instead of the programme's two, checked against the store.
struct IndicatorOptions: ParsableArguments {
    @Option(name: .customLong("indicators"), help: ArgumentHelp(
        "An indicators file (default: the programme's agreement and champion; see the README).", valueName: "file"))
    var path: String?

    /// The indicators, with every error at its line (a rule naming a statement, answer, band or prompt that no
    /// instrument or curriculum in the store has is an error too); exits 1 on errors.
    func load(_ store: KelasDatabase) throws -> [Indicator] {
        guard let path else { return Indicator.defaults }
        let log = DiagnosticLog()
        let loaded: IndicatorFile.Loaded?
        do { loaded = try IndicatorFile.load(path: path) } catch {
            log.append(contentsOf: error.diagnostics)
            loaded = nil
        }
        if let loaded {
            let context = try storeCall { try store.indicatorContext() }
            IndicatorFile.check(loaded, instruments: context.instruments, prompts: context.prompts, log: log)
            if !log.hasErrors { return loaded.indicators }
        }
        for diagnostic in log.sorted { printError(diagnostic.text(cli)) }
        printError(cli("results.indicatorErrors", ["path": path], parts: ["errors": .count(log.sorted.count { $0.severity == .error }, "validate.error")]))
        throw ExitCode(1)
    }
}
