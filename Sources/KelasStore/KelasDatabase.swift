import CKelasSQLite
import Foundation
import GRDB
import KelasCore

/// The embedded store: batches, people, planned messages, prompts, inbound messages and statuses, in SQLite.
///
/// Owns its migrations: shipped migrations are never edited, new ones are appended.
public struct KelasDatabase: Sendable {
    public let writer: any DatabaseWriter
    /// Each batch's statuses and results, kept by version (see `ReadModel`).
    let model = ReadModel()

    /// SQLite in multi-thread mode (`kelas_sqlite_configure`), set once before the first connection opens: every
    /// connection is reached through GRDB's serialized access, one thread at a time, so SQLite's own lock around each
    /// call (two per bound value) was pure cost — 7 % of storing a chat export. Too late if SQLite was used already
    /// (nothing changes then).
    static let configured: Int32 = kelas_sqlite_configure()

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        _ = Self.configured
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        // WAL (a pool): pages and reports read while a webhook or the dispatcher writes, and a commit costs one
        // sync of the log instead of several of the database; `synchronous = FULL` keeps every commit on disk
        // before it returns, so a webhook answered 200 survives a power cut, not only a crash. `temp_store = MEMORY`:
        // a statement of many rows keeps its statement journal (the pages it changed, to undo it alone) in memory, not
        // in a temporary file written page by page; the store's sorts are small. The one connection that writes keeps
        // 8 MB of pages instead of SQLite's 2: a dispatch round claims and settles rows across the outbox, its indexes
        // and the planned messages, and with 2 MB it read ten pages a message back from the file (20,000 deliveries
        // 0.92 -> 0.84 s side by side; 16 and 32 MB were no faster). Readers keep the default.
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY")
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = \(Self.writerCache)") }
        }
        try self.init(DatabasePool(path: path, configuration: configuration))
    }

    /// The page cache of a file store's writing connection, as `PRAGMA cache_size` takes it (negative: KiB).
    public static let writerCache = -8192

    /// An in-memory store, for simulations and tests.
    public static func inMemory() throws -> KelasDatabase {
        _ = configured
        return try KelasDatabase(DatabaseQueue())
    }

    /// A store of SQLite's own temporary file, deleted when it closes: like `inMemory()`, gone with the process, but its
    /// pages beyond the cache wait on disk instead of in memory (a simulated week of 100,000 participants is 330 MB).
    /// Nothing in it outlives the process, so it is never synced and its rollback journal is kept in memory (as
    /// statement journals are, as in every store). Its cache is 8 MB: 64 MB held 56 MB more at the peak of a
    /// 100,000-participant week and stored it no faster (8 MB: 0.1–0.2 s slower than 16, 8 MB less).
    public static func temporary() throws -> KelasDatabase {
        _ = configured
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY; PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY")
        }
        return try KelasDatabase(DatabaseQueue(path: "", configuration: configuration))
    }

    /// A store on a connection already open (SQLite's threading mode is set only by the initialisers that open one).
    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// The default database file: `$KELAS_DATABASE`, else `kelas.sqlite` in the current folder.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["KELAS_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "kelas.sqlite"
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: batches, people, plan, prompts, inbound, statuses, marks") { db in
            try db.execute(sql: """
            CREATE TABLE batch (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                programme TEXT NOT NULL,
                district TEXT NOT NULL,
                timezone TEXT NOT NULL,
                start TEXT NOT NULL,
                language TEXT NOT NULL,
                mode TEXT NOT NULL,
                source TEXT NOT NULL,
                completionSessions INTEGER NOT NULL,
                completionPostTest INTEGER NOT NULL
            );
            CREATE TABLE person (
                batchID TEXT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
                phone TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('participant', 'trainer', 'admin')),
                name TEXT NOT NULL,
                alias TEXT,
                district TEXT,
                disabilities TEXT NOT NULL DEFAULT '',
                position INTEGER NOT NULL,
                PRIMARY KEY (batchID, phone)
            );
            CREATE TABLE plannedMessage (
                id TEXT PRIMARY KEY NOT NULL,
                batchID TEXT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
                itemKey TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                day INTEGER NOT NULL,
                sendAt REAL NOT NULL,
                localDate TEXT NOT NULL,
                localTime TEXT NOT NULL,
                kind TEXT NOT NULL,
                audience TEXT NOT NULL,
                sender TEXT,
                text TEXT NOT NULL,
                url TEXT,
                filename TEXT,
                session INTEGER,
                flags TEXT NOT NULL
            );
            CREATE INDEX plannedMessage_batch ON plannedMessage(batchID, sendAt);
            CREATE TABLE prompt (
                batchID TEXT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                kind TEXT NOT NULL,
                session INTEGER,
                survey TEXT,
                opensAt REAL NOT NULL,
                closesAt REAL NOT NULL,
                PRIMARY KEY (batchID, key)
            );
            CREATE TABLE inboundMessage (
                id TEXT PRIMARY KEY NOT NULL,
                batchID TEXT,
                phone TEXT,
                author TEXT NOT NULL,
                sentAt REAL NOT NULL,
                type TEXT NOT NULL,
                isVoice INTEGER NOT NULL,
                text TEXT,
                quoting TEXT,
                source TEXT NOT NULL
            );
            CREATE INDEX inboundMessage_batch ON inboundMessage(batchID, sentAt);
            CREATE TABLE promptStatus (
                batchID TEXT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
                phone TEXT NOT NULL,
                prompt TEXT NOT NULL,
                state TEXT NOT NULL,
                updatedAt REAL,
                messageID TEXT,
                PRIMARY KEY (batchID, phone, prompt)
            );
            CREATE TABLE mark (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                batchID TEXT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
                phone TEXT NOT NULL,
                session INTEGER NOT NULL,
                kind TEXT NOT NULL,
                note TEXT,
                at REAL NOT NULL
            );
            """)
        }
        migrator.registerMigration("v2: delivery statuses, group ids and mentions of inbound messages") { db in
            try db.execute(sql: """
            CREATE TABLE deliveryStatus (
                messageID TEXT NOT NULL,
                recipient TEXT NOT NULL,
                state TEXT NOT NULL,
                at REAL NOT NULL,
                errorCode INTEGER,
                errorTitle TEXT,
                source TEXT NOT NULL,
                PRIMARY KEY (messageID, recipient, state)
            );
            ALTER TABLE inboundMessage ADD COLUMN groupID TEXT;
            ALTER TABLE inboundMessage ADD COLUMN mentions TEXT NOT NULL DEFAULT '';
            CREATE INDEX inboundMessage_unassigned ON inboundMessage(phone) WHERE batchID IS NULL;
            """)
        }
        migrator.registerMigration("v3: outbox and delivery attempts") { db in
            try db.execute(sql: """
            CREATE TABLE outbox (
                messageID TEXT PRIMARY KEY NOT NULL REFERENCES plannedMessage(id) ON DELETE CASCADE,
                batchID TEXT NOT NULL,
                webhookID TEXT NOT NULL,
                dueAt REAL NOT NULL,
                expiresAt REAL NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'sent', 'skipped', 'failed', 'dead', 'expired')),
                attempts INTEGER NOT NULL DEFAULT 0,
                nextAttemptAt REAL NOT NULL,
                leaseUntil REAL,
                lastError TEXT,
                sentAt REAL,
                wamid TEXT
            );
            CREATE INDEX outbox_due ON outbox(state, nextAttemptAt);
            CREATE TABLE deliveryAttempt (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                messageID TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                at REAL NOT NULL,
                statusCode INTEGER,
                error TEXT,
                latencyMs REAL
            );
            CREATE INDEX deliveryAttempt_message ON deliveryAttempt(messageID, attempt);
            -- Batches added before the outbox existed: their messages join it; past ones will expire, not be sent.
            INSERT INTO outbox (messageID, batchID, webhookID, dueAt, expiresAt, state, nextAttemptAt)
            SELECT id, batchID, 'msg_' || id, sendAt, sendAt + 12 * 3600, 'queued', sendAt FROM plannedMessage;
            """)
        }
        migrator.registerMigration("v4: reminders name their discussion; batches name their sink") { db in
            try db.execute(sql: """
            ALTER TABLE plannedMessage ADD COLUMN remindsOf TEXT;
            UPDATE plannedMessage SET remindsOf = substr(audience, 16) WHERE audience LIKE 'non-responders:%';
            ALTER TABLE batch ADD COLUMN sink TEXT;
            CREATE INDEX outbox_wamid ON outbox(wamid) WHERE wamid IS NOT NULL;
            """)
        }
        migrator.registerMigration("v5: the webhook inbox of kelas serve") { db in
            try db.execute(sql: """
            CREATE TABLE webhookInbox (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              endpoint TEXT NOT NULL,
              deliveryID TEXT,
              receivedAt REAL NOT NULL,
              body BLOB NOT NULL,
              appliedAt REAL,
              error TEXT
            );
            CREATE UNIQUE INDEX webhookInbox_delivery ON webhookInbox(endpoint, deliveryID) WHERE deliveryID IS NOT NULL;
            CREATE INDEX webhookInbox_pending ON webhookInbox(seq) WHERE appliedAt IS NULL;
            """)
        }
        migrator.registerMigration("v6: claims name their dispatcher; quarantined webhooks; fan-out reminders name their discussion") { db in
            try db.execute(sql: """
            ALTER TABLE outbox ADD COLUMN claimedBy TEXT;
            -- A payload that cannot be applied waits here with its reason until an admin retries it.
            ALTER TABLE webhookInbox ADD COLUMN quarantinedAt REAL;
            UPDATE webhookInbox SET quarantinedAt = appliedAt, appliedAt = NULL WHERE error IS NOT NULL AND appliedAt IS NOT NULL;
            DROP INDEX webhookInbox_pending;
            CREATE INDEX webhookInbox_pending ON webhookInbox(seq) WHERE appliedAt IS NULL AND quarantinedAt IS NULL;
            -- v4 named the discussion of group reminders only; a stored fan-out reminder (one per participant) reminds
            -- of the discussion open when it goes out, as the planner plans it. Without this it went to everyone.
            UPDATE plannedMessage SET remindsOf = (
                SELECT p.key FROM prompt p
                WHERE p.batchID = plannedMessage.batchID AND p.kind = 'discussion' AND p.opensAt <= plannedMessage.sendAt
                ORDER BY p.opensAt DESC LIMIT 1)
            WHERE kind = 'reminder' AND remindsOf IS NULL;
            """)
        }
        migrator.registerMigration("v7: survey instruments and answers typed by trainers") { db in
            try db.execute(sql: """
            ALTER TABLE prompt ADD COLUMN instrument TEXT;
            -- Answers a trainer typed (from a voice note or a call): they override what a reply said, statement by statement.
            CREATE TABLE surveyAnswer (
                batchID TEXT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
                phone TEXT NOT NULL,
                survey TEXT NOT NULL CHECK (survey IN ('pre', 'post')),
                statement INTEGER NOT NULL CHECK (statement >= 0),
                option INTEGER NOT NULL CHECK (option >= 0),
                source TEXT NOT NULL,
                at REAL NOT NULL,
                PRIMARY KEY (batchID, phone, survey, statement)
            );
            -- The instruments a batch's surveys name, as they were when the batch was added (JSON).
            CREATE TABLE instrument (
                batchID TEXT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                definition TEXT NOT NULL,
                PRIMARY KEY (batchID, id)
            );
            """)
        }
        migrator.registerMigration("v8: the WhatsApp group a gateway batch posts to") { db in
            try db.execute(sql: """
            -- `delivery.group` (120363…@g.us): where a gateway posts, and how a group message finds its batch.
            ALTER TABLE batch ADD COLUMN waGroup TEXT;
            CREATE UNIQUE INDEX batchByGroup ON batch(waGroup) WHERE waGroup IS NOT NULL;
            """)
        }
        migrator.registerMigration("v9: hidden group ids (lid) learnt with the phone behind them") { db in
            try db.execute(sql: """
            -- A gateway names some group senders only by a hidden id (`…@lid`); whenever a payload carries both, the pair is kept.
            CREATE TABLE lidMap (
                lid TEXT PRIMARY KEY,
                phone TEXT NOT NULL,
                learnedAt REAL NOT NULL
            );
            """)
        }
        migrator.registerMigration("v10: opt-outs") { db in
            try db.execute(sql: """
            -- The batch file's opt-out words (JSON {stop, start}; NULL: the defaults).
            ALTER TABLE batch ADD COLUMN optOutWords TEXT;
            -- Opt-outs and opt-ins an admin recorded (`kelas optout add|remove`); those written in the group are read from
            -- the messages.
            CREATE TABLE optOut (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                batchID TEXT NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
                phone TEXT NOT NULL,
                optedOut INTEGER NOT NULL,
                at REAL NOT NULL,
                note TEXT
            );
            """)
        }
        migrator.registerMigration("v11: templates and the 24-hour window") { db in
            try db.execute(sql: """
            -- Fan-out: the approved template a message goes as when its recipient's 24-hour window is closed (JSON).
            ALTER TABLE plannedMessage ADD COLUMN template TEXT;
            -- When the Cloud API last answered 131047 for a number: its window is closed until the person writes again.
            CREATE TABLE windowClosed (
                phone TEXT PRIMARY KEY NOT NULL,
                at REAL NOT NULL
            );
            CREATE INDEX inboundMessage_phone ON inboundMessage(phone, sentAt);
            """)
        }
        migrator.registerMigration("v12: access for trainers and sessions") { db in
            try db.execute(sql: """
            -- Who may sign in: admins, and trainers by phone. Only a hash of the one-time sign-in secret is kept; it is
            -- cleared when used.
            CREATE TABLE access (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                role TEXT NOT NULL CHECK (role IN ('admin', 'trainer')),
                phone TEXT,
                name TEXT NOT NULL,
                linkHash TEXT UNIQUE,
                linkExpiresAt REAL,
                createdAt REAL NOT NULL,
                revokedAt REAL
            );
            -- Signed-in browsers: only a hash of the session id is kept; the CSRF token every form carries.
            CREATE TABLE session (
                idHash TEXT PRIMARY KEY NOT NULL,
                accessID INTEGER REFERENCES access(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('admin', 'trainer')),
                phone TEXT,
                name TEXT NOT NULL,
                csrf TEXT NOT NULL,
                createdAt REAL NOT NULL,
                expiresAt REAL NOT NULL,
                revokedAt REAL
            );
            """)
        }
        migrator.registerMigration("v13: voice-note lengths") { db in
            // Seconds a voice note runs, when the gateway said (WAHA, Evolution); NULL for the Cloud API and exports.
            try db.execute(sql: "ALTER TABLE inboundMessage ADD COLUMN seconds INTEGER")
        }
        migrator.registerMigration("v14: batch versions for the read model; promptStatus and its rewrites removed") { db in
            // Every change to what a batch's statuses and results are computed from gives the batch a new version, from
            // one counter for the whole store (so a batch removed and added again never repeats one): the read model
            // keeps each batch's statuses in memory and rebuilds only a batch whose version moved, whichever process
            // wrote. `promptStatus` (a copy rewritten on every change, read by nothing) is gone.
            try db.execute(sql: """
            DROP TABLE promptStatus;
            CREATE TABLE storeVersion (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
            INSERT INTO storeVersion (id, version) VALUES (1, 1);
            ALTER TABLE batch ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
            CREATE INDEX person_phone ON person(phone);
            CREATE TRIGGER batch_added AFTER INSERT ON batch BEGIN
                UPDATE storeVersion SET version = version + 1;
                UPDATE batch SET version = (SELECT version FROM storeVersion) WHERE id = NEW.id;
            END;
            CREATE TRIGGER batch_changed AFTER UPDATE ON batch WHEN NEW.version = OLD.version BEGIN
                UPDATE storeVersion SET version = version + 1;
                UPDATE batch SET version = (SELECT version FROM storeVersion) WHERE id = NEW.id;
            END;
            """)
            let bump = versionBump
            // New inbound messages are the exception: they arrive by the thousand (webhook bursts, chat exports) through
            // one function, `insert`, and the ingest moves each batch it added to once per transaction (`touch`).
            for table in versionedTables {
                if table != "inboundMessage" {
                    try db.execute(sql: "CREATE TRIGGER \(table)_added AFTER INSERT ON \(table) BEGIN \(bump("NEW")) END")
                }
                try db.execute(sql: """
                CREATE TRIGGER \(table)_removed AFTER DELETE ON \(table) BEGIN \(bump("OLD")) END;
                CREATE TRIGGER \(table)_changed AFTER UPDATE ON \(table) BEGIN \(bump("OLD")) \(bump("NEW")) END;
                """)
            }
            // A reply quotes the id WhatsApp gave our message: learning it changes which prompt a quote answers.
            try db.execute(sql: """
            CREATE TRIGGER outbox_wamid AFTER UPDATE OF wamid ON outbox WHEN NEW.wamid IS NOT OLD.wamid BEGIN \(bump("NEW")) END;
            CREATE TRIGGER outbox_added AFTER INSERT ON outbox WHEN NEW.wamid IS NOT NULL BEGIN \(bump("NEW")) END;
            """)
        }
        migrator.registerMigration("v15: version triggers stand aside inside a bulk write, which moves its batches once") { db in
            // A bulk write (a batch added, a simulated week stored) writes a row into `bulkWrite` at its start and
            // deletes it before it commits: no other connection ever sees the row. While it is there, the triggers
            // that give a batch a new version for every row changed do nothing, and the bulk write moves each batch it
            // wrote to once (`touch`), as the ingest does for inbound messages: two updates a row for 100,000 rows
            // were most of the time of storing a large simulated week.
            try db.execute(sql: "CREATE TABLE bulkWrite (id INTEGER PRIMARY KEY)")
            let bump = versionBump
            let outsideBulk = "NOT EXISTS (SELECT 1 FROM bulkWrite)"
            for table in versionedTables {
                if table != "inboundMessage" {
                    try db.execute(sql: """
                    DROP TRIGGER \(table)_added;
                    CREATE TRIGGER \(table)_added AFTER INSERT ON \(table) WHEN \(outsideBulk) BEGIN \(bump("NEW")) END;
                    """)
                }
                try db.execute(sql: """
                DROP TRIGGER \(table)_removed;
                DROP TRIGGER \(table)_changed;
                CREATE TRIGGER \(table)_removed AFTER DELETE ON \(table) WHEN \(outsideBulk) BEGIN \(bump("OLD")) END;
                CREATE TRIGGER \(table)_changed AFTER UPDATE ON \(table) WHEN \(outsideBulk) BEGIN \(bump("OLD")) \(bump("NEW")) END;
                """)
            }
        }
        migrator.registerMigration("v16: the outbox keeps each message's place in its day, so a claim reads the index in order") { db in
            // The dispatcher claims the oldest due messages in their planned order. That order came from the planned
            // message (joined for every due row, then sorted) on each claim: with 20,000 messages due at once a claim
            // cost 22 ms. The outbox now carries the sequence, and one index gives due messages already in order.
            try db.execute(sql: """
            ALTER TABLE outbox ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
            UPDATE outbox SET sequence = COALESCE((SELECT sequence FROM plannedMessage WHERE id = outbox.messageID), 0);
            DROP INDEX outbox_due;
            CREATE INDEX outbox_claim ON outbox(state, nextAttemptAt, dueAt, sequence);
            """)
        }
        migrator.registerMigration("v17: a batch's outbox and its marks are read by an index") { db in
            // A batch's page and `/today` read its outbox and its marks: without these indexes each read scanned every
            // batch's rows (20,790 messages and 10,171 marks, ten times over for `/today` at ten times the programme).
            // The dispatcher never changes the outbox columns indexed here, so sending does not move the index.
            try db.execute(sql: """
            CREATE INDEX outbox_batch ON outbox(batchID, dueAt, sequence);
            CREATE INDEX mark_batch ON mark(batchID, at);
            """)
        }
        migrator.registerMigration("v18: the 24-hour window's index leaves out chat exports and group messages") { db in
            // Only the window reads messages by phone, and it never counts a chat export's messages nor a group's: the
            // index keeps only the messages it reads (its condition is the window query's own, so SQLite uses it). A
            // chat export no longer writes a fourth b-tree for each message (storing one: 1.86 -> 1.40 s per 50 MB).
            // "Not a chat export" is the id outside the range of ids starting "chat:" (`;` follows `:`): a comparison,
            // not `NOT LIKE`, since a function in an index's condition makes SQLite journal every multi-row insert.
            try db.execute(sql: """
            DROP INDEX inboundMessage_phone;
            CREATE INDEX inboundMessage_phone ON inboundMessage(phone, sentAt) WHERE groupID IS NULL AND (id < 'chat:' OR id >= 'chat;');
            """)
        }
        migrator.registerMigration("v19: what may expire is found by an index of the queued messages") { db in
            // Each dispatch pass first expires what missed its window. That looked at every queued message (540,000 in
            // a store of 20,000 fan-out participants: 0.2 s a pass, before anything was sent). This index holds only
            // queued messages, by when they expire (claimed ones are few and found by `outbox_claim`). Its key goes on
            // in claim order (`dueAt`, `sequence`), so a round's claims leave it from a few neighbouring pages.
            try db.execute(sql: "CREATE INDEX outbox_expiry ON outbox(expiresAt, dueAt, sequence) WHERE state = 'queued'")
        }
        migrator.registerMigration("v20: chat exports' message ids begin with their time; batches stored before keep theirs") { db in
            // A chat message's id was `chat:` + a digest: random, so storing an export wrote all over the index of ids
            // (SQLite alone took 1.4 s to copy a 50 MB export's rows; 1.0 s with ids in time order). New ids put the
            // message's local time first (`ChatMessageIDs.timeOrdered`). The batches that have messages stored with
            // the old ids are listed here and keep them, so importing their export again still adds only what is new.
            // (Not cascaded with the batch: its messages outlive it, and so must the form of their ids.)
            try db.execute(sql: """
                CREATE TABLE chatDigestIDs (batchID TEXT PRIMARY KEY NOT NULL);
                INSERT INTO chatDigestIDs SELECT DISTINCT batchID FROM inboundMessage
                WHERE id >= 'chat:' AND id < 'chat;' AND batchID IS NOT NULL;
                """)
        }
        return migrator
    }

    /// The tables whose rows statuses come from: each change moves the row's batch to a new version (v14, v15).
    static let versionedTables = ["person", "plannedMessage", "prompt", "inboundMessage", "mark", "surveyAnswer", "instrument", "optOut"]

    /// The trigger body that moves the batch of `row` (`NEW` or `OLD`) to a new version.
    static func versionBump(_ row: String) -> String {
        "UPDATE storeVersion SET version = version + 1; "
            + "UPDATE batch SET version = (SELECT version FROM storeVersion) WHERE id = \(row).batchID;"
    }

    /// The name of every migration, oldest first: the schema versions this build can open and upgrade.
    public static var migrations: [String] { migrator.migrations }
}
