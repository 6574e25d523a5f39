import ArgumentParser
import Dispatch
import Foundation
import KelasCore
import KelasDelivery

/// Writes a line to standard error, where diagnostics go so that standard output stays machine-readable.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Loads a batch file; on errors prints each diagnostic (in `t`'s language) and exits with status 1. Warnings go to
/// standard error.
func loadBatch(_ path: String, _ t: Localizer) throws -> LoadedBatch {
    do {
        let loaded = try BatchFile.load(path: path)
        for warning in loaded.warnings { printError(warning.text(t)) }
        return loaded
    } catch {
        printFailure(error, t)
        printError(t("cli.fixThenValidate", ["path": path], parts: ["errors": .count(error.errors.count, "validate.error")]))
        throw ExitCode(1)
    }
}

/// Every problem of a failed load, in `t`'s language.
func printFailure(_ failure: ValidationFailure, _ t: Localizer) {
    for diagnostic in failure.diagnostics { printError(diagnostic.text(t)) }
}

/// `--lang id|en` for a command's words; without it, `KELAS_LANG`, else the terminal's locale, else English.
/// Given, it becomes the run's `KELAS_LANG`, so every message of the run — errors from deep inside too — speaks it.
struct LanguageOption: ParsableArguments {
    @Option(help: ArgumentHelp("id or en (default: KELAS_LANG, else the terminal's locale).", valueName: "id|en"))
    var lang: Language?

    func validate() throws {
        if let lang { setenv("KELAS_LANG", lang.rawValue, 1) }
        do { _ = try LanguagePreference.fromEnvironment() } catch let error as UnknownLanguage { throw ValidationError(error.description) }
    }

    func localizer() throws -> Localizer { try cliLocalizer(lang) }
}

/// A record's `  label  value` lines (`kelas batch show`, `outbox show`, `inbox show`), the labels aligned.
func fields(_ rows: [(String, String)]) -> String { TextTable.render(rows.map { ["  " + $0.0, $0.1] }) }

/// A table's headings, upper-case in the run's language: `headings("id", "start")` → `ID`, `MULAI`.
func headings(_ names: String...) -> [String] { names.map { cli("head." + $0).uppercased() } }

/// The words of this run: `--lang` (made the run's `KELAS_LANG`), else `KELAS_LANG`, else the terminal's locale, else
/// English. An unknown `KELAS_LANG` is refused when the command starts (`LanguageOption.validate`).
var cli: Localizer { Localizer((try? LanguagePreference.fromEnvironment(LanguagePreference.variables())) ?? .en) }

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

/// The commands' clock: the wall clock, or — with `KELAS_NOW` set to an ISO 8601 time — that time when the command
/// starts, running on at the wall clock's pace. For rehearsing a batch's week and for tests that must not depend on
/// today's date.
enum CLIClock {
    static let origin = Date()
    static let start: Result<Date?, CLIClockError> = {
        guard let text = ProcessInfo.processInfo.environment["KELAS_NOW"], !text.isEmpty else { return .success(nil) }
        guard let date = KelasTimeZone.instant(reading: text) else { return .failure(CLIClockError(text: text)) }
        return .success(date)
    }()

    /// Now, as the commands see it.
    static func now() throws -> Date { try dispatchClock().now() }

    /// The clock `kelas run` and `kelas serve` wait on.
    static func dispatchClock() throws -> any DispatchClock {
        guard let start = try start.get() else { return SystemClock() }
        return ScaledClock(start: start, speed: 1, wall: { Date() }, wait: { try await Task.sleep(nanoseconds: UInt64($0 * 1_000_000_000)) },
                           origin: origin)
    }
}

struct CLIClockError: Error, CustomStringConvertible {
    var text: String
    var description: String { "KELAS_NOW=\(text) is not an ISO 8601 time such as 2021-07-06T09:00:00+07:00; unset it to use the clock" }
}

/// The language of what a command prints: `--lang`, else `KELAS_LANG`, else the terminal's locale, else English.
/// An unknown `KELAS_LANG`, or catalogs missing from the build, stop the command with the reason.
func cliLocalizer(_ lang: Language?) throws -> Localizer {
    if let lang { setenv("KELAS_LANG", lang.rawValue, 1) }
    let language: Language
    do { language = try lang ?? LanguagePreference.fromEnvironment() } catch let error as UnknownLanguage {
        printError("error: \(error.description)")
        throw ExitCode(1)
    }
    if let problem = Localizer.problem(language) {
        printError("error: \(problem)")
        throw ExitCode(1)
    }
    return Localizer(language)
}
