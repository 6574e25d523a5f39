import ArgumentParser
import KelasCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check batch, curriculum, participant, instrument and indicator files; print every problem with its fix.",
        discussion: """
        Each problem is printed as FILE:LINE:COLUMN: error|warning: what is wrong, then how to fix it. \
        A batch file is checked together with the curriculum and participants it names. \
        The kind of each file is told by its content: .csv is a participants list, YAML with `days:` a curriculum, \
        with `statements:` an instrument, with `indicators:` an indicators file, other YAML a batch.

        Exit status: 0 when there are no errors (warnings allowed), 1 when any file has an error.
        """
    )

    @Argument(help: ArgumentHelp("Files to check.", valueName: "file"))
    var files: [String]

    @Flag(name: .shortAndLong, help: "Print only problems, not the summary of each file.")
    var quiet = false

    @OptionGroup var language: LanguageOption

    func run() throws {
        let t = try language.localizer()
        let report = Validator.validate(paths: files)
        for diagnostic in report.diagnostics {
            printError(diagnostic.text(t))
        }
        if !quiet {
            for summary in report.summaries { print(t("validate.ok"), t(summary)) }
            print(t(report.tally))
        }
        if report.errorCount > 0 { throw ExitCode(1) }
    }
}
