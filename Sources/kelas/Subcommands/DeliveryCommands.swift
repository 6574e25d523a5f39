import ArgumentParser
import Dispatch
import Foundation
import KelasCore
import KelasDelivery
import KelasStore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Send every planned message on time: the scheduler loop over the outbox.",
        discussion: """
        Sends what is due, sleeps until the next message is due, and repeats, until --until or until nothing is left. \
        Ctrl-C (SIGINT) or SIGTERM stops it cleanly: messages being sent finish or stay claimable, nothing is lost. \
        Messages already claimed by a run that died are taken back at start.

        Delivery is at least once; every attempt carries the same webhook-id, so a receiver that dedupes on it sees \
        each message once. Failures are retried after 30 s, 2 min, 10 min, 30 min and 1 h (+ up to 20% jitter; 429 \
        waits at least its Retry-After), then the message is dead; a 4xx other than 408/429 fails at once. A message \
        not sent before the end of its day's delivery window expires. At most --rate messages a second, and one \
        message per 6 s to the same recipient.

        Each batch goes to the sink its file names (`delivery.sink`); --sink sends every batch to one sink instead; \
        without either, messages are printed (console). Secrets come only from the environment: \
        KELAS_WEBHOOK_SECRET (whsec_…) for webhook:, KELAS_WHATSAPP_TOKEN for whatsapp-cloud:.

        Examples:
          kelas run --once                                  send what is due now (each batch to its sink), exit
          kelas run --sink jsonl:outbox.jsonl
          KELAS_WEBHOOK_SECRET=whsec_… kelas run --sink webhook:https://example.org/kelas
          KELAS_WHATSAPP_TOKEN=… kelas run --sink whatsapp-cloud:106540352242922   (fan-out batches only)
        """
    )
    @Option(help: ArgumentHelp("Send every batch here: console, jsonl:FILE, webhook:URL or whatsapp-cloud:PHONE_NUMBER_ID "
                               + "(default: each batch's delivery.sink, else console).", valueName: "sink")) var sink: String?
    @Option(help: ArgumentHelp("With --sink whatsapp-cloud:…, the Cloud API base URL.", valueName: "url")) var api = SinkSpec.defaultCloudAPI
    @Flag(help: "Send what is due now and exit.") var once = false
    @Option(help: ArgumentHelp("Stop at this time (ISO 8601, e.g. 2021-07-12T00:00:00+07:00).", valueName: "time")) var until: String?
    @Option(help: ArgumentHelp("With --once: act as if it were this time (ISO 8601), to rehearse or benchmark a past batch.",
                               valueName: "time")) var now: String?
    @Option(help: "Messages handed to the sink at once (transfers in flight for webhooks).") var inFlight = 8
    @Option(help: "At most this many messages a second overall.") var rate = 80
    @Option(help: ArgumentHelp("Seconds a claimed message is this run's before another dispatcher may take it (if this run died).",
                               valueName: "seconds")) var lease: Double = 300
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var language: LanguageOption

    static func time(_ text: String, option: String) throws -> Date {
        guard let date = KelasTimeZone.instant(reading: text) else {
            throw ValidationError(cli("run.time", ["option": option, "text": text]))
        }
        return date
    }

    func validate() throws {
        if now != nil && !once { throw ValidationError(cli("run.nowOnce")) }
        if let sink, let problem = SinkSpec.problem(sink) { throw ValidationError("--sink: " + cli(problem)) }
        if !(lease > 0) { throw ValidationError(cli("run.positive", ["option": "--lease", "value": "\(lease)"])) }
    }

    func run() async throws {
        let untilDate = try until.map { try Self.time($0, option: "--until") }
        let clock = try CLIClock.dispatchClock()
        let nowDate = try now.map { try Self.time($0, option: "--now") } ?? clock.now()
        let store = try database.open()
        let sinks = try sinkResolver(store: store, override: self.sink, api: api, fallback: .console, strict: true)
        let dispatcher = Dispatcher(store: store, sinks: sinks, pacer: Pacer(perSecond: rate), inFlight: inFlight, lease: lease,
                                    seed: UInt64(Date().timeIntervalSince1970))
        if once {
            let summary: DispatchSummary
            do { summary = try await dispatcher.runOnce(now: nowDate) } catch {
                _ = try? store.releaseClaims(owner: dispatcher.owner)
                throw error
            }
            try store.releaseClaims(owner: dispatcher.owner)
            print("\(sinks.name): " + cli(summary.phrase) + (summary.next.map { "; " + cli("run.next", ["time": "\($0)"]) } ?? ""))
            return
        }
        let task = Task { try await dispatcher.run(clock: clock, until: untilDate) { round in
            if round.isEventful { printError("\(clock.now()): " + cli(round.phrase)) }
        } }
        let banner = untilDate.map { cli("run.bannerUntil", ["sink": sinks.name, "until": "\($0)"]) } ?? cli("run.banner", ["sink": sinks.name])
        let total = try await untilStopped(task, banner: banner, stopping: cli("run.stopping"))
        print("\(sinks.name): " + cli(total.phrase))
    }
}

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "See what is queued, sent, failed or dead, and send a message again.",
        subcommands: [List.self, Show.self, Retry.self, Dead.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every message of the outbox with its state.")
        @Option(help: ArgumentHelp("Only this batch.", valueName: "id")) var batch: String?
        @Option(help: ArgumentHelp("Only this state: queued, claimed, sent, skipped, failed, dead, expired.", valueName: "state"))
        var state: OutboxItem.State?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            // What holds messages up comes first: a gateway's phone not linked, a missing secret (the dispatcher keeps trying).
            for problem in try store.deliveryProblems(batchID: batch) {
                print(cli("outbox.heldUp", ["batch": problem.batchID, "reason": problem.reason,
                                            "next": ISO8601DateFormatter().string(from: problem.nextAttempt)],
                          parts: ["count": .count(problem.messages, "outbox.messages")]))
            }
            let items = try store.outbox(states: state.map { [$0] }, batchID: batch)
            print(OutboxRenderer.table(items), terminator: "")
        }
    }

    struct Dead: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Messages that failed or died, with why.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let items = try database.open().outbox(states: [.failed, .dead])
            print(items.isEmpty ? cli("outbox.nothingFailed") + "\n" : OutboxRenderer.table(items), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One message and every attempt to send it.")
        @Argument(help: ArgumentHelp("The message id (see `kelas outbox list`).", valueName: "id")) var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            guard let item = try store.outbox(messageID: id).first else {
                try storeCall { throw StoreError.unknownMessage(id) }
                return
            }
            var rows = [(cli("outbox.due"), "\(item.message.date) \(item.message.localTime)"),
                        (cli("outbox.kind"), cli("outbox.kindTo", ["kind": item.message.kind.rawValue, "to": "\(item.message.audience)"])),
                        ("webhook-id", item.webhookID)]
            if let template = item.message.template {
                rows.append(("template", cli(template.reengagement ? "outbox.reengagement" : "outbox.template", ["template": template.summary])))
            }
            rows.append((cli("outbox.attempts"), String(item.attempts)))
            if let error = item.lastError { rows.append((cli("outbox.lastError"), error)) }
            if let wamid = item.wamid { rows.append(("wamid", wamid)) }
            print("\(item.message.id) (\(item.displayState))")
            print(fields(rows), terminator: "")
            for attempt in try store.attempts(messageID: id) {
                let result = attempt.statusCode.map { "HTTP \($0)" } ?? attempt.error ?? "?"
                print("  #\(attempt.attempt) \(attempt.at)  \(result)" + (attempt.latency.map { String(format: "  %.0f ms", $0 * 1000) } ?? ""))
            }
            let statuses = try store.deliveryStatuses(messageID: id)
            if !statuses.isEmpty {
                let receipts = ReadReceipts(statuses.compactMap { status in
                    DeliveryStatus.State(rawValue: status.state).map { (status.recipient.e164, $0) }
                })
                print("  " + cli("outbox.receipts", ["receipts": receipts.description]))
            }
            for status in statuses {
                let error = status.errorCode.map { " (" + cli("outbox.errorCode", ["code": String($0)]) + (status.errorTitle.map { ": \($0)" } ?? "") + ")" } ?? ""
                print("  " + cli("outbox.status", ["state": status.state, "at": "\(status.at)", "to": "\(status.recipient)"]) + error)
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a failed, dead, expired or skipped message again, due now.")
        @Argument(help: ArgumentHelp("The message id.", valueName: "id")) var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let store = try database.open()
            try storeCall { try store.requeue(messageID: id, now: try CLIClock.now()) }
            print(cli("outbox.requeued", ["id": id]))
        }
    }
}

extension OutboxItem.State: ExpressibleByArgument {}

enum OutboxRenderer {
    static func table(_ items: [OutboxItem]) -> String {
        if items.isEmpty { return cli("outbox.empty") + "\n" }
        let rows = [headings("id", "due", "kind", "state", "attempts", "lastError")] + items.map {
            [$0.message.id, "\($0.message.date) \($0.message.localTime)", $0.message.kind.rawValue, $0.displayState,
             String($0.attempts), $0.lastError ?? ""]
        }
        return TextTable.render(rows)
    }
}

/// The sinks `kelas run` and `kelas serve` send through, resolved for each message when it is sent: `--sink` for
/// every batch (warning about group batches a Cloud API sink cannot deliver), else each batch's own `delivery.sink`;
/// a batch that names none goes to `fallback` (`kelas run`: the console) or is held (`kelas serve`). With `strict`, a
/// batch with messages to send whose sink cannot be made stops the command before anything is sent (exit 1);
/// otherwise it is a warning and its messages wait, queued with the reason.
func sinkResolver(store: KelasDatabase, override: String?, api: String = SinkSpec.defaultCloudAPI, fallback: SinkSpec?,
                  strict: Bool) throws -> SinkResolver {
    let spec = override.flatMap { SinkSpec($0, api: api) }
    if let spec, !spec.reachesGroups {
        for batch in try store.batches() where batch.mode == DeliveryMode.group.rawValue {
            printError(cli("cli.warning", ["problem": cli("run.groupSink", ["batch": batch.id, "sink": "\(spec)"])]))
        }
    }
    let resolver = SinkResolver(override: spec, fallback: fallback)
    if let spec, case .failure(let problem) = resolver.sink(for: spec) {
        printError(cli("cli.error", ["problem": "--sink \(spec): \(problem.description)"]))
        throw ExitCode(1)
    }
    var problems: [String] = []
    for batch in try store.batchesWithMessagesToSend() {
        if case .failure(let problem) = resolver.resolve(batchID: batch.id, batchSink: batch.sink) { problems.append(problem.description) }
    }
    if strict, !problems.isEmpty {
        for problem in problems { printError(cli("cli.error", ["problem": problem])) }
        throw ExitCode(1)
    }
    for problem in problems { printError(cli("cli.warning", ["problem": cli("run.sinkWaits", ["problem": problem])])) }
    return resolver
}
