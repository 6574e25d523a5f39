import Foundation

/// A batch with its curriculum, decoded and checked together: what `kelas plan` and later stages work from.
public struct LoadedBatch: Sendable {
    public var batch: Batch
    public var curriculum: Curriculum
    /// Warnings found while loading (errors stop the load instead).
    public var warnings: [Diagnostic]

    public init(batch: Batch, curriculum: Curriculum, warnings: [Diagnostic] = []) {
        self.batch = batch
        self.curriculum = curriculum
        self.warnings = warnings
    }
}

/// Decodes a batch file (YAML) and what it refers to: the curriculum and the participants.
public enum BatchFile {
    public static let minimumParticipants = 20
    public static let maximumParticipants = 100
    public static let trainerRange = 2...3

    static let topKeys = ["id", "name", "programme", "district", "timezone", "start", "language", "curriculum",
                          "delivery", "trainers", "admin", "participants", "completion", "opt-out"]
    static let deliveryKeys = ["mode", "window", "quiet", "sink", "api", "group", "session", "instance", "template"]
    static let personKeys = ["name", "phone", "alias", "district", "disability"]

    /// Loads `path` and everything it names; every problem found goes to `log`.
    ///
    /// Returns nil when any error was found, so nothing downstream works from a half-valid batch.
    public static func load(path: String, log: DiagnosticLog) -> LoadedBatch? {
        guard let text = readText(path, log: log) else { return nil }
        return decode(text, file: path, log: log)
    }

    /// Loads a batch or fails with every diagnostic.
    public static func load(path: String) throws(ValidationFailure) -> LoadedBatch {
        let log = DiagnosticLog()
        guard let loaded = load(path: path, log: log), !log.hasErrors else { throw ValidationFailure(log.sorted) }
        return loaded
    }

    public static func decode(_ text: String, file: String, log: DiagnosticLog) -> LoadedBatch? {
        guard let root = YAMLDocument.parse(text, file: file, log: log) else { return nil }
        return decode(root, file: file, log: log)
    }

    static func decode(_ root: YAMLNode, file: String, log: DiagnosticLog) -> LoadedBatch? {
        // Counted before the top-level keys are read, so that an unknown key is one of this file's errors too.
        let errorsBefore = log.diagnostics.count { $0.severity == .error }
        guard let top = MappingReader(root, what: Phrase("what.batch"), allowed: topKeys, log: log) else { return nil }
        let directory = (file as NSString).deletingLastPathComponent

        var id = ""
        if let (text, location) = top.string("id", required: true, example: "gresik-2021-07") {
            if text.allSatisfy({ $0.isLetter && $0.isASCII || $0.isNumber || $0 == "-" || $0 == "_" }) {
                id = text
            } else {
                log.error(location, "batchFile.id", ["id": text])
            }
        }
        let name = top.string("name", required: true, example: "Pelatihan Adil Gender — Gresik angkatan 7")?.0 ?? ""
        let programme = top.string("programme", required: true, example: "WEE")?.0 ?? ""
        let district = top.string("district", required: true, example: "Gresik")?.0 ?? ""

        var timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
        if let (text, location) = top.string("timezone") {
            if let zone = KelasTimeZone.resolve(text) {
                timeZone = zone
            } else {
                log.error(location, "batchFile.timezone", ["zone": text])
            }
        }
        var start = LocalDate(year: 1970, month: 1, day: 1)
        if let (text, location) = top.string("start", required: true, example: "2021-07-05") {
            if let date = LocalDate(text) { start = date } else {
                log.error(location, "batchFile.start", ["found": text])
            }
        }
        var language = Language.id
        var languageLocation = top.keyLocation("language")
        if let (text, location) = top.string("language") {
            languageLocation = location
            if let value = Language(rawValue: text) { language = value } else {
                log.error(location, "batchFile.language", ["language": text])
            }
        }
        let (delivery, sinkLocation) = decodeDelivery(top.node("delivery"), directory: directory, log: log)

        var people = PeopleChecker(log: log)
        var trainers: [Person] = []
        if let nodes = top.list("trainers", required: true, example: "[{ name: Iva Hasanah, phone: \"+6281234567001\" }]") {
            for node in nodes {
                if let entry = decodePerson(node, what: Phrase("what.trainer"), log: log), let person = people.add(entry, role: "trainer") {
                    trainers.append(person)
                }
            }
            if !trainerRange.contains(nodes.count) {
                log.error(top.keyLocation("trainers"), "batchFile.trainers", ["count": String(nodes.count)],
                          fix: nodes.count < 2 ? "batchFile.trainers.tooFew" : "batchFile.trainers.tooMany")
            }
        }
        var admin: Person?
        if let node = top.node("admin", required: true, example: "{ name: Rumi, phone: \"+6281234567003\" }") {
            var adminNode = node
            if case .sequence(let items) = node.value {
                if items.count == 1 { adminNode = items[0] } else {
                    log.error(node.location, "batchFile.admins", ["count": String(items.count)])
                }
            }
            if case .mapping = adminNode.value, let entry = decodePerson(adminNode, what: Phrase("what.admin"), log: log) {
                admin = people.add(entry, role: "admin")
            } else if case .scalar = adminNode.value {
                log.error(adminNode.location, "batchFile.adminScalar")
            }
        }

        var participants: [Person] = []
        if let node = top.node("participants", required: true, example: "participants.csv") {
            var entries: [PersonEntry] = []
            var countLocation = node.location
            switch node.value {
            case .scalar(let reference):
                let path = resolve(reference, relativeTo: directory)
                countLocation = SourceLocation(file: path, line: 1, column: 1)
                if let text = readText(path, log: log, referencedFrom: node.location, limit: FileLimits.csv) {
                    entries = ParticipantsCSV.parse(text, file: path, log: log)
                }
            case .sequence(let nodes):
                entries = nodes.compactMap { decodePerson($0, what: Phrase("what.participant"), log: log) }
            default:
                log.error(node.location, "batchFile.participants")
            }
            for entry in entries {
                if let person = people.add(entry, role: "participant") { participants.append(person) }
            }
            if !(minimumParticipants...maximumParticipants).contains(entries.count) {
                log.error(countLocation, "batchFile.participantCount", ["count": String(entries.count)],
                          fix: entries.count < minimumParticipants ? "batchFile.participantCount.tooFew" : "batchFile.participantCount.tooMany")
            }
            people.warnAboutSharedNames(participants + trainers)
        }

        var completionRule = CompletionRule.default
        if let node = top.node("completion"),
           let reader = MappingReader(node, what: .verbatim("`completion`"), allowed: ["sessions", "post-test"], log: log) {
            if let (sessions, location) = reader.int("sessions") {
                if sessions < 0 { log.error(location, "batchFile.sessionsNegative") } else { completionRule.sessions = sessions }
            }
            if let (text, location) = reader.string("post-test") {
                switch text.lowercased() {
                case "true", "yes": completionRule.postTest = true
                case "false", "no": completionRule.postTest = false
                default: log.error(location, "batchFile.postTest", ["found": text])
                }
            }
        }

        var optOutWords = OptOutWords.default
        if let node = top.node("opt-out"), let reader = MappingReader(node, what: .verbatim("`opt-out`"), allowed: ["stop", "start"], log: log) {
            func words(_ key: String) -> [String]? {
                guard let nodes = reader.list(key) else { return nil }
                let words = nodes.compactMap(\.scalar).map(OptOutWords.normalise).filter { !$0.isEmpty }
                if words.isEmpty || words.count != nodes.count {
                    log.error(reader.keyLocation(key), key == "stop" ? "batchFile.stopWords" : "batchFile.startWords")
                    return nil
                }
                return words
            }
            optOutWords = OptOutWords(stop: words("stop") ?? OptOutWords.default.stop, start: words("start") ?? OptOutWords.default.start)
            if let shared = optOutWords.stop.first(where: optOutWords.start.contains) {
                log.error(node.location, "batchFile.stopAndStart", ["word": shared])
            }
        }

        var curriculum: Curriculum?
        if let (reference, location) = top.string("curriculum", required: true, example: "adil-gender") {
            curriculum = loadCurriculum(reference, at: location, directory: directory, log: log)
        }

        let hasNewErrors = log.diagnostics.count { $0.severity == .error } > errorsBefore
        guard !hasNewErrors, let admin, let curriculum else { return nil }
        var batch = Batch(id: id, name: name, programme: programme, district: district, timeZone: timeZone, start: start,
                          language: language, curriculum: top.string("curriculum")?.0 ?? "", delivery: delivery,
                          trainers: trainers, admin: admin, participants: participants)
        batch.completion = completionRule
        batch.optOutWords = optOutWords
        guard var loaded = check(batch, curriculum, languageLocation: languageLocation, log: log) else { return nil }
        if case .whatsappCloud = delivery.sink, delivery.template == nil, let sinkLocation {
            let bare = curriculum.items.filter { $0.template == nil }
            if !bare.isEmpty {
                let warning = Diagnostic(.warning, sinkLocation, "batchFile.noTemplates",
                                         ["count": String(bare.count), "items": String(curriculum.items.count)])
                log.append(contentsOf: [warning])
                loaded.warnings.append(warning)
            }
        }
        return loaded
    }

    /// Checks that only make sense with both files: languages, the send window, and what quiet hours move.
    static func check(_ batch: Batch, _ curriculum: Curriculum, languageLocation: SourceLocation, log: DiagnosticLog) -> LoadedBatch? {
        let before = log.diagnostics.count
        if !curriculum.languages.contains(batch.language) {
            log.error(languageLocation, "batchFile.curriculumLanguage", ["curriculum": curriculum.id, "language": batch.language.rawValue,
                                                                       "languages": curriculum.languages.map(\.rawValue).joined(separator: ", ")])
        }
        let window = batch.delivery.window
        for item in curriculum.items where !window.contains(item.at) {
            log.error(item.location, "batchFile.outsideWindow", ["day": String(item.day), "time": "\(item.at)", "window": "\(window)"])
        }
        guard !log.hasErrors else { return nil }
        // Shifts depend only on item times, so plan as one group message per item even for a fan-out batch.
        var grouped = batch
        grouped.delivery.mode = .group
        let plan = Planner(batch: grouped, curriculum: curriculum).plan()
        var reported = Set<String>()
        for message in plan where message.flags.contains(.shifted) && reported.insert(message.itemKey).inserted {
            guard let item = curriculum.item(message.itemKey) else { continue }
            let date = batch.date(ofDay: item.day)
            let values = ["day": String(item.day), "weekday": date.weekday.rawValue, "date": "\(date)", "from": "\(item.at)",
                          "to": "\(message.localTime)", "newDate": "\(message.date)"]
            log.warning(item.location, message.date == date ? "batchFile.shifted" : "batchFile.shiftedDay", values,
                        parts: ["kind": Phrase("kind." + item.kind.rawValue), "reason": message.shiftReason ?? .verbatim("")], fix: "batchFile.shifted.fix")
        }
        let warnings = Array(log.diagnostics[before...]).filter { $0.severity == .warning }
        return LoadedBatch(batch: batch, curriculum: curriculum, warnings: warnings)
    }

    static func loadCurriculum(_ reference: String, at location: SourceLocation, directory: String, log: DiagnosticLog) -> Curriculum? {
        let looksLikePath = reference.hasSuffix(".yaml") || reference.hasSuffix(".yml") || reference.contains("/")
        if !looksLikePath, let builtin = BuiltinCurricula.text(for: reference) {
            return CurriculumFile.decode(builtin, file: "builtin:\(reference)", log: log)
        }
        let path = resolve(looksLikePath ? reference : reference + ".yaml", relativeTo: directory)
        guard looksLikePath || FileManager.default.fileExists(atPath: path) else {
            log.error(location, "batchFile.noCurriculum", ["curriculum": reference, "path": path, "builtins": BuiltinCurricula.ids.joined(separator: ", ")])
            return nil
        }
        guard let text = readText(path, log: log, referencedFrom: location) else { return nil }
        return CurriculumFile.decode(text, file: path, log: log)
    }

    static func resolve(_ reference: String, relativeTo directory: String) -> String {
        if reference.hasPrefix("/") || directory.isEmpty { return reference }
        return (directory as NSString).appendingPathComponent(reference)
    }

    /// The delivery settings, and where the sink is named (for warnings that need the curriculum too).
    private static func decodeDelivery(_ node: YAMLNode?, directory: String, log: DiagnosticLog) -> (DeliverySettings, SourceLocation?) {
        var settings = DeliverySettings()
        guard let node, let reader = MappingReader(node, what: .verbatim("`delivery`"), allowed: deliveryKeys, log: log) else { return (settings, nil) }
        if let (text, location) = reader.string("mode") {
            if let mode = DeliveryMode(rawValue: text) { settings.mode = mode } else {
                log.error(location, "batchFile.mode", ["mode": text])
            }
        }
        if let (text, location) = reader.string("window") {
            if let window = TimeRange(text) { settings.window = window } else {
                log.error(location, "batchFile.window", ["found": text])
            }
        }
        let api = reader.string("api")
        let session = reader.string("session"), instance = reader.string("instance")
        if let (text, location) = reader.string("group") {
            if DeliverySettings.isGroupID(text) { settings.group = text } else {
                log.error(location, "batchFile.group", ["found": text])
            }
        }
        if let (text, location) = reader.string("sink") {
            if let problem = SinkSpec.problem(text) {
                log.error(location, problem, fix: Phrase("batchFile.sinkFix"))
            } else if var sink = SinkSpec(text, api: api?.0, session: session?.0, instance: instance?.0) {
                if case .jsonl(let path) = sink {
                    // Relative to the batch file, and kept absolute so `kelas run` finds it from any folder.
                    let resolved = resolve(path, relativeTo: directory)
                    sink = .jsonl(path: resolved.hasPrefix("/") ? resolved
                                  : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(resolved))
                }
                settings.sink = sink
                if !sink.reachesGroups && settings.mode == .group {
                    log.error(location, "batchFile.cloudGroup")
                }
            }
        }
        if let sink = settings.sink, sink.isGateway {
            if settings.group == nil {
                log.error(reader.keyLocation("sink"), "batchFile.gatewayGroup", ["gateway": String(sink.description.prefix { $0 != ":" })])
            }
            if settings.mode == .fanout {
                log.error(reader.keyLocation("mode"), "batchFile.gatewayFanout")
            }
            if case .evolution(_, let name) = sink, name.isEmpty {
                log.error(reader.keyLocation("sink"), "batchFile.instance")
            }
        }
        if let node = reader.node("template") {
            settings.template = MessageTemplate.read(node, what: .verbatim("`delivery.template`"), log: log)
            if settings.mode != .fanout {
                log.error(reader.keyLocation("template"), "batchFile.groupTemplate")
            }
        }
        if let (_, location) = session, !(settings.sink.map { if case .waha = $0 { true } else { false } } ?? false) {
            log.error(location, "batchFile.session")
        }
        if let (_, location) = instance, !(settings.sink.map { if case .evolution = $0 { true } else { false } } ?? false) {
            log.error(location, "batchFile.instanceOnly")
        }
        if let (text, location) = api {
            if case .whatsappCloud = settings.sink {
                if !(text.hasPrefix("https://") || text.hasPrefix("http://")) {
                    log.error(location, "batchFile.api", ["found": text, "example": SinkSpec.defaultCloudAPI])
                }
            } else {
                log.error(location, "batchFile.apiOnly")
            }
        }
        if let nodes = reader.list("quiet") {
            settings.quiet = nodes.compactMap { node in
                guard let text = node.scalar, let period = QuietPeriod(text) else {
                    log.error(node.location, "batchFile.quiet", parts: ["found": node.shown])
                    return nil
                }
                return period
            }
        }
        return (settings, reader.has("sink") ? reader.keyLocation("sink") : nil)
    }

    private static func decodePerson(_ node: YAMLNode, what: Phrase, log: DiagnosticLog) -> PersonEntry? {
        guard let reader = MappingReader(node, what: what, allowed: personKeys, log: log) else { return nil }
        let name = reader.string("name", required: true, example: "Iva Hasanah")
        let phone = reader.string("phone", required: true, example: "\"+6281234567001\"")
        var disabilities: [Disability] = []
        if let value = reader.node("disability") {
            let words: [YAMLNode]
            switch value.value {
            case .sequence(let items): words = items
            case .scalar(let text):
                words = text.split(separator: ";").map { YAMLNode(value: .scalar($0.trimmingCharacters(in: .whitespaces)), location: value.location) }
            default: words = []
            }
            for word in words {
                if let text = word.scalar, let disability = Disability(rawValue: text.lowercased()) { disabilities.append(disability) } else {
                    log.error(word.location, "batchFile.disability", ["domains": Disability.allCases.map(\.rawValue).joined(separator: ", ")],
                              parts: ["found": word.shown])
                }
            }
        }
        guard let name, let phone else { return nil }
        return PersonEntry(name: name.0, phoneText: phone.0, alias: reader.string("alias")?.0, district: reader.string("district")?.0,
                           disabilities: disabilities, location: node.location, phoneLocation: phone.1)
    }
}

/// Normalises phone numbers and rejects a number used by two people anywhere in the batch.
struct PeopleChecker {
    let log: DiagnosticLog
    private var owners: [PhoneNumber: (name: String, role: String, location: SourceLocation)] = [:]

    init(log: DiagnosticLog) {
        self.log = log
    }

    mutating func add(_ entry: PersonEntry, role: String) -> Person? {
        let phone: PhoneNumber
        switch PhoneNumber.parse(entry.phoneText) {
        case .success(let number): phone = number
        case .failure(let problem):
            log.error(entry.phoneLocation, "batchFile.phone", ["name": entry.name, "phone": entry.phoneText],
                      parts: ["problem": problem.phrase, "role": Phrase("role." + role)])
            return nil
        }
        if let owner = owners[phone] {
            let place = owner.location.file == entry.location.file ? Phrase("batchFile.line", ["line": String(owner.location.line)])
                : .verbatim("\(owner.location)")
            log.error(entry.phoneLocation, "batchFile.phoneTwice", ["phone": "\(phone)", "name": owner.name],
                      parts: ["role": Phrase("role." + owner.role), "place": place])
            return nil
        }
        owners[phone] = (entry.name, role, entry.location)
        return Person(name: entry.name, phone: phone, alias: entry.alias, district: entry.district, disabilities: entry.disabilities)
    }

    /// Two people with one display name make chat exports ambiguous; Kelas then matches by number only.
    func warnAboutSharedNames(_ people: [Person]) {
        var seen: [String: Person] = [:]
        for person in people {
            let key = (person.alias ?? person.name).lowercased()
            if let other = seen[key], let location = owners[person.phone]?.location {
                log.warning(location, "batchFile.sharedName", ["name": person.name, "other": other.name, "shown": person.alias ?? person.name])
            }
            seen[key] = person
        }
    }
}
