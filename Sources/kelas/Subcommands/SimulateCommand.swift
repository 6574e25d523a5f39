import ArgumentParser
import Foundation
import KelasCore
import KelasDelivery
import KelasStore
import CKelasSystem

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a group's week with seeded participants and trainers, through the real planner, tracker and reports.",
        discussion: """
        Virtual time, no sleeping: a 100-person week takes milliseconds. The same batch, scenario and --seed give the \
        same week, byte for byte (the seed is printed). Participants answer prompts, send voice notes, go offline, drop \
        out and answer reminders; trainers take up answers and phone the silent at the end of a discussion's day \
        (recorded as marks). A scenario file (YAML) overrides any behaviour; see the README for every key and the \
        figure each default rests on.

        Live mode (--webhook) plays the week on a clock instead: the batch goes into the store, the real dispatcher \
        sends its messages through a sink as their times come (console, jsonl:FILE or webhook:URL; never WhatsApp \
        itself: the participants are made up), and what the simulated members say comes back as WhatsApp Cloud API \
        webhook payloads through the same ingest as `kelas ingest webhook`. --speed 5040 (the default) plays a week \
        in two minutes; --speed max does not wait. Progress goes to standard error, a line per day.

        With --sink waha:URL or evolution:URL (a stand-in gateway on this machine, such as \
        scripts/standin-gateway.py), the week is posted to the batch's group through the real gateway sink, and \
        members' messages and read receipts come back as that gateway's webhook payloads: the whole loop \
        (send → gateway → webhook → status) rehearsed. The group is the batch's delivery.group, else a made-up one.

        Examples:
          kelas simulate --seed 7                                the built-in example batch
          kelas simulate batch.yaml --participants 100 --report  a 100-person what-if, with the report of a real batch
          kelas simulate batch.yaml --scenario more-reminders.yaml --seed 7
          kelas simulate --export-chat week.txt --chat-style ios --transcript --html week.html
          kelas simulate --preset programme                      the seed programme: 77 batches, 2,029 participants
          kelas simulate --preset programme-x10 --database load.sqlite   ten times over, for load tests (770 batches)
          kelas simulate --webhook                               live: a week in two minutes, messages printed
          KELAS_WEBHOOK_SECRET=whsec_… kelas simulate --webhook --sink webhook:http://127.0.0.1:9000/kelas --speed 20000
          KELAS_WAHA_API_KEY=standin kelas simulate --webhook --speed max --sink waha:http://127.0.0.1:3000
        """
    )

    enum Style: String, ExpressibleByArgument, CaseIterable { case android, ios }
    enum Preset: String, ExpressibleByArgument, CaseIterable {
        case programme
        /// The programme ten times over (770 batches, 20,290 participants): the store the performance targets name.
        case programmeX10 = "programme-x10"

        var copies: Int { self == .programme ? 1 : 10 }
    }

    /// Virtual seconds per real second, or no waiting at all.
    enum Speed: ExpressibleByArgument, Equatable {
        case times(Double)
        case max
        /// Kept to say what is wrong in `validate()`, with the fix.
        case invalid(String)

        init?(argument: String) {
            if argument == "max" { self = .max; return }
            guard let value = Double(argument), value.isFinite, value > 0 else { self = .invalid(argument); return }
            self = .times(value)
        }

        var defaultValueDescription: String { if case .times(let value) = self { String(format: "%g", value) } else { "max" } }
    }

    @Argument(help: ArgumentHelp("The batch file (default: the built-in example batch).", valueName: "batch.yaml")) var batch: String?
    @Option(help: "The random seed (default: from the clock, printed so the run can be replayed).") var seed: UInt64?
    @Option(help: ArgumentHelp("A scenario file (YAML) overriding behaviour and outcome parameters.", valueName: "file")) var scenario: String?
    @Option(help: ArgumentHelp("Simulate this many participants: the batch's own first, then made-up ones.", valueName: "n"))
    var participants: Int?
    @Option(help: ArgumentHelp("Simulate a whole programme instead of one batch: programme (the seed programme's 77 batches) "
                               + "or programme-x10 (ten times over, for load tests).",
                               valueName: "name")) var preset: Preset?
    @Flag(help: "Print the report a real batch would get (kelas report), by batch; with --preset, by district and programme.")
    var report = false
    @Option(name: .customLong("database"), help: ArgumentHelp("Keep the result in this SQLite store (default: a temporary one, gone when kelas ends).",
                                                              valueName: "file")) var database: String?
    @Option(help: ArgumentHelp("Write the group as a WhatsApp chat export (.txt).", valueName: "file")) var exportChat: String?
    @Option(help: "The phone that exported it: android or ios.") var chatStyle: Style = .android
    @Option(help: ArgumentHelp("The export's language: id or en (default: the batch's).", valueName: "id|en")) var chatLocale: Language?
    @Flag(help: "Print the chat, WhatsApp-like (time, author, text, 🎤 0:42 for voice notes).") var transcript = false
    @Option(help: ArgumentHelp("Write a self-contained HTML page that looks like the group chat, with the summary.", valueName: "file"))
    var html: String?
    @Flag(help: ArgumentHelp("Live mode: send the week's messages through the real dispatcher and a sink on a scaled clock, "
                             + "and feed the simulated replies back as WhatsApp webhook payloads.")) var webhook = false
    @Option(help: ArgumentHelp("With --webhook: where messages go: console, jsonl:FILE, webhook:URL, or a stand-in gateway on "
                               + "this machine, waha:URL or evolution:URL (default: the batch's delivery.sink, else console).",
                               valueName: "sink")) var sink: String?
    @Option(help: ArgumentHelp("With --webhook: virtual seconds per real second (5040 plays a week in two minutes), or max "
                               + "for no waiting.", valueName: "n|max")) var speed: Speed = .times(5040)
    @OptionGroup var language: LanguageOption

    func validate() throws {
        if let participants, participants < 1 { throw ValidationError(cli("sim.participantsMin")) }
        if !webhook, sink != nil || speed != .times(5040) {
            throw ValidationError(cli("sim.liveOnly"))
        }
        if case .invalid(let text) = speed {
            throw ValidationError(cli("sim.speed", ["speed": text]))
        }
        if let sink {
            if let problem = SinkSpec.problem(sink) { throw ValidationError("--sink: " + cli(problem)) }
            if sink.hasPrefix("whatsapp-cloud:") { throw ValidationError("--sink: " + cli("sim.notWhatsApp")) }
            if let spec = SinkSpec(sink), spec.isGateway, !Self.isLoopback(spec) {
                throw ValidationError("--sink: " + cli("sim.realGateway"))
            }
        }
        if preset != nil, webhook { throw ValidationError(cli("sim.presetLive")) }
        if preset != nil {
            if batch != nil { throw ValidationError(cli("sim.presetBatch")) }
            if participants != nil || exportChat != nil || transcript || html != nil {
                throw ValidationError(cli("sim.presetOptions"))
            }
        }
    }

    func run() async throws {
        Self.returnLargeBlocks()
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
        let scenario = try loadScenario()
        let store = try openStore()
        if let preset { return try runProgramme(seed: seed, copies: preset.copies, scenario: scenario, store: store) }

        var loaded = try loadBatchOrExample()
        if let participants { loaded.batch = SyntheticPeople.resized(loaded.batch, to: participants, seed: seed) }
        if let database, try store.batch(loaded.batch.id) != nil {
            printError(cli("cli.error", ["problem": cli("sim.batchStored", ["batch": loaded.batch.id, "database": database])]))
            throw ExitCode(1)
        }
        let simulator = Simulator(batch: loaded.batch, curriculum: loaded.curriculum, scenario: scenario, seed: seed)
        let week: SimulatedWeek, live: String?
        if webhook {
            week = simulator.run()
            live = try await runLive(week, store: store, seed: seed)
        } else {
            // Simulated and stored side by side on two cores (the same week as `run()`).
            week = try storeCall { try store.store(simulator, source: "simulation seed \(seed)") }
            live = nil
        }
        var totals = SimulationTotals()
        totals.add(week)
        let calls = week.calls.count, reached = week.calls.count { $0.reached }
        print(cli("sim.simulated", ["batch": week.batch.id, "participants": String(week.batch.participants.count), "seed": String(seed)]))
        print("  " + cli("sim.week", ["messages": String(week.messages.count), "trainers": String(week.messages.count { $0.role == .trainer }),
                                      "calls": String(calls), "reached": String(reached),
                                      "dropped": String(week.outcomes.count { $0.droppedOnDay != nil })]))
        for (label, value) in totals.lines(cli).dropLast() { print("  \(label): \(value)") }
        if let live { print(live) }
        if report {
            let result = try storeCall { try store.report(by: .batch, batchIDs: [week.batch.id], now: week.end) }
            print("")
            print(ReportRenderer.table(result), terminator: "")
        }
        if transcript { print(ChatRendering.transcript(week), terminator: "") }
        if let exportChat {
            let style = ChatExportStyle(platform: chatStyle == .ios ? .ios : .android, locale: chatLocale ?? week.batch.language)
            try write(ChatRendering.export(week, style: style), to: exportChat)
            printError(cli("sim.wroteExport", ["file": exportChat, "messages": String(week.messages.count), "style": chatStyle.rawValue,
                                               "batch": week.batch.id]))
        }
        if let html {
            try write(ChatRendering.html(week, summary: totals.lines()), to: html)
            printError(cli("cli.wrote", ["file": html]))
        }
    }

    /// Plays the week live (see `LiveSimulation`); returns what to print about it.
    func runLive(_ week: SimulatedWeek, store: KelasDatabase, seed: UInt64) async throws -> String {
        var spec = sink.flatMap { SinkSpec($0) }  // validate() has refused a bad one
        if spec == nil, let own = week.batch.delivery.sink {
            if case .whatsappCloud = own { printError(cli("cli.note", ["problem": cli("sim.ownCloud", ["sink": "\(own)"])])) }
            else if own.isGateway && !Self.isLoopback(own) {
                printError(cli("cli.note", ["problem": cli("sim.ownGateway", ["sink": "\(own)"])]))
            } else { spec = own }
        }
        let format: WebhookFormat = switch spec {
        case .waha: .waha
        case .evolution: .evolution
        default: .cloud
        }
        let outbound: any OutboundSink
        do { outbound = try (spec ?? .console).makeSink() } catch let error as SinkSetupError {
            printError(cli("cli.error", ["problem": error.description]))
            throw ExitCode(1)
        }
        let source = "live simulation seed \(seed)"
        let live = LiveSimulation(week: week, store: store, dispatcher: Dispatcher(store: store, sink: outbound, seed: seed), source: source,
                                  format: format)
        let first = try storeCall { try live.prepare() } ?? live.startOfWeek
        let clock: any DispatchClock, pace: String
        switch speed {
        case .max, .invalid: clock = VirtualClock(first); pace = cli("sim.noWaiting")
        case .times(let factor):
            clock = ScaledClock(start: first, speed: factor)
            pace = cli("sim.pace", ["factor": String(format: "%g", factor), "week": Self.duration(7 * 86_400 / factor)])
        }
        let reporter = LiveReporter(live: live)
        let task = Task { try await live.run(clock: clock) { reporter.update($0) } }
        let result = try await untilStopped(task, banner: cli("sim.liveBanner", ["batch": week.batch.id, "sink": outbound.name, "pace": pace]),
                                            stopping: cli("sim.stopping"))
        reporter.finish(result)
        var lines = ["  " + cli("sim.liveSummary", ["sink": outbound.name, "delivery": cli(result.delivery.phrase), "payloads": String(result.payloads),
                                                    "replies": String(result.replies), "calls": String(result.calls)])]
        if let group = live.group {
            lines.append("  " + cli("sim.group", ["group": group, "format": format.rawValue, "receipts": String(result.receipts),
                                                  "list": "kelas outbox list" + (database.map { " --database \($0)" } ?? "")]))
        }
        if !result.finished {
            lines.append("  " + cli("sim.stoppedOn", ["day": String(result.day)]))
        } else {
            let mismatches = try storeCall { try live.mismatches() }
            lines.append("  " + (mismatches.isEmpty ? cli("sim.match", ["count": String(week.batch.participants.count)])
                                 : cli("cli.warning", ["problem": cli("sim.mismatch", ["names": mismatches.joined(separator: ", ")])])))
        }
        return lines.joined(separator: "\n")
    }

    /// Whether a gateway sink points at this machine (a stand-in), never at a gateway linked to a real phone elsewhere.
    static func isLoopback(_ spec: SinkSpec) -> Bool {
        let url: String
        switch spec {
        case .waha(let base, _), .evolution(let base, _): url = base
        default: return false
        }
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]"
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0f ms", seconds * 1000) }
        if seconds < 120 { return String(format: "%.0f s", seconds) }
        if seconds < 7200 { return String(format: "%.0f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }

    func runProgramme(seed: UInt64, copies: Int, scenario: Scenario, store: KelasDatabase) throws {
        let log = DiagnosticLog()
        guard let text = BuiltinCurricula.text(for: "adil-gender"),
              let curriculum = CurriculumFile.decode(text, file: "builtin:adil-gender", log: log) else {
            printError(cli("cli.error", ["problem": cli("sim.builtinBroken", ["problems": log.sorted.map { $0.text(cli) }.joined(separator: "; ")])]))
            throw ExitCode(1)
        }
        let batches = Programme.batches(seed: seed, copies: copies)
        let progress = Progress(total: batches.count)
        var totals = SimulationTotals()
        // Each week is simulated on another core while the one before is stored (the weeks are pure: the same result).
        try lookahead(count: batches.count) { index in
            Simulator(batch: batches[index], curriculum: curriculum, scenario: scenario, seed: derivedSeed(seed, batches[index].id)).run()
        } consume: { index, week in
            try storeCall { try store.store(week, source: "simulation seed \(seed)") }
            totals.add(week)
            progress.update(index + 1)
        }
        progress.finish()
        print(cli("sim.programme", ["batches": String(batches.count), "participants": String(totals.registered), "seed": String(seed)]))
        for (label, value) in totals.lines(cli) { print("  \(label): \(value)") }
        print("  " + cli("sim.reported", ["agree": cli.percent(Programme.reportedAgreement * 100), "champions": cli.percent(Programme.reportedChampions * 100)]))
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
            printFailure(error, cli)
            printError(cli("sim.scenarioErrors", ["file": scenario], parts: ["errors": .count(error.errors.count, "validate.error")]))
            throw ExitCode(1)
        }
    }

    func openStore() throws -> KelasDatabase {
        do { return try database.map { try KelasDatabase(path: $0) } ?? KelasDatabase.temporary() } catch {
            printError(cli("cli.error", ["problem": cli("cli.cannotOpenStore", ["path": database ?? cli("sim.inMemory"), "problem": "\(error)"])]))
            throw ExitCode(1)
        }
    }

    /// The batch file given, or the built-in example written to a temporary folder and loaded from there.
    func loadBatchOrExample() throws -> LoadedBatch {
        if let batch { return try loadBatch(batch, cli) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-example-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
        return try loadBatch(directory.appendingPathComponent("batch.yaml").path, cli)
    }

    func write(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            printError(cli("cli.error", ["problem": cli("sim.cannotWrite", ["path": path, "problem": error.localizedDescription])]))
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

extension SimulateCommand {
    /// glibc raises its mmap threshold each time a large block is freed (up to 32 MB), after which a week's large
    /// arrays come from the heap and stay resident once freed. Fixed at its starting 128 KB, they are given back:
    /// 100,000 participants peak at 380 MB instead of 397, in the same time (a no-op with another C library).
    static func returnLargeBlocks() {
        _ = kelas_fix_mmap_threshold(128 * 1024)
    }
}

/// A live run's progress on standard error: a line per batch day with what it sent and what came back, and on a
/// terminal a status line with the virtual time.
final class LiveReporter: @unchecked Sendable {
    private let live: LiveSimulation
    private let terminal = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var previous: LiveProgress?
    private var dayStart: LiveProgress?

    init(live: LiveSimulation) { self.live = live }

    func update(_ progress: LiveProgress) {
        lock.withLock {
            if let previous, previous.day != progress.day { line(previous) }
            if dayStart == nil { dayStart = LiveProgress(now: progress.now, day: progress.day) }
            previous = progress
            if terminal {
                let local = KelasTimeZone.local(progress.now, offset: live.week.batch.timeZone.secondsFromGMT(for: progress.now))
                let time = "\(LocalDate(daysSinceEpoch: local.day)) \(LocalTime(secondsOfDay: local.second / 60 * 60))"
                let text = cli("sim.status", ["time": time, "day": String(progress.day), "sent": String(progress.delivery.sent),
                                              "fed": String(progress.payloads)])
                FileHandle.standardError.write(Data("\r\u{1B}[K  \(text)".utf8))
            }
        }
    }

    func finish(_ result: LiveProgress) {
        lock.withLock { if let previous { line(previous) } }
    }

    /// The day that `through` ends, as the change since the day before.
    private func line(_ through: LiveProgress) {
        let start = dayStart ?? LiveProgress(now: through.now, day: through.day)
        let date = live.week.batch.start.adding(days: through.day - 1)
        let values = ["day": String(through.day), "date": "\(date)", "sent": String(through.delivery.sent - start.delivery.sent),
                      "skipped": String(through.delivery.skipped - start.delivery.skipped), "replies": String(through.replies - start.replies),
                      "trainer": String(through.payloads - through.replies - through.receipts - (start.payloads - start.replies - start.receipts)),
                      "receipts": String(through.receipts - start.receipts), "calls": String(through.calls - start.calls)]
        let text = cli(live.group == nil ? "sim.day" : "sim.dayGroup", values)
        printError((terminal ? "\r\u{1B}[K" : "") + text)
        dayStart = through
    }
}
