import ArgumentParser
import Foundation
import KelasCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a ready example workspace: batch.yaml, participants.csv and curriculum.yaml.",
        discussion: """
        The example is a 24-participant group in Gresik following the built-in adil-gender curriculum. \
        It validates and plans as written; edit it into your own batch. Existing files are never overwritten \
        unless you pass --force.
        """
    )

    @Argument(help: ArgumentHelp("The folder to write into; created if missing.", valueName: "dir"))
    var directory: String = "."

    @Flag(help: "Overwrite files that already exist.")
    var force = false

    @OptionGroup var language: LanguageOption

    func run() throws {
        let written: [String]
        do { written = try ExampleWorkspace.write(to: directory, overwrite: force) } catch let error as WorkspaceWriteError {
            printError(cli("cli.error", ["problem": cli(error.phrase)]))
            throw ExitCode(1)
        }
        for path in written { print(cli("cli.wrote", ["file": path])) }
        let batch = (directory as NSString).appendingPathComponent("batch.yaml")
        print(cli("init.next", ["batch": batch]))
    }
}
