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

    func run() throws {
        let written = try ExampleWorkspace.write(to: directory, overwrite: force)
        for path in written { print("wrote \(path)") }
        let batch = (directory as NSString).appendingPathComponent("batch.yaml")
        print("next: kelas validate \(batch) && kelas plan \(batch) --day 1")
    }
}
