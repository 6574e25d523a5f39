import ArgumentParser
import Foundation
import KelasCore
import KelasServer
import KelasStore

struct InboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "The webhook inbox of `kelas serve`: list, show and retry payloads that could not be applied.",
        discussion: """
        `kelas serve` stores every webhook's body before it answers, then applies it in the background. A payload that \
        cannot be applied (a body the decoder cannot read, or messages the store refuses) is quarantined with the \
        reason instead of holding up the rest; /metrics counts them (kelas_inbox_quarantined). Fix the cause (a newer \
        Kelas, a batch added), then retry: the payload is applied at once, or quarantined again with the new reason.

        Examples:
          kelas inbox list                  quarantined payloads, newest first
          kelas inbox list --state pending  received, not yet applied
          kelas inbox show 42               one payload: its endpoint, times, reason and body
          kelas inbox retry 42              apply it again now
          kelas inbox retry --all
        """,
        subcommands: [List.self, Show.self, Retry.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Payloads of the inbox in one state, newest first.")
        @Option(help: ArgumentHelp("quarantined (default), pending or applied.", valueName: "state"))
        var state: InboxEntry.State = .quarantined
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            let entries = try database.open().inbox(state: state)
            if entries.isEmpty { print(cli("inbox.none", ["state": state.rawValue])); return }
            print(TextTable.render([["#"] + headings("endpoint", "received", "state", "reason")] + entries.map {
                ["\($0.seq)", $0.endpoint, ISO8601DateFormatter().string(from: $0.receivedAt), $0.state.rawValue,
                 String(($0.error ?? "").prefix(100))]
            }), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One payload: endpoint, times, reason and the body as received.")
        @Argument(help: ArgumentHelp("The payload's number (see `kelas inbox list`).", valueName: "number")) var seq: Int64
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func run() throws {
            guard let entry = try database.open().inbox(seq: seq).first else {
                printError(cli("cli.error", ["problem": cli("inbox.noPayload", ["seq": String(seq)])]))
                throw ExitCode(1)
            }
            let format = ISO8601DateFormatter()
            var rows = [(cli("inbox.received"), format.string(from: entry.receivedAt))]
            if let id = entry.deliveryID { rows.append(("webhook-id", id)) }
            if let done = entry.doneAt { rows.append((cli(entry.state == .quarantined ? "inbox.putAside" : "inbox.applied"), format.string(from: done))) }
            if let error = entry.error { rows.append((cli("inbox.reason"), error)) }
            print("#\(entry.seq) \(entry.state.rawValue) (POST /webhooks/\(entry.endpoint))")
            print(fields(rows), terminator: "")
            print(String(decoding: entry.body, as: UTF8.self))
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply quarantined payloads again, now.")
        @Argument(help: ArgumentHelp("The payload's number.", valueName: "number")) var seq: Int64?
        @Flag(help: "Every quarantined payload.") var all = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var language: LanguageOption

        func validate() throws {
            if (seq == nil) == !all { throw ValidationError(cli("inbox.which")) }
        }

        func run() throws {
            let store = try database.open()
            let count = try storeCall { try store.retryQuarantined(seq: all ? nil : seq) }
            // Applied here and now, through the same decoders and ingest as the server (SQLite serialises this with a
            // running server's applier, so nothing is applied twice).
            let now = try CLIClock.now()
            var applied = 0, quarantined = 0
            while true {
                let summary = try store.applyInbox(now: now, decode: InboxApplier.decode)
                if summary.applied == 0 { break }
                applied += summary.applied - summary.quarantined
                quarantined += summary.quarantined
            }
            print(cli(quarantined > 0 ? "inbox.retriedWhy" : "inbox.retried", ["applied": String(applied), "quarantined": String(quarantined)],
                      parts: ["count": .count(count, "inbox.payloads")]))
            if quarantined > 0 { throw ExitCode(1) }
        }
    }
}

extension InboxEntry.State: ExpressibleByArgument {}

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the store to a file, also while `kelas serve` or `kelas run` is running.",
        discussion: """
        Uses SQLite's online backup: the copy is the store as of one moment, however busy it is, and writing it \
        does not stop the server. The copy is written beside FILE and moved into place when complete, so FILE is \
        never half-written; an existing FILE is refused unless --force.

        To restore: stop `kelas serve` / `kelas run`, move the store aside, copy the backup to its place (e.g. \
        kelas.sqlite), start again. To schedule it, e.g. hourly with cron:
          0 * * * *  cd /srv/kelas && kelas backup backups/kelas-$(date +\\%H).sqlite --force

        Examples:
          kelas backup kelas-2021-07-12.sqlite
          KELAS_DATABASE=/srv/kelas/kelas.sqlite kelas backup /mnt/usb/kelas.sqlite --force
        """
    )
    @Argument(help: ArgumentHelp("Where to write the copy.", valueName: "file")) var file: String
    @Flag(help: "Replace FILE if it exists.") var force = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var language: LanguageOption

    func run() throws {
        if FileManager.default.fileExists(atPath: file) && !force {
            printError(cli("cli.error", ["problem": cli("backup.exists", ["file": file])]))
            throw ExitCode(1)
        }
        let store = try database.open()
        let summary = try store.backup(to: file)
        print(cli("backup.done", ["store": database.path ?? KelasDatabase.defaultPath(), "file": file, "batches": String(summary.batches),
                                  "messages": String(summary.messages), "outbox": String(summary.outbox), "kib": String(summary.bytes / 1024)]))
    }
}
