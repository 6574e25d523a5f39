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
    @OptionGroup var database: DatabaseOptions

    static func time(_ text: String, option: String) throws -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw ValidationError("\(option) \(text) is not an ISO 8601 time such as 2021-07-12T00:00:00+07:00")
        }
        return date
    }

    func validate() throws {
        if now != nil && !once { throw ValidationError("--now goes with --once") }
        if let sink, let problem = SinkSpec.problem(sink) { throw ValidationError("--sink: \(problem)") }
    }

    func run() async throws {
        let untilDate = try until.map { try Self.time($0, option: "--until") }
        let nowDate = try now.map { try Self.time($0, option: "--now") } ?? Date()
        let store = try database.open()
        let sink = try outboundSink(store: store, override: self.sink, api: api)
        let dispatcher = Dispatcher(store: store, sink: sink, pacer: Pacer(perSecond: rate), inFlight: inFlight,
                                    seed: UInt64(Date().timeIntervalSince1970))
        if once {
            let summary = try await dispatcher.runOnce(now: nowDate)
            print("\(sink.name): \(summary.description)" + (summary.next.map { "; next due \($0)" } ?? ""))
            return
        }
        let task = Task { try await dispatcher.run(clock: SystemClock(), until: untilDate) { round in
            if round.sent + round.retried + round.failed + round.dead + round.expired > 0 {
                printError("\(Date()): \(round.description)")
            }
        } }
        let banner = "kelas run: sending through \(sink.name)\(untilDate.map { " until \($0)" } ?? ""); Ctrl-C or SIGTERM stops"
        let total = try await untilStopped(task, banner: banner, stopping: "stopping: messages in flight finish; the rest stay in the outbox")
        print("\(sink.name): \(total.description)")
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

        func run() throws {
            let items = try database.open().outbox(states: state.map { [$0] }, batchID: batch)
            print(OutboxRenderer.table(items), terminator: "")
        }
    }

    struct Dead: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Messages that failed or died, with why.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let items = try database.open().outbox(states: [.failed, .dead])
            print(items.isEmpty ? "nothing failed\n" : OutboxRenderer.table(items), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One message and every attempt to send it.")
        @Argument(help: ArgumentHelp("The message id (see `kelas outbox list`).", valueName: "id")) var id: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let store = try database.open()
            guard let item = try store.outbox(messageID: id).first else {
                try storeCall { throw StoreError.unknownMessage(id) }
                return
            }
            print("""
            \(item.message.id) (\(item.state.rawValue))
              due        \(item.message.date) \(item.message.localTime)
              kind       \(item.message.kind.rawValue) to \(item.message.audience)
              webhook-id \(item.webhookID)
              attempts   \(item.attempts)\(item.lastError.map { "\n  last error \($0)" } ?? "")\(item.wamid.map { "\n  wamid      \($0)" } ?? "")
            """)
            for attempt in try store.attempts(messageID: id) {
                let result = attempt.statusCode.map { "HTTP \($0)" } ?? attempt.error ?? "?"
                print("  #\(attempt.attempt) \(attempt.at)  \(result)" + (attempt.latency.map { String(format: "  %.0f ms", $0 * 1000) } ?? ""))
            }
            for status in try store.deliveryStatuses(messageID: id) {
                let error = status.errorCode.map { " (error \($0)\(status.errorTitle.map { ": \($0)" } ?? ""))" } ?? ""
                print("  \(status.state) \(status.at) to \(status.recipient)\(error)")
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a failed, dead, expired or skipped message again, due now.")
        @Argument(help: ArgumentHelp("The message id.", valueName: "id")) var id: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let store = try database.open()
            try storeCall { try store.requeue(messageID: id, now: Date()) }
            print("queued \(id) again; `kelas run` sends it")
        }
    }
}

extension OutboxItem.State: ExpressibleByArgument {}

enum OutboxRenderer {
    static func table(_ items: [OutboxItem]) -> String {
        if items.isEmpty { return "the outbox is empty; `kelas batch add BATCH.yaml` fills it\n" }
        let rows = [["ID", "DUE", "KIND", "STATE", "ATTEMPTS", "LAST ERROR"]] + items.map {
            [$0.message.id, "\($0.message.date) \($0.message.localTime)", $0.message.kind.rawValue, $0.state.rawValue,
             String($0.attempts), $0.lastError ?? ""]
        }
        return TextTable.render(rows)
    }
}

/// The sink `kelas run` and `kelas serve` send through: `--sink` for every batch (warning about group batches a Cloud
/// API sink cannot deliver), else each batch's own `delivery.sink`, console for the rest. A missing secret exits 1.
func outboundSink(store: KelasDatabase, override: String?, api: String = SinkSpec.defaultCloudAPI) throws -> any OutboundSink {
    do {
        if let text = override, let spec = SinkSpec(text, api: api) {
            if !spec.reachesGroups {
                for batch in try store.batches() where batch.mode == DeliveryMode.group.rawValue {
                    printError("warning: batch \(batch.id) is planned as one message to the group, which \(spec) cannot deliver: "
                               + "its messages will fail; set `delivery.mode: fanout` in its file and `kelas batch add` it again")
                }
            }
            return try spec.makeSink()
        }
        let specs = try store.batches().reduce(into: [String: SinkSpec]()) { specs, batch in specs[batch.id] = batch.sink }
        return try SinkRouter(fallback: ConsoleSink(), specs: specs) { try $0.makeSink() }
    } catch let error as SinkSetupError {
        printError("error: \(error.description)")
        throw ExitCode(1)
    }
}
