import ArgumentParser
import Foundation
import KelasCore
import KelasDelivery
import KelasServer
import KelasStore
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive WhatsApp webhooks, show the admin dashboard, and send on time (the dispatcher loop).",
        discussion: """
        Endpoints: GET/POST /webhooks/whatsapp (Cloud API handshake and payloads, X-Hub-Signature-256), POST \
        /webhooks/kelas (Kelas's own events, Standard Webhooks signature), the admin pages / , /batches/ID, /report \
        (+ /report.csv?by=district), /healthz and /metrics (Prometheus). A webhook is answered 200 once its body is \
        stored; it is applied to the statuses a moment later, through the same ingest as `kelas ingest webhook`.

        Secrets come only from the environment: KELAS_ADMIN_TOKEN (admin pages: Authorization: Bearer …, or the login \
        form; without it a random token is made and printed), KELAS_WHATSAPP_APP_SECRET and \
        KELAS_WHATSAPP_VERIFY_TOKEN (the Cloud API webhook), KELAS_WEBHOOK_SECRET (whsec_…: POST /webhooks/kelas, and \
        the webhook sink). Binds to 127.0.0.1 unless --host says otherwise; put a TLS proxy in front to reach it from \
        outside. SIGTERM or Ctrl-C stops it cleanly: requests in flight finish, stored webhooks are applied, messages \
        being sent finish.

        Examples:
          kelas serve                                  dashboard on http://127.0.0.1:8080, dispatcher running
          kelas serve --no-dispatch --port 9000        receive and show only (another process runs `kelas run`)
          kelas serve --sink console                   print every message instead of sending it (a rehearsal)

        Each message goes to its batch's delivery.sink, resolved when it is sent (a batch added or re-added while \
        the server runs takes effect). A batch that names no sink, or whose sink cannot be made (a missing secret), \
        is never sent elsewhere: its messages stay queued with the reason (`kelas outbox list`, the dashboard).
        """
    )
    @Option(help: "The address to listen on (0.0.0.0 for every interface).") var host = "127.0.0.1"
    @Option(help: "The port (0: any free one, printed).") var port = 8080
    @Flag(help: "Do not run the dispatcher loop: only receive webhooks and serve pages.") var noDispatch = false
    @Option(help: ArgumentHelp("Seconds between the dispatcher's looks for new messages when none is due (batches added meanwhile).",
                               valueName: "seconds")) var poll: Double = 30
    @Option(help: ArgumentHelp("Send every batch here instead of its delivery.sink (as `kelas run --sink`); `console` prints them.",
                               valueName: "sink"))
    var sink: String?
    @OptionGroup var indicators: IndicatorOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var language: LanguageOption

    func validate() throws {
        if let sink, let problem = SinkSpec.problem(sink) { throw ValidationError("--sink: " + cli(problem)) }
        if !(poll > 0) { throw ValidationError(cli("run.positive", ["option": "--poll", "value": "\(poll)"])) }
        if !(0...65_535).contains(port) { throw ValidationError(cli("serve.port", ["port": String(port)])) }
    }

    func run() async throws {
        if let problem = Localizer.catalogs.problem {
            printError("error: \(problem)")  // no catalogs to say it with
            throw ExitCode(1)
        }
        let store = try database.open()
        let clock = try CLIClock.dispatchClock()
        var (configuration, generated) = ServerConfiguration.fromEnvironment()
        configuration.now = { clock.now() }
        configuration.indicators = try indicators.load(store)
        var logger = Logger(label: "kelas.serve")
        logger.logLevel = .info
        let server = KelasServer(store: store, configuration: configuration, logger: logger)
        var dispatcher: Dispatcher?
        var sending = cli("serve.notSending")
        if !noDispatch {
            // Console only when asked for: a batch that names no sink waits, queued with the reason, instead of being
            // "sent" to a terminal nobody reads.
            let sinks = try sinkResolver(store: store, override: sink, fallback: nil, strict: false)
            dispatcher = Dispatcher(store: store, sinks: sinks, seed: UInt64(Date().timeIntervalSince1970))
            sending = cli("serve.sending", ["sink": sinks.name])
        }
        if generated {
            printError(cli("serve.token", ["token": configuration.adminToken]))
        }
        for (variable, what) in [("KELAS_WHATSAPP_APP_SECRET", configuration.appSecret), ("KELAS_WEBHOOK_SECRET", configuration.webhookSecret)]
            where what == nil {
            printError(cli("cli.note", ["problem": cli("serve.noSecret", ["variable": variable])]))
        }
        let host = self.host, banner = sending
        let app = server.application(host: host, port: port, dispatcher: dispatcher, clock: clock, poll: poll, onServerRunning: { port in
            printError("kelas serve: http://\(host):\(port) (\(banner)); " + cli("serve.stops"))
        })
        try await app.runService()
        printError("kelas serve: " + cli("serve.stopped"))
    }
}
