import ArgumentParser
import KelasCore

@main
struct KelasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kelas",
        abstract: "Plan, send, track and report WhatsApp e-training batches.",
        discussion: """
        A batch is one WhatsApp group for one week: a batch file (YAML) names its trainers, admin, \
        participants (CSV) and curriculum (YAML, or the built-in `adil-gender`).

        Start here:
          kelas init my-batch                       write a ready example workspace
          kelas validate my-batch/batch.yaml        check it, with every problem and its fix
          kelas plan my-batch/batch.yaml --day 2    print day 2's messages (a dry run)
        """,
        version: "0.1.0",
        subcommands: [InitCommand.self, ValidateCommand.self, PlanCommand.self, BatchCommand.self, IngestCommand.self, MarkCommand.self, StatusCommand.self, ReportCommand.self, RunCommand.self, OutboxCommand.self, SimulateCommand.self, ServeCommand.self, ResultsCommand.self, InboxCommand.self, BackupCommand.self, OptOutCommand.self, AccessCommand.self]
    )
}
