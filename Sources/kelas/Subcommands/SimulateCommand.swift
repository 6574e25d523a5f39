import ArgumentParser
import Foundation
import KelasCore
import KelasStore

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a group's week with seeded participants and trainers, through the real planner, tracker and reports.",
        discussion: """
        Virtual time, no sleeping: a 100-person week takes milliseconds. The same batch, scenario and --seed give the \
        same week, byte for byte (the seed is printed). Participants answer prompts, send voice notes, go offline, drop \
        out and answer reminders; trainers take up answers and phone the silent at the end of a discussion's day \
        (recorded as marks). A scenario file (YAML) overrides any behaviour; see the README for every key and the \
        figure each default rests on.

        Examples:
          kelas simulate --seed 7                                the built-in example batch
          kelas simulate batch.yaml --participants 100 --report  a 100-person what-if, with the report of a real batch
          kelas simulate batch.yaml --scenario more-reminders.yaml --seed 7
          kelas simulate --export-chat week.txt --chat-style ios --transcript --html week.html
          kelas simulate --preset programme                      the seed programme: 77 batches, 2,029 participants
        """
    )

    enum Style: String, ExpressibleByArgument, CaseIterable { case android, ios }
    enum Preset: String, ExpressibleByArgument, CaseIterable { case programme }

    @Argument(help: ArgumentHelp("The batch file (default: the built-in example batch).", valueName: "batch.yaml")) var batch: String?
    @Option(help: "The random seed (default: from the clock, printed so the run can be replayed).") var seed: UInt64?
    @Option(help: ArgumentHelp("A scenario file (YAML) overriding behaviour and outcome parameters.", valueName: "file")) var scenario: String?
    @Option(help: ArgumentHelp("Simulate this many participants: the batch's own first, then made-up ones.", valueName: "n"))
    var participants: Int?
    @Option(help: ArgumentHelp("Simulate a whole programme instead of one batch: programme (the seed programme's 77 batches).",
                               valueName: "name")) var preset: Preset?
    @Flag(help: "Print the report a real batch would get (kelas report), by batch; with --preset, by district and programme.")
    var report = false
    @Option(name: .customLong("database"), help: ArgumentHelp("Keep the result in this SQLite store (default: in memory only).",
                                                              valueName: "file")) var database: String?
    @Option(help: ArgumentHelp("Write the group as a WhatsApp chat export (.txt).", valueName: "file")) var exportChat: String?
    @Option(help: "The phone that exported it: android or ios.") var chatStyle: Style = .android
    @Option(help: ArgumentHelp("The export's language: id or en (default: the batch's).", valueName: "id|en")) var chatLocale: Language?
    @Flag(help: "Print the chat, WhatsApp-like (time, author, text, 🎤 0:42 for voice notes).") var transcript = false
    @Option(help: ArgumentHelp("Write a self-contained HTML page that looks like the group chat, with the summary.", valueName: "file"))
    var html: String?

    func validate() throws {
        if let participants, participants < 1 { throw ValidationError("--participants must be at least 1") }
        if preset != nil {
            if batch != nil { throw ValidationError("--preset simulates its own batches: leave out the batch file") }
            if participants != nil || exportChat != nil || transcript || html != nil {
                throw ValidationError("--participants, --export-chat, --transcript and --html work on one batch, not with --preset")
            }
        }
    }

    func run() throws {
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
        let scenario = try loadScenario()
        let store = try openStore()
        if preset == .programme { return try runProgramme(seed: seed, scenario: scenario, store: store) }

        var loaded = try loadBatchOrExample()
        if let participants { loaded.batch = SyntheticPeople.resized(loaded.batch, to: participants, seed: seed) }
        if let database, try store.batch(loaded.batch.id) != nil {
            printError("error: batch \(loaded.batch.id) is already in \(database): a simulation would mix with its messages; "
                       + "use another --database file")
            throw ExitCode(1)
        }
        let week = Simulator(batch: loaded.batch, curriculum: loaded.curriculum, scenario: scenario, seed: seed).run()
        try storeCall { try store.store(week, source: "simulation seed \(seed)") }
        var totals = SimulationTotals()
        totals.add(week)
        let calls = week.calls.count, reached = week.calls.count { $0.reached }
        print("simulated \(week.batch.id): \(week.batch.participants.count) participants, seed \(seed) (replay with --seed \(seed))")
        print("  \(week.messages.count) messages (\(week.messages.count { $0.role == .trainer }) from trainers), "
              + "\(calls) phone calls (\(reached) reached), \(week.outcomes.count { $0.droppedOnDay != nil }) dropped out")
        for (label, value) in totals.lines.dropLast() { print("  \(label): \(value)") }
        if report {
            let result = try storeCall { try store.report(by: .batch, batchIDs: [week.batch.id], now: week.end) }
            print("")
            print(ReportRenderer.table(result), terminator: "")
        }
        if transcript { print(ChatRendering.transcript(week), terminator: "") }
        if let exportChat {
            let style = ChatExportStyle(platform: chatStyle == .ios ? .ios : .android, locale: chatLocale ?? week.batch.language)
            try write(ChatRendering.export(week, style: style), to: exportChat)
            printError("wrote \(exportChat): \(week.messages.count) messages as a \(chatStyle.rawValue) export; "
                       + "read it back with `kelas ingest chat \(exportChat) --batch \(week.batch.id)`")
        }
        if let html {
            try write(ChatRendering.html(week, summary: totals.lines), to: html)
            printError("wrote \(html)")
        }
    }

    func runProgramme(seed: UInt64, scenario: Scenario, store: KelasDatabase) throws {
        let log = DiagnosticLog()
        guard let text = BuiltinCurricula.text(for: "adil-gender"),
              let curriculum = CurriculumFile.decode(text, file: "builtin:adil-gender", log: log) else {
            printError("error: the built-in curriculum did not load: \(log.sorted.map(\.description).joined(separator: "; "))")
            throw ExitCode(1)
        }
        let batches = Programme.batches(seed: seed)
        let progress = Progress(total: batches.count)
        var totals = SimulationTotals()
        for (index, batch) in batches.enumerated() {
            let week = Simulator(batch: batch, curriculum: curriculum, scenario: scenario, seed: derivedSeed(seed, batch.id)).run()
            try storeCall { try store.store(week, source: "simulation seed \(seed)") }
            totals.add(week)
            progress.update(index + 1)
        }
        progress.finish()
        print("simulated the seed programme: \(batches.count) batches, \(totals.registered) participants, seed \(seed) (replay with --seed \(seed))")
        for (label, value) in totals.lines { print("  \(label): \(value)") }
        print(String(format: "  reported by the programme: agree %.1f%%, champions %.1f%%", Programme.reportedAgreement * 100,
                     Programme.reportedChampions * 100))
        if report {
            let end = batches.map { $0.start.adding(days: 8) }.max() ?? LocalDate(year: 2021, month: 12, day: 31)
            let now = KelasTimeZone.instant(end, LocalTime(secondsOfDay: 0), in: TimeZone(identifier: "Asia/Jakarta") ?? .gmt)
            for grouping in [ReportGrouping.district, .programme] {
                print("")
                print(ReportRenderer.table(try storeCall { try store.report(by: grouping, now: now) }), terminator: "")
            }
        }
    }

    func loadScenario() throws -> Scenario {
        guard let scenario else { return Scenario() }
        do { return try ScenarioFile.load(path: scenario) } catch {
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            printError("\(scenario): \(error.errors.count) error\(error.errors.count == 1 ? "" : "s") in the scenario")
            throw ExitCode(1)
        }
    }

    func openStore() throws -> KelasDatabase {
        do { return try database.map { try KelasDatabase(path: $0) } ?? KelasDatabase.inMemory() } catch {
            printError("error: cannot open the store \(database ?? "in memory"): \(error)")
            throw ExitCode(1)
        }
    }

    /// The batch file given, or the built-in example written to a temporary folder and loaded from there.
    func loadBatchOrExample() throws -> LoadedBatch {
        if let batch { return try loadBatch(batch) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-example-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        return try loadBatch(directory.appendingPathComponent("batch.yaml").path)
    }

    func write(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            printError("error: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(1)
        }
    }
}

extension Language: ExpressibleByArgument {}

/// A progress bar on standard error, drawn only when it is a terminal.
final class Progress {
    let total: Int
    let enabled = isatty(STDERR_FILENO) == 1
    private var shown = -1

    init(total: Int) { self.total = total }

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let width = 30, filled = done * width / total
        guard filled != shown || done == total else { return }
        shown = filled
        FileHandle.standardError.write(Data("\r[\(String(repeating: "█", count: filled))\(String(repeating: "·", count: width - filled))] \(done)/\(total)".utf8))
    }

    func finish() { if enabled { FileHandle.standardError.write(Data("\n".utf8)) } }
}
