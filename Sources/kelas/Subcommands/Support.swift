import ArgumentParser
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
