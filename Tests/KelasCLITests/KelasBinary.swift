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

    /// The repository root, for reading `examples/`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ arguments: [String], in directory: URL = root) throws -> Result {
        try run(arguments, in: directory) { _, _ in Data() }
    }

    /// Starts `kelas`, waits (on its standard error, not on a timer) for `ready`, sends it `signal`, and collects the rest.
    static func interrupt(_ arguments: [String], when ready: String, with signal: Int32) throws -> Result {
        try run(arguments, in: root) { process, err in
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
    private static func run(_ arguments: [String], in directory: URL, meanwhile: (Process, Pipe) throws -> Data) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
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
