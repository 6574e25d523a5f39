import Foundation
import GRDB
import KelasCore

/// A reply that needs a person, with whom and which survey it belongs to.
public struct ReviewEntry: Sendable, Equatable {
    public var batchID: String
    public var name: String
    public var phone: PhoneNumber
    public var survey: SurveyKind
    public var item: ReviewItem
}

extension KelasDatabase {
    /// Every participant's results as of `now`: their pre- and post-test read from the replies the tracker counted for
    /// each survey prompt (with the answers trainers typed taking precedence), completion, and who they are for grouping.
    /// Replayed from the messages once per version of each batch (the read model), like the status grid: the result does
    /// not depend on the order things arrived in, nor on `now` (kept so callers read results and statuses alike).
    public func participantResults(batchIDs: [String]? = nil, now: Date) throws -> [ParticipantResult] {
        try writer.read { db in
            var results: [ParticipantResult] = []
            var instruments = InstrumentCache()
            for batch in try Self.batchRows(db, batchIDs) {
                let snapshot = try Self.snapshot(db, batch, model: model)
                if let kept = model.results.value(snapshot.id, .init(version: snapshot.version)) {
                    results += kept
                    continue
                }
                let computed = try Self.results(db, batch, snapshot, instruments: &instruments)
                model.results.keep(computed, snapshot.id, .init(version: snapshot.version))
                results += computed
            }
            return results
        }
    }

    /// Decoded instruments by their stored JSON: the batches of a programme share one, and decoding is not free.
    struct InstrumentCache {
        var decoded: [String: Instrument] = [:]
    }

    /// A batch's participants' results (what time alone changes — a prompt closing — changes none of them: a reading
    /// comes from the replies counted, completion from what was answered).
    static func results(_ db: Database, _ batch: Row, _ snapshot: BatchSnapshot, instruments: inout InstrumentCache) throws -> [ParticipantResult] {
        let batchID = snapshot.id
        let rule = snapshot.rule
        let replay = (prompts: snapshot.prompts, tracker: snapshot.tracker)
        let surveyPrompts = replay.prompts.filter { $0.kind == .survey }
        // The instrument of the batch's scored surveys (pre and post share one).
        var instrument: Instrument?
        for prompt in surveyPrompts {
            guard let id = prompt.instrument else { continue }
            instrument = try Self.instrument(db, batchID: batchID, id: id, cache: &instruments)
        }
        let trainers = snapshot.trainers
        let start = try Self.start(batch, batchID: batchID)
        let people = try Row.fetchAll(db, sql: """
            SELECT phone, name, district, disabilities FROM person WHERE batchID = ? AND role = 'participant' ORDER BY position
            """, arguments: [batchID]).map { row in
            BatchResults.Person(phone: row["phone"], name: row["name"],
                                district: (row["district"] as String?).flatMap { $0.isEmpty ? nil : $0 } ?? snapshot.district,
                                withDisability: !(row["disabilities"] as String).isEmpty)
        }
        var input = BatchResults(batchID: batchID, programme: batch["programme"], start: start, trainers: trainers, completion: rule,
                                 prompts: replay.prompts, instrument: instrument, people: people, states: replay.tracker.states)
        // Replies counted for a survey prompt.
        let surveys = input.surveyOfPrompt
        let counted = replay.tracker.answers.filter { surveys[$0.value.prompt] != nil }
        if !counted.isEmpty {
            for row in try Row.fetchAll(db, sql: "SELECT id, sentAt, type, text FROM inboundMessage WHERE batchID = ? AND phone IS NOT NULL",
                                        arguments: [batchID]) {
                let id: String = row["id"]
                guard let answer = counted[id] else { continue }
                let type: String = row["type"]
                input.add(SurveyReply(messageID: id, at: Date(timeIntervalSince1970: row["sentAt"]), text: row["text"], isVoice: type == "voice"),
                          from: answer.participant, prompt: answer.prompt, surveys: surveys)
            }
        }
        // Answers typed by trainers, or imported from a form (`import:` sources).
        var fromForms: [String: Bool] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT phone, survey, statement, option, source FROM surveyAnswer WHERE batchID = ?",
                                    arguments: [batchID]) {
            let key = (row["phone"] as String) + "|" + (row["survey"] as String)
            input.typed[key, default: BatchResults.Typed(answers: [:], source: "trainer")].answers[row["statement"]] = row["option"]
            fromForms[key] = (fromForms[key] ?? true) && (row["source"] as String).hasPrefix("import:")
        }
        for (key, form) in fromForms where form { input.typed[key]?.source = "form" }
        return input.participants
    }

    /// The instruments and prompt keys in use, to check an indicators file against (`IndicatorFile.check`).
    public func indicatorContext() throws -> (instruments: [Instrument], prompts: Set<String>) {
        try writer.read { db in
            var cache = InstrumentCache()
            var instruments: [String: Instrument] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT DISTINCT batchID, instrument FROM prompt WHERE instrument IS NOT NULL") {
                let id: String = row["instrument"]
                if instruments[id] == nil { instruments[id] = try Self.instrument(db, batchID: row["batchID"], id: id, cache: &cache) }
            }
            let prompts = try String.fetchSet(db, sql: "SELECT DISTINCT key FROM prompt")
            return (instruments.values.sorted { $0.id < $1.id }, prompts)
        }
    }

    /// What needs a person across the batches (or one): replies not read with confidence, and voice notes.
    public func reviewQueue(batchID: String? = nil, now: Date) throws -> [ReviewEntry] {
        try participantResults(batchIDs: batchID.map { [$0] }, now: now).flatMap { result in
            [(SurveyKind.pre, result.pre), (.post, result.post)].flatMap { survey, reading in
                (reading?.review ?? []).map {
                    ReviewEntry(batchID: result.batch, name: result.name, phone: PhoneNumber(e164: result.phone), survey: survey, item: $0)
                }
            }
        }
    }

    /// Records answers a trainer typed for a participant's survey (statement → option), replacing any typed before for
    /// those statements. Returns the participant's number.
    @discardableResult
    public func setAnswers(batchID: String, participant: String, survey: SurveyKind, answers: [Int: Int], source: String,
                           now: Date) throws -> PhoneNumber {
        try writer.write { db in
            _ = try Self.requireBatch(db, batchID)
            let phone = try Self.findParticipant(db, batchID: batchID, participant)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO surveyAnswer (batchID, phone, survey, statement, option, source, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET option = excluded.option, source = excluded.source, at = excluded.at
                """)
            for (statement, option) in answers.sorted(by: { $0.key < $1.key }) {
                try insert.execute(arguments: [batchID, phone.e164, survey.rawValue, statement, option, source, now.timeIntervalSince1970])
            }
            return phone
        }
    }

    /// The instrument of a batch's scored surveys, if it has one.
    public func instrument(batchID: String) throws -> Instrument? {
        try writer.read { db in
            _ = try Self.requireBatch(db, batchID)
            guard let id = try String.fetchOne(db, sql: "SELECT instrument FROM prompt WHERE batchID = ? AND instrument IS NOT NULL LIMIT 1",
                                               arguments: [batchID]) else { return nil }
            var cache = InstrumentCache()
            return try Self.instrument(db, batchID: batchID, id: id, cache: &cache)
        }
    }

    /// An instrument as stored with its batch; one that is missing or does not decode is an error naming it.
    static func instrument(_ db: Database, batchID: String, id: String, cache: inout InstrumentCache) throws -> Instrument {
        let text = try String.fetchOne(db, sql: "SELECT definition FROM instrument WHERE batchID = ? AND id = ?", arguments: [batchID, id])
        if let text, let known = cache.decoded[text] { return known }
        guard let text, let instrument = try? JSONDecoder().decode(Instrument.self, from: Data(text.utf8)) else {
            throw StoredValueError(table: "instrument", key: "\(batchID)/\(id)", column: "definition", value: "missing or unreadable")
        }
        cache.decoded[text] = instrument
        return instrument
    }
}

/// What `kelas results import` did.
public struct FormImportSummary: Sendable, Equatable {
    public var rows = 0
    public var byPhone = 0
    public var byName = 0
    /// Rows that match nobody of the batch: line and how the row named the person.
    public var unmatched: [(line: Int, who: String)] = []
    /// Answers new or changed in the store.
    public var stored = 0
    /// Answers the store already had (a re-import).
    public var unchanged = 0
    /// Participants answered by more than one row: the later row counts.
    public var repeated: [String] = []

    public static func == (a: Self, b: Self) -> Bool {
        a.rows == b.rows && a.byPhone == b.byPhone && a.byName == b.byName && a.stored == b.stored && a.unchanged == b.unchanged
            && a.repeated == b.repeated && a.unmatched.map(\.line) == b.unmatched.map(\.line)
    }
}

extension KelasDatabase {
    /// Stores the answers of a form export for a batch's survey in one transaction: each row is matched to a
    /// participant by its phone number (any formatting), else by name or alias. Answers go where typed answers go
    /// (they override replies for those statements), with the file and the submission as their source; importing the
    /// same export again changes nothing.
    public func importForm(_ export: FormExport, batchID: String, survey: SurveyKind, now: Date) throws -> FormImportSummary {
        let people = try chatContext(batchID: batchID).people
        return try writer.write { db in
            var summary = FormImportSummary()
            var seen: [String: Int] = [:]
            let existing = try db.cachedStatement(sql: "SELECT option FROM surveyAnswer WHERE batchID = ? AND phone = ? AND survey = ? AND statement = ?")
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO surveyAnswer (batchID, phone, survey, statement, option, source, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET option = excluded.option, source = excluded.source, at = excluded.at
                """)
            for row in export.rows {
                summary.rows += 1
                var person: PeopleDirectory.Person?
                if let phone = row.phone, case .success(let number) = PhoneNumber.parse(phone), let found = people.find(number.e164),
                   found.role == .participant {
                    person = found
                    summary.byPhone += 1
                } else if let name = row.name, let found = people.match(author: name), found.role == .participant {
                    person = found
                    summary.byName += 1
                }
                guard let person else {
                    summary.unmatched.append((row.line, [row.phone, row.name].compactMap { $0 }.joined(separator: " / ")))
                    continue
                }
                if seen[person.phone.e164] != nil { summary.repeated.append(person.name) }
                seen[person.phone.e164] = row.line
                for (statement, option) in row.answers.sorted(by: { $0.key < $1.key }) {
                    let before = try Int.fetchOne(existing, arguments: [batchID, person.phone.e164, survey.rawValue, statement])
                    if before == option { summary.unchanged += 1; continue }
                    try upsert.execute(arguments: [batchID, person.phone.e164, survey.rawValue, statement, option,
                                                   "import:\((export.file as NSString).lastPathComponent)#\(row.submission)", now.timeIntervalSince1970])
                    summary.stored += 1
                }
            }
            return summary
        }
    }
}

extension StoredBatch {
    /// The batch's first and last day, for the programme report.
    public var period: ProgrammeReport.BatchPeriod? {
        LocalDate(start).map { ProgrammeReport.BatchPeriod(id: id, start: $0, end: $0.adding(days: max(days, 1) - 1)) }
    }
}
