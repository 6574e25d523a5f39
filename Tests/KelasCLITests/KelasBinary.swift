import Foundation

/// Runs the built `kelas` executable as a user would, capturing its output and exit status.
struct KelasBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `kelas` built beside this test bundle (the test target depends on it, so it is always built first).
    static var url: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On macOS the runner lives inside `Kelas.xctest/Contents/MacOS`.
        while directory.pathExtension == "xctest" || ["Contents", "MacOS"].contains(directory.lastPathComponent) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("kelas")
    }

    /// The time every command acts at unless a test sets `KELAS_NOW`: the Monday after the example week.
    static let fixedNow = "2021-07-12T09:00:00+07:00"

    /// The repository root, for reading `examples/`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `kelas` to its end; `environment` is added to this process's (e.g. `KELAS_NOW`, so that no test depends
    /// on today's date).
    static func run(_ arguments: [String], in directory: URL = root, environment: [String: String] = [:]) throws -> Result {
        try run(arguments, in: directory, environment: environment) { _, _ in Data() }
    }

    /// Starts `kelas`, waits (on its standard error, not on a timer) for `ready`, sends it `signal`, and collects the rest.
    static func interrupt(_ arguments: [String], when ready: String, with signal: Int32,
                          environment: [String: String] = [:]) throws -> Result {
        try run(arguments, in: root, environment: environment) { process, err in
            var stderr = Data()
            while !String(decoding: stderr, as: UTF8.self).contains(ready) {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                stderr.append(chunk)
            }
            kill(process.processIdentifier, signal)
            return stderr
        }
    }

    /// Runs `kelas`; `meanwhile` may read the start of standard error (returned, to be kept) before the rest is read.
    private static func run(_ arguments: [String], in directory: URL, environment: [String: String],
                            meanwhile: (Process, Pipe) throws -> Data) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        // Every command acts at a fixed time unless the test says otherwise: no test depends on today's date.
        process.environment = ProcessInfo.processInfo.environment.merging(["KELAS_NOW": fixedNow, "KELAS_LANG": "en"].merging(environment) { $1 }) { $1 }
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var errData = try meanwhile(process, err)
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        errData.append(err.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
