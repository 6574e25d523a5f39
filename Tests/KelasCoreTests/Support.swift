import Foundation
@testable import KelasCore

/// A temporary folder holding the example workspace, which a test may edit before loading.
struct Workspace {
    let directory: URL

    init(files: [String: String] = ExampleWorkspace.files) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Replaces the first occurrence of `old` in file `name`; fails the test setup if it is not there.
    func edit(_ name: String, replacing old: String, with new: String) throws {
        let text = try read(name)
        guard let range = text.range(of: old) else { throw SetupError("`\(old)` not found in \(name)") }
        try write(name, text.replacingCharacters(in: range, with: new))
    }

    /// The 1-based line of the first line containing `needle` in file `name`.
    func line(of needle: String, in name: String) throws -> Int {
        let lines = try read(name).components(separatedBy: "\n")
        guard let index = lines.firstIndex(where: { $0.contains(needle) }) else { throw SetupError("`\(needle)` not in \(name)") }
        return index + 1
    }

    func validate(_ names: [String] = ["batch.yaml"]) -> ValidationReport {
        Validator.validate(paths: names.map(path))
    }
}

struct SetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ValidationReport {
    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    func errors(containing text: String) -> [Diagnostic] { errors.filter { $0.message.contains(text) } }
}

/// Participants CSV text with `count` valid, distinct participants.
func participantsCSV(count: Int) -> String {
    var lines = ["name,phone"]
    for index in 0..<count { lines.append("Peserta \(index + 1),0813-5555-\(String(format: "%04d", index))") }
    return lines.joined(separator: "\n") + "\n"
}

/// Loads a batch from the example workspace after edits; throws the diagnostics if it does not load.
func loadExample(_ edit: (Workspace) throws -> Void = { _ in }) throws -> LoadedBatch {
    let workspace = try Workspace()
    try edit(workspace)
    return try BatchFile.load(path: workspace.path("batch.yaml"))
}
