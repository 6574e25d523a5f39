import ArgumentParser
import Dispatch
import Foundation
import KelasCore

/// Writes a line to standard error, where diagnostics go so that standard output stays machine-readable.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Loads a batch file; on errors prints each diagnostic and exits with status 1. Warnings go to standard error.
func loadBatch(_ path: String) throws -> LoadedBatch {
    do {
        let loaded = try BatchFile.load(path: path)
        for warning in loaded.warnings { printError(warning.description) }
        return loaded
    } catch {
        for diagnostic in error.diagnostics { printError(diagnostic.description) }
        printError("\(path): \(error.errors.count) error\(error.errors.count == 1 ? "" : "s"); run `kelas validate \(path)` after fixing.")
        throw ExitCode(1)
    }
}

/// Waits for `task`; Ctrl-C (SIGINT) or SIGTERM cancels it, after saying `stopping`. `banner` is printed once both
/// handlers are registered with the system, so a signal sent after it is never lost (before registration, an
/// ignored signal would be).
func untilStopped<T: Sendable>(_ task: Task<T, any Error>, banner: String, stopping: String) async throws -> T {
    let registered = DispatchGroup()
    let signals = [SIGINT, SIGTERM].map { signal -> any DispatchSourceSignal in
        Foundation.signal(signal, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signal, queue: .main)
        source.setEventHandler {
            printError(stopping)
            task.cancel()
        }
        registered.enter()
        source.setRegistrationHandler { registered.leave() }
        source.resume()
        return source
    }
    defer { signals.forEach { $0.cancel() } }
    registered.notify(queue: .main) { printError(banner) }
    return try await task.value
}
