import Foundation

/// Decodes a curriculum file (YAML), collecting every problem with its position.
public enum CurriculumFile {
    /// WhatsApp's limits on what one message may carry.
    public static let textLimit = 4096
    public static let captionLimit = 1024
    /// A 10-minute 360p video is about 50 MB (domain.md); longer ones cost participants too much data.
    public static let longVideoSeconds = 600
    public static let placeholders = ["name", "trainer", "day", "date", "batch", "admin", "session", "programme", "district"]

    static let topKeys = ["id", "title", "languages", "sessions", "days"]
    static let dayKeys = ["day", "title", "items"]
    static let itemKeys = ["id", "at", "kind", "text", "url", "filename", "session", "closes", "for", "survey", "instrument", "questions", "duration",
                           "template"]
    static let kindOnlyKeys: [String: [ItemKind]] = [
        "url": [.video, .document, .survey, .text], "filename": [.document], "session": [.discussion],
        "closes": [.discussion], "for": [.reminder], "survey": [.survey], "instrument": [.survey], "questions": [.survey], "duration": [.video],
    ]

    /// Logs every `{{placeholder}}` in `text` that Kelas cannot fill; false when there was one.
    static func checkPlaceholders(_ text: String, at location: SourceLocation, log: DiagnosticLog) -> Bool {
        var ok = true
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                log.error(location, "curriculum.placeholderOpen", ["example": "{{name}}", "open": "`{{`", "close": "`}}`"])
                return false
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !CurriculumFile.placeholders.contains(name) {
                let values = ["name": "{{\(name)}}", "known": CurriculumFile.placeholders.map { "{{\($0)}}" }.joined(separator: ", ")]
                if let guess = closestMatch(to: name, in: CurriculumFile.placeholders) {
                    log.error(location, "curriculum.placeholder", values.merging(["guess": "{{\(guess)}}"]) { $1 }, fix: "curriculum.placeholder.guess")
                } else {
                    log.error(location, "curriculum.placeholder", values)
                }
                ok = false
            }
            rest = rest[close.upperBound...]
        }
        return ok
    }

    /// Reads and decodes the curriculum at `path`.
    public static func load(path: String, log: DiagnosticLog) -> Curriculum? {
        guard let text = readText(path, log: log) else { return nil }
        return decode(text, file: path, log: log)
    }

    public static func decode(_ text: String, file: String, log: DiagnosticLog) -> Curriculum? {
        guard let root = YAMLDocument.parse(text, file: file, log: log) else { return nil }
        return decode(root, file: file, log: log)
    }

    static func decode(_ root: YAMLNode, file: String, log: DiagnosticLog) -> Curriculum? {
        // Counted before the top-level keys are read, so that an unknown key is one of this file's errors too.
        let errorsBefore = log.diagnostics.count { $0.severity == .error }
        guard let top = MappingReader(root, what: Phrase("what.curriculum"), allowed: topKeys, log: log) else { return nil }
        let id = top.string("id", required: true, example: "adil-gender")?.0 ?? ""

        var languages: [Language] = []
        if let nodes = top.list("languages") {
            for node in nodes {
                guard let text = node.scalar, let language = Language(rawValue: text) else {
                    log.error(node.location, "curriculum.language", ["languages": Language.allCases.map(\.rawValue).joined(separator: ", ")],
                              parts: ["found": node.shown])
                    continue
                }
                if languages.contains(language) {
                    log.error(node.location, "curriculum.languageTwice", ["language": text])
                }
                languages.append(language)
            }
        }
        if languages.isEmpty { languages = [.id] }
        let reader = TextReader(languages: languages, log: log)

        let title = top.node("title").flatMap { reader.read($0, what: Phrase("what.curriculumTitle"), limit: nil) }
            ?? LocalizedText(Dictionary(uniqueKeysWithValues: languages.map { ($0, id) }))

        var sessions: [CurriculumSession] = []
        for node in top.list("sessions") ?? [] {
            guard let session = MappingReader(node, what: Phrase("what.session"), allowed: ["number", "title"], log: log),
                  let (number, location) = session.int("number", required: true, example: "1") else { continue }
            if sessions.contains(where: { $0.number == number }) {
                log.error(location, "curriculum.sessionTwice", ["session": String(number)])
            }
            let title = session.node("title", required: true).flatMap { reader.read($0, what: Phrase("what.sessionTitle"), limit: nil) }
            sessions.append(CurriculumSession(number: number, title: title ?? LocalizedText([:])))
        }

        var items: [CurriculumItem] = []
        var instruments: [String: (instrument: Instrument, source: String)] = [:]
        var seenDays: [Int: SourceLocation] = [:]
        for dayNode in top.list("days", required: true, example: "[{ day: 1, items: [...] }]") ?? [] {
            guard let day = MappingReader(dayNode, what: Phrase("what.day"), allowed: dayKeys, log: log) else { continue }
            guard let (number, location) = day.int("day", required: true, example: "1") else { continue }
            if !(1...7).contains(number) {
                log.error(location, "curriculum.dayOutside", ["day": String(number)])
                continue
            }
            if let first = seenDays[number] {
                log.error(location, "curriculum.dayTwice", ["day": String(number), "line": String(first.line)])
            }
            seenDays[number] = location
            if let titleNode = day.node("title") { _ = reader.read(titleNode, what: Phrase("what.dayTitle"), limit: nil) }
            for itemNode in day.list("items", required: true, example: "[{ at: \"08:00\", kind: text, text: ... }]") ?? [] {
                if let item = decodeItem(itemNode, day: number, reader: reader, instruments: &instruments, file: file, log: log) {
                    items.append(item)
                }
            }
        }
        items = assignKeys(items, log: log)
        checkReferences(items, sessions: sessions, log: log)

        let hasNewErrors = log.diagnostics.count { $0.severity == .error } > errorsBefore
        guard !hasNewErrors else { return nil }
        return Curriculum(id: id, title: title, languages: languages, sessions: sessions, items: items, source: file,
                          instruments: instruments.mapValues(\.instrument))
    }

    private static func decodeItem(_ node: YAMLNode, day: Int, reader: TextReader,
                                   instruments: inout [String: (instrument: Instrument, source: String)], file: String,
                                   log: DiagnosticLog) -> CurriculumItem? {
        guard let item = MappingReader(node, what: Phrase("what.item"), allowed: itemKeys, log: log) else { return nil }
        var ok = true
        let kindEntry = item.string("kind", required: true, example: "text")
        var kind: ItemKind?
        if let (text, location) = kindEntry {
            kind = ItemKind(rawValue: text)
            if kind == nil {
                let kinds = ItemKind.allCases.map(\.rawValue)
                log.error(location, "curriculum.kind", ["kind": text, "kinds": kinds.joined(separator: ", ")], parts: ["guess": .guess(text, in: kinds)])
            }
        }
        var at: LocalTime?
        if let (text, location) = item.string("at", required: true, example: "\"08:00\"") {
            at = LocalTime(text)
            if at == nil || at == LocalTime(hour: 24, minute: 0) {
                log.error(location, "curriculum.at", ["found": text])
                at = nil
            }
        }
        guard let kind, let at else { return nil }

        for (key, kinds) in kindOnlyKeys where item.has(key) && !kinds.contains(kind) {
            log.error(item.keyLocation(key), "curriculum.keyForKind", ["key": key, "kind": kind.rawValue, "kinds": kinds.map(\.rawValue).joined(separator: ", ")])
            ok = false
        }

        var url: String?
        if let (text, location) = item.string("url", required: kind == .video || kind == .document, example: "https://youtu.be/VIDEO") {
            if isWebURL(text) {
                url = text
            } else {
                log.error(location, "curriculum.url", ["url": text])
                ok = false
            }
        }
        var filename: String?
        if kind == .document, let (text, location) = item.string("filename", required: true, example: "modul-sesi-1.pdf") {
            filename = text
            let ext = (text as NSString).pathExtension.lowercased()
            if !["pdf", "doc", "docx"].contains(ext) {
                log.warning(location, "curriculum.filename", ["filename": text])
            }
        }
        var session: Int?
        if kind == .discussion, let (number, location) = item.int("session", required: true, example: "1") {
            if number < 1 { log.error(location, "curriculum.sessionFrom1"); ok = false } else { session = number }
        }
        var closes: WeekTime?
        if kind == .discussion {
            if let (text, location) = item.string("closes") {
                closes = parseWeekTime(text, defaultDay: day)
                if let value = closes, value <= WeekTime(day: day, time: at) {
                    log.error(location, "curriculum.closesBefore", ["closes": "\(value)", "day": String(day), "at": "\(at)", "next": String(min(day + 1, 7))])
                    ok = false
                } else if closes == nil {
                    log.error(location, "curriculum.closes", ["found": text, "next": String(min(day + 1, 7))])
                    ok = false
                }
            } else {
                // Default: a day to answer, as the programme gave participants.
                closes = WeekTime(day: day + 1, time: at)
            }
        }
        let remindsOf = kind == .reminder ? item.string("for", required: true, example: "sesi-1")?.0 : nil
        var survey: SurveyKind?
        if kind == .survey, let (text, location) = item.string("survey", required: true, example: "pre") {
            survey = SurveyKind(rawValue: text)
            if survey == nil { log.error(location, "curriculum.survey", ["survey": text]); ok = false }
        }
        var durationSeconds: Int?
        if let (text, location) = item.string("duration") {
            durationSeconds = parseDuration(text)
            if let seconds = durationSeconds, seconds > longVideoSeconds {
                log.warning(location, "curriculum.longVideo", ["duration": text, "megabytes": String(seconds * 5 / 60)])
            } else if durationSeconds == nil {
                log.error(location, "curriculum.duration", ["found": text])
                ok = false
            }
        }
        let limit = (kind == .document || (kind == .video && !(url.map(CurriculumItem.isYouTube) ?? false))) ? captionLimit : textLimit
        let textNode = item.node("text", required: true, example: "{ id: \"…\", en: \"…\" }")
        let text = textNode.flatMap { reader.read($0, what: Phrase("what.text"), limit: limit) }
        var questions: [LocalizedText] = []
        for questionNode in item.list("questions") ?? [] {
            if let question = reader.read(questionNode, what: Phrase("what.question"), limit: textLimit) { questions.append(question) }
            else { ok = false }
        }
        // A scored survey names its instrument (built in, or a file beside the curriculum); its statements are then the
        // questions.
        var instrument: String?
        if kind == .survey, let (name, location) = item.string("instrument") {
            let isPath = name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.contains("/")
            var known: Instrument?
            if !isPath {
                known = BuiltinInstruments.all[name]
                if known == nil {
                    log.error(location, "curriculum.instrument", ["instrument": name, "builtins": BuiltinInstruments.all.keys.sorted().joined(separator: ", ")])
                }
            } else if let cached = instruments.values.first(where: { $0.source == name }) {
                known = cached.instrument
            } else {
                let path = BatchFile.resolve(name, relativeTo: (file as NSString).deletingLastPathComponent)
                known = InstrumentFile.load(path: path, log: log, referencedFrom: location)
                if let loaded = known {
                    if let other = instruments[loaded.id], other.source != name {
                        log.error(location, "curriculum.instrumentTwice", ["instrument": loaded.id])
                    }
                    instruments[loaded.id] = (loaded, name)
                }
            }
            if let known {
                instrument = known.id
                if instruments[known.id] == nil { instruments[known.id] = (known, isPath ? name : "builtin:" + name) }
                if !questions.isEmpty {
                    log.error(location, "curriculum.questionsAndInstrument", ["count": String(known.statements.count)])
                    ok = false
                }
                questions = known.statements.map(\.text)
            } else {
                ok = false
            }
        }
        var template: MessageTemplate?
        if let node = item.node("template") {
            template = MessageTemplate.read(node, what: Phrase("what.itemTemplate"), log: log)
            if template == nil { ok = false }
        }
        guard ok, let text else { return nil }
        let key = item.string("id")?.0 ?? ""
        return CurriculumItem(key: key, day: day, at: at, kind: kind, text: text, url: url, filename: filename,
                              session: session, closes: closes, remindsOf: remindsOf, survey: survey, instrument: instrument, questions: questions,
                              durationSeconds: durationSeconds, template: template, location: node.location)
    }

    /// Orders items and gives each a stable key: its `id:`, or `d<day>-<HHMM>-<kind>` (with `-2`, `-3` for repeats).
    private static func assignKeys(_ items: [CurriculumItem], log: DiagnosticLog) -> [CurriculumItem] {
        var sorted = items.enumerated().sorted { ($0.element.day, $0.element.at, $0.offset) < ($1.element.day, $1.element.at, $1.offset) }.map(\.element)
        var used: [String: SourceLocation] = [:]
        for item in sorted where !item.key.isEmpty {
            if let first = used[item.key] {
                log.error(item.location, "curriculum.idTwice", ["id": item.key, "line": String(first.line)])
            }
            used[item.key] = item.location
        }
        for index in sorted.indices where sorted[index].key.isEmpty {
            let item = sorted[index]
            let base = String(format: "d%d-%02d%02d-", item.day, item.at.hour, item.at.minute) + item.kind.rawValue
            var key = base
            var counter = 2
            while used[key] != nil { key = "\(base)-\(counter)"; counter += 1 }
            used[key] = item.location
            sorted[index].key = key
        }
        return sorted
    }

    private static func checkReferences(_ items: [CurriculumItem], sessions: [CurriculumSession], log: DiagnosticLog) {
        let discussions = items.filter { $0.kind == .discussion }
        for item in items {
            if let session = item.session, !sessions.isEmpty, !sessions.contains(where: { $0.number == session }) {
                log.error(item.location, "curriculum.noSession", ["session": String(session), "sessions": sessions.map { String($0.number) }.joined(separator: ", ")])
            }
            guard let target = item.remindsOf else { continue }
            guard let discussion = discussions.first(where: { $0.key == target }) else {
                let ids = discussions.map(\.key)
                log.error(item.location, "curriculum.reminderTarget", ["target": target, "ids": ids.joined(separator: ", ")],
                          parts: ["guess": .guess(target, in: ids)], fix: ids.isEmpty ? "curriculum.reminderTarget.add" : nil)
                continue
            }
            let sent = WeekTime(day: item.day, time: item.at)
            if sent <= WeekTime(day: discussion.day, time: discussion.at) {
                log.error(item.location, "curriculum.reminderEarly", ["sent": "\(sent)", "day": String(discussion.day), "at": "\(discussion.at)"])
            } else if let closes = discussion.closes, sent >= closes {
                log.warning(item.location, "curriculum.reminderLate", ["sent": "\(sent)", "closes": "\(closes)"])
            }
        }
    }

    /// `HH:MM` (same day) or `day N HH:MM`.
    static func parseWeekTime(_ text: String, defaultDay: Int) -> WeekTime? {
        let words = text.split(separator: " ").map(String.init)
        if words.count == 1, let time = LocalTime(words[0]) { return WeekTime(day: defaultDay, time: time) }
        if words.count == 3, ["day", "hari"].contains(words[0].lowercased()), let day = Int(words[1]), (1...8).contains(day),
           let time = LocalTime(words[2]) {
            return WeekTime(day: day, time: time)
        }
        return nil
    }

    /// `4:30`, `1:02:03` or plain seconds.
    static func parseDuration(_ text: String) -> Int? {
        let parts = text.split(separator: ":").map { Int($0) }
        guard !parts.isEmpty, parts.count <= 3, !parts.contains(nil) else { return nil }
        return parts.compactMap { $0 }.reduce(0) { $0 * 60 + $1 }
    }

    static func isWebURL(_ text: String) -> Bool {
        guard !text.contains(" "), let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = components.host, host.contains("."), !host.hasPrefix("."), !host.hasSuffix(".")
        else { return false }
        return true
    }
}

/// Reads curriculum text: one string per declared language, with placeholder and length checks.
struct TextReader {
    let languages: [Language]
    let log: DiagnosticLog

    func read(_ node: YAMLNode, what: Phrase, limit: Int?) -> LocalizedText? {
        var variants: [Language: (String, SourceLocation)] = [:]
        switch node.value {
        case .scalar(let text):
            guard languages.count == 1 else {
                log.error(node.location, "curriculum.oneLanguage", ["languages": languages.map(\.rawValue).joined(separator: ", "),
                                                                 "example": "{ " + languages.map { "\($0.rawValue): \"…\"" }.joined(separator: ", ") + " }"],
                          parts: ["what": what])
                return nil
            }
            variants[languages[0]] = (text, node.location)
        case .mapping(let pairs):
            for pair in pairs {
                guard let key = pair.key.scalar, let language = Language(rawValue: key) else {
                    log.error(pair.key.location, "curriculum.variantLanguage", ["languages": languages.map(\.rawValue).joined(separator: ", ")],
                              parts: ["what": what, "found": pair.key.shown])
                    continue
                }
                guard let text = pair.value.scalar else {
                    log.error(pair.value.location, "curriculum.variantText", ["language": key], parts: ["what": what])
                    continue
                }
                variants[language] = (text, pair.value.location)
            }
            for language in languages where variants[language] == nil {
                log.error(node.location, "curriculum.missingVariant", ["language": language.rawValue], parts: ["what": what])
            }
        default:
            log.error(node.location, "curriculum.textKind", parts: ["what": what, "found": node.kind])
            return nil
        }
        var ok = true
        for (language, (text, location)) in variants {
            if let limit, text.count > limit {
                log.error(location, limit == CurriculumFile.captionLimit ? "curriculum.tooLongCaption" : "curriculum.tooLong",
                          ["language": language.rawValue, "count": String(text.count), "limit": String(limit)], parts: ["what": what],
                          fix: "curriculum.tooLong.fix")
                ok = false
            }
            ok = CurriculumFile.checkPlaceholders(text, at: location, log: log) && ok
        }
        return ok ? LocalizedText(variants.mapValues(\.0)) : nil
    }
}

/// Reads a whole text file of at most `limit` bytes, logging a diagnostic that names the path when it cannot.
func readText(_ path: String, log: DiagnosticLog, referencedFrom: SourceLocation? = nil, limit: Int = FileLimits.yaml) -> String? {
    let location = referencedFrom ?? SourceLocation(file: path, line: 1, column: 1)
    let data: Data
    do {
        data = try FileLimits.read(path, limit: limit)
    } catch let error as FileLimits.Failure {
        log.error(location, error.phrase, fix: error.fixPhrase)
        return nil
    } catch {
        log.error(location, "file.unreadable", ["path": path, "problem": error.localizedDescription])
        return nil
    }
    guard var text = String(data: data, encoding: .utf8) else {
        log.error(location, "file.notUTF8", ["path": path])
        return nil
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    return text
}
