import ArgumentParser
import Foundation
import KelasCore
import KelasStore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Bring replies and voice notes into the store: webhook payloads or WhatsApp chat exports.",
        discussion: """
        Both are idempotent: ingesting the same input twice, or an export that overlaps an earlier one, adds nothing \
        twice. Each ingest is one transaction: on any error the store is left as it was.
        """,
        subcommands: [Webhook.self, Chat.self]
    )

    struct Webhook: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest webhook payloads of the Cloud API, WAHA or Evolution API (one JSON document, or JSON lines).",
            discussion: """
            Reads `messages` (text, audio and voice notes, image, video, document, sticker, reaction; `context.id` \
            replies; `group_id`) and `statuses` (sent, delivered, read, played, failed with its error code). \
            A message is stored once per WhatsApp message id. It belongs to the batch that lists its sender's number \
            (the latest batch that had started by then, when the number is in several); messages from numbers in no \
            batch are kept and join a batch when one lists the number.

            --format waha|evolution reads what those gateways post (`message`/`message.any` and `message.ack`; \
            `messages.upsert` and `messages.update`): a group message belongs to the batch whose `delivery.group` is \
            that group, exactly; a sender known only by a hidden `…@lid` id is matched through the lids learnt from \
            earlier payloads that carried both, else by push name against the batch's names and aliases; senders that \
            match nobody are kept and listed.

            Examples:
              kelas ingest webhook payloads.jsonl
              kelas ingest webhook --format waha waha-events.jsonl
              cat payload.json | kelas ingest webhook -
            """
        )
        @Argument(help: ArgumentHelp("A JSON or JSON-lines file, or - for standard input.", valueName: "file")) var file: String
        @Option(help: ArgumentHelp("cloud (default), waha or evolution.", valueName: "format")) var format: WebhookFormat = .cloud
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let name = file == "-" ? "<stdin>" : file
            let data: Data
            do {
                data = file == "-" ? try FileLimits.read(FileHandle.standardInput, name: name, limit: FileLimits.payloads)
                    : try FileLimits.read(file, limit: FileLimits.payloads)
            } catch let failure as FileLimits.Failure {
                printError(cli("cli.error", ["problem": failure.text(cli)]))
                throw ExitCode(1)
            }
            let content: WebhookContent
            do { content = try GatewayPayload.decode(data, format: format, file: name) } catch let failure as ValidationFailure {
                printFailure(failure, cli)
                printError(cli("ingest.nothingStored", ["file": name]))
                throw ExitCode(1)
            }
            let store = try database.open()
            let summary = try storeCall { try store.ingest(content, source: name, now: try CLIClock.now()) }
            print(cli("ingest.payloads", ["file": name, "messages": String(content.messages.count), "statuses": String(content.statuses.count)],
                      parts: ["count": .count(content.payloads, "inbox.payloads")]))
            print(IngestReport.lines(summary).joined(separator: "\n"))
        }
    }
}

extension IngestCommand {
    struct Chat: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest a WhatsApp chat export (.txt, or the .zip WhatsApp shares) into a batch.",
            discussion: """
            Reads Android (`12/07/21 07.30 - Name: text`) and iOS (`[12/07/21 07.30.15] Name: text`) exports in any \
            date order (day/month/year, month/day/year, year/month/day, year/day/month), with 2- or 4-digit years, `/ . -` separators, 12- or 24-hour clocks (AM/PM, pagi/siang/sore/malam) \
            and optional seconds. The format is detected and printed; when the dates fit more than one order, the one \
            that keeps them in sequence and in the batch's week wins — force it with --date-order. A line that starts \
            with a date and a time like a header, yet cannot be read as one, is kept as text of the message before it \
            and reported with its line number; when more than 2 % of the headers are such lines, nothing is stored.

            Authors are matched to the batch's participants and trainers by phone number (any formatting), name or \
            alias; unmatched authors are listed and their messages kept. Voice notes (PTT-….opus, …-AUDIO-…, audio \
            omitted, <attached: ….opus>) count as voice-note answers; a trainer message that @-mentions a participant \
            takes up their latest answer (discussed). Re-importing the same export, or a later one that overlaps it, \
            adds nothing twice.

            Examples:
              kelas ingest chat "WhatsApp Chat with Kelas Gresik.zip" --batch gresik-2021-07
              kelas ingest chat chat.txt --dry-run --format json
            """
        )
        @Argument(help: ArgumentHelp("The export: a .txt or a .zip.", valueName: "export")) var file: String
        @Option(help: ArgumentHelp("The batch the chat belongs to (required unless --dry-run).", valueName: "id")) var batch: String?
        @Option(help: ArgumentHelp("Read dates as day/month/year, month/day/year, year/month/day or year/day/month.",
                                   valueName: "dmy|mdy|ymd|ydm"))
        var dateOrder: DateOrder?
        @Option(help: ArgumentHelp("Who exported the chat (the export calls them \"You\"/\"Anda\"): phone, name or alias.", valueName: "person"))
        var me: String?
        @Flag(help: "Parse and count without touching the store.") var dryRun = false
        @Option(help: ArgumentHelp("Output of --dry-run: table or json.", valueName: "format")) var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

        func validate() throws {
            if batch == nil && !dryRun {
                throw ValidationError(cli("ingest.needBatch"))
            }
            if format == .json && !dryRun { throw ValidationError(cli("ingest.jsonDryRun")) }
            if me != nil && batch == nil { throw ValidationError(cli("ingest.meBatch")) }
        }

        func run() throws {
            let store = batch == nil ? nil : try database.open()
            var context: ChatContext?
            if let store, let batch { context = try storeCall { try store.chatContext(batchID: batch, me: me) } }
            let export = ChatExportFile(path: file)
            let announce = { (chatFormat: ChatFormat) in printError("\(file): " + cli(chatFormat.summaryPhrase) + " — " + cli(chatFormat.why)) }
            do {
                if dryRun {
                    let (chatFormat, stats) = try export.count(context ?? .none, dateOrder: dateOrder, detected: announce)
                    warnMangled(stats, format: chatFormat)
                    print(format == .json ? try ChatStatsRenderer.json(stats) : ChatStatsRenderer.table(stats, format: chatFormat), terminator: "")
                    return
                }
                // validate() made sure a batch (and so a store and a context) is given without --dry-run.
                guard let store, let context else { return }
                let (chatFormat, stats, summary) = try storeCall {
                    try store.ingest(chat: export, context: context, dateOrder: dateOrder, now: try CLIClock.now(), detected: announce)
                }
                warnMangled(stats, format: chatFormat)
                print(cli("ingest.read", ["messages": String(stats.messages), "voice": String(stats.voiceNotes), "media": String(stats.media),
                                          "deleted": String(stats.deleted), "system": String(stats.systemLines)]))
                print(IngestReport.lines(summary).joined(separator: "\n"))
            } catch let error as ChatExportError {
                printError(cli("cli.error", ["problem": cli(error.phrase)]))
                throw ExitCode(1)
            }
        }
    }
}

/// Lines that looked like headers and were not: never dropped unseen.
func warnMangled(_ stats: ChatExportStats, format: ChatFormat) {
    guard stats.mangled.count > 0 else { return }
    let one = stats.mangled.count == 1
    printError(cli("cli.warning", ["problem": cli(one ? "ingest.mangled.one" : "ingest.mangled.many",
                                                  ["count": String(stats.mangled.count), "format": cli(format.summaryPhrase), "lines": stats.mangled.listed])]))
}

extension DateOrder: ExpressibleByArgument {}

enum ChatStatsRenderer {
    static func json(_ stats: ChatExportStats) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(stats), as: UTF8.self) + "\n"
    }

    static func table(_ stats: ChatExportStats, format: ChatFormat) -> String {
        var out = TextTable.render([
            [cli("head.format"), cli(format.summaryPhrase) + " — " + cli(format.why)],
            [cli("head.messages"), String(stats.messages)], [cli("head.voice"), String(stats.voiceNotes)], [cli("head.media"), String(stats.media)],
            [cli("head.deleted"), String(stats.deleted)], [cli("head.system"), String(stats.systemLines)],
        ])
        if !stats.authors.isEmpty {
            out += "\n" + TextTable.render([headings("author", "matched", "role", "messages", "voice")] + stats.authors.map {
                [$0.name, $0.participant ?? ($0.role == nil ? "-" : ""), $0.role.map { cli("role." + $0) } ?? cli("ingest.unmatchedRole"),
                 String($0.messages), String($0.voiceNotes)]
            })
        }
        if !stats.unmatched.isEmpty { out += "\n" + cli("ingest.unmatchedList", ["names": stats.unmatched.joined(separator: ", ")]) + "\n" }
        return out
    }
}

/// How an ingest summary reads on the terminal.
enum IngestReport {
    static func lines(_ summary: IngestSummary) -> [String] {
        var lines: [String] = []
        let perBatch = summary.added.filter { !$0.key.isEmpty }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        var stored = cli("ingest.stored", ["count": String(summary.messagesAdded)])
        if !perBatch.isEmpty { stored += " (\(perBatch.joined(separator: ", ")))" }
        if summary.duplicates > 0 { stored += ", " + cli("ingest.already", ["count": String(summary.duplicates)]) }
        if summary.statusesAdded + summary.statusDuplicates > 0 {
            stored += "; " + cli("ingest.statuses", ["count": String(summary.statusesAdded)])
            if summary.statusDuplicates > 0 { stored += ", " + cli("ingest.already", ["count": String(summary.statusDuplicates)]) }
        }
        lines.append(stored)
        if !summary.unmatched.isEmpty {
            let who = summary.unmatched.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) (\($0.value))" }
            lines.append(cli("ingest.unmatched", ["names": who.joined(separator: ", ")]))
            lines.append("  " + cli("ingest.unmatchedFix"))
        }
        return lines
    }
}

extension WebhookFormat: ExpressibleByArgument {}
