import Foundation

/// What `kelas validate` found in a set of files.
public struct ValidationReport: Sendable {
    public var diagnostics: [Diagnostic]
    /// One line per file that loaded, saying what it holds.
    public var summaries: [Phrase]

    public var errorCount: Int { diagnostics.count { $0.severity == .error } }
    public var warningCount: Int { diagnostics.count { $0.severity == .warning } }

    /// `2 errors, 1 warning`, or `no problems`.
    public var tally: Phrase {
        if diagnostics.isEmpty { return Phrase("validate.clean") }
        let parts = [errorCount > 0 ? Phrase.count(errorCount, "validate.error") : nil,
                     warningCount > 0 ? Phrase.count(warningCount, "validate.warning") : nil]
        return Phrase.list(parts.compactMap { $0 }) ?? Phrase("validate.clean")
    }
}

/// Checks batch, curriculum and participant files, telling which is which by content.
public enum Validator {
    public enum FileKind: String, Sendable {
        case batch, curriculum, participants, instrument, indicators
    }

    public static func validate(paths: [String]) -> ValidationReport {
        var diagnostics: [Diagnostic] = []
        var summaries: [Phrase] = []
        for path in paths {
            let log = DiagnosticLog()
            if let summary = validate(path: path, log: log) { summaries.append(summary) }
            diagnostics.append(contentsOf: log.sorted)
        }
        // A batch and the curriculum it names may both be given: report each problem once.
        var seen = Set<Diagnostic>()
        diagnostics = diagnostics.filter { seen.insert($0).inserted }
        return ValidationReport(diagnostics: diagnostics, summaries: summaries)
    }

    static func validate(path: String, log: DiagnosticLog) -> Phrase? {
        let limit = path.lowercased().hasSuffix(".csv") ? FileLimits.csv : FileLimits.yaml
        guard let text = readText(path, log: log, limit: limit) else { return nil }
        switch kind(of: path, text: text) {
        case .participants:
            let entries = ParticipantsCSV.parse(text, file: path, log: log)
            var people = PeopleChecker(log: log)
            let persons = entries.compactMap { people.add($0, role: "participant") }
            people.warnAboutSharedNames(persons)
            if !(BatchFile.minimumParticipants...BatchFile.maximumParticipants).contains(entries.count) {
                log.error(SourceLocation(file: path, line: 1, column: 1), "participants.count", ["count": String(entries.count)],
                          fix: entries.count < BatchFile.minimumParticipants ? "batchFile.participantCount.tooFew" : "batchFile.participantCount.tooMany")
            }
            return log.hasErrors ? nil : Phrase("validate.participants", ["path": path, "count": String(persons.count)])
        case .curriculum:
            guard let curriculum = CurriculumFile.decode(text, file: path, log: log) else { return nil }
            return Phrase("validate.curriculum", ["path": path, "id": curriculum.id, "days": String(curriculum.days.count),
                                                  "items": String(curriculum.items.count),
                                                  "languages": curriculum.languages.map(\.rawValue).joined(separator: ", ")])
        case .instrument:
            guard let instrument = InstrumentFile.decode(text, file: path, log: log) else { return nil }
            return Phrase("validate.instrument", ["path": path, "id": instrument.id, "statements": String(instrument.statements.count),
                                                  "options": String(instrument.options.count), "bands": instrument.bandRule(.en)])
        case .indicators:
            guard let loaded = IndicatorFile.decode(text, file: path, log: log) else { return nil }
            // What the rules name is checked against the store's instruments by `kelas results --indicators`.
            return Phrase("validate.indicators", ["path": path, "count": String(loaded.indicators.count),
                                                  "ids": loaded.indicators.map(\.id).joined(separator: ", ")])
        case .batch:
            guard let loaded = BatchFile.decode(text, file: path, log: log), !log.hasErrors else { return nil }
            let batch = loaded.batch
            let messages = Planner(batch: batch, curriculum: loaded.curriculum).plan()
            let last = batch.date(ofDay: loaded.curriculum.days.last ?? 7)
            return Phrase("validate.batch", ["path": path, "id": batch.id, "participants": String(batch.participants.count),
                                             "trainers": String(batch.trainers.count), "start": "\(batch.start)", "end": "\(last)",
                                             "messages": String(messages.count)])
        }
    }

    /// `.csv` is a participants file; a YAML file with a top-level `days` is a curriculum, with `statements` an
    /// instrument, with `indicators` an indicators file; any other YAML is a batch.
    public static func kind(of path: String, text: String) -> FileKind {
        if path.lowercased().hasSuffix(".csv") { return .participants }
        let lines = text.split(whereSeparator: \.isNewline)
        if lines.contains(where: { $0.hasPrefix("days:") }) { return .curriculum }
        if lines.contains(where: { $0.hasPrefix("statements:") }) { return .instrument }
        if lines.contains(where: { $0.hasPrefix("indicators:") }) { return .indicators }
        return .batch
    }
}
