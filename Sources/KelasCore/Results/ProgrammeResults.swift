import Foundation

/// How `kelas results` groups participants.
public enum ResultsGrouping: String, Sendable, CaseIterable, Codable {
    case batch, district, programme, year, disability, trainer
}

/// One participant's results: who they are (for grouping), whether they completed, and their pre- and post-test.
public struct ParticipantResult: Sendable, Hashable {
    public var batch: String
    public var phone: String
    public var name: String
    public var district: String
    public var programme: String
    /// The year the batch started.
    public var year: Int
    /// Any Washington Group domain in the participants file.
    public var withDisability: Bool
    public var trainers: [String]
    public var completed: Bool
    /// Answered the batch's last discussion: the follow-up plan (RTL) in the built-in curriculum.
    public var answeredActionPlan: Bool
    public var instrument: Instrument?
    public var pre: SurveyReading?
    public var post: SurveyReading?

    public init(batch: String, phone: String, name: String, district: String, programme: String, year: Int, withDisability: Bool,
                trainers: [String], completed: Bool, answeredActionPlan: Bool, instrument: Instrument?, pre: SurveyReading?,
                post: SurveyReading?) {
        self.batch = batch
        self.phone = phone
        self.name = name
        self.district = district
        self.programme = programme
        self.year = year
        self.withDisability = withDisability
        self.trainers = trainers
        self.completed = completed
        self.answeredActionPlan = answeredActionPlan
        self.instrument = instrument
        self.pre = pre
        self.post = post
    }

    func groups(_ grouping: ResultsGrouping) -> [String] {
        switch grouping {
        case .batch: [batch]
        case .district: [district]
        case .programme: [programme]
        case .year: [String(year)]
        case .disability: [withDisability ? "with disability" : "without disability"]
        case .trainer: trainers.isEmpty ? ["(no trainer)"] : trainers
        }
    }

    /// Agrees that women and men should have equal access to resources: the answer to the instrument's equal-access
    /// statement is its first option (setuju / agree). Nil when that statement was not answered.
    public func agrees(_ reading: SurveyReading?) -> Bool? {
        guard let instrument, let reading,
              let statement = instrument.statements.firstIndex(where: { $0.id == BuiltinInstruments.equalAccess }),
              let option = reading.answers[statement] else { return nil }
        return option == 0
    }

    /// A reliable future champion: completed the batch, scored in the instrument's highest band on the post-test, and
    /// answered the follow-up plan (RTL).
    public var isChampion: Bool {
        guard completed, answeredActionPlan, let instrument, let top = instrument.bands.last, let total = post?.score?.total else { return false }
        return top.range.contains(total.rounded())
    }
}

/// One group's results. Counts are of participants; every percentage says its denominator.
public struct ResultsRow: Sendable, Equatable, Codable {
    public var group: String
    public var registered = 0
    public var tookPre = 0
    public var tookPost = 0
    /// Scored on both tests: the pairs of the change.
    public var both = 0
    public var meanPre: Double?
    public var meanPost: Double?
    /// Post − pre of those with both: mean, 95 % interval, d_z, improved / unchanged / declined.
    public var change: Statistics.PairedChange?
    /// Agreed on equal access at the post-test.
    public var agreement = 0
    /// Answered the equal-access statement at the post-test: the tested denominator of `agreement`.
    public var agreementTested = 0
    /// Agreement before and after, of those who answered the statement both times.
    public var agreementChange: Statistics.McNemar?
    public var champions = 0
    public var completed = 0

    public init(group: String) {
        self.group = group
    }

    public static func percent(_ count: Int, of total: Int) -> Double? {
        total == 0 ? nil : (Double(count) * 1000 / Double(total)).rounded() / 10
    }
}


/// The programme's results by a grouping, with a total that counts each participant once.
public struct ProgrammeResults: Sendable, Equatable, Codable {
    public var by: ResultsGrouping
    public var denominator = "registered participants"
    /// The rules the figures follow, printed with every report.
    public var rules: [String]
    public var rows: [ResultsRow]
    public var total: ResultsRow

    public init(_ participants: [ParticipantResult], by grouping: ResultsGrouping, language: Language = .en) {
        by = grouping
        var groups: [String: [ParticipantResult]] = [:]
        var order: [String] = []
        for participant in participants {
            for group in participant.groups(grouping) {
                if groups[group] == nil { order.append(group) }
                groups[group, default: []].append(participant)
            }
        }
        if grouping != .batch { order.sort() }
        rows = order.map { Self.row($0, groups[$0] ?? []) }
        total = Self.row("TOTAL", participants)
        // One of each instrument, by id (hashing whole instruments per participant would be slow).
        var byID: [String: Instrument] = [:]
        for participant in participants { if let instrument = participant.instrument, byID[instrument.id] == nil { byID[instrument.id] = instrument } }
        let instruments = byID.values.sorted { $0.id < $1.id }
        let id = language == .id
        rules = instruments.map { instrument in
            let range = "\(Instrument.number(instrument.range.lowerBound))–\(Instrument.number(instrument.range.upperBound))"
            return id ? "\(instrument.id): total \(range), kategori \(instrument.bandRule(language)); skor perlu \(instrument.minimumAnswered) "
                + "dari \(instrument.statements.count) pernyataan dijawab (disesuaikan secara proporsional)"
                : "\(instrument.id): totals \(range), bands \(instrument.bandRule(language)), a score needs \(instrument.minimumAnswered) "
                + "of \(instrument.statements.count) statements (pro-rated)"
        } + (id ? ["setuju: jawaban post-test atas pernyataan `\(BuiltinInstruments.equalAccess)` adalah setuju",
                   "champion: menyelesaikan pelatihan, skor post-test di kategori tertinggi, dan menjawab rencana tindak lanjut (RTL)"]
                : ["agreement: the post-test answer to `\(BuiltinInstruments.equalAccess)` is agree",
                   "champion: completed, post-test in the highest band, and answered the follow-up plan (RTL)"])
    }

    static func row(_ group: String, _ participants: [ParticipantResult]) -> ResultsRow {
        var row = ResultsRow(group: group)
        row.registered = participants.count
        let pre = participants.compactMap { $0.pre?.score?.total }
        let post = participants.compactMap { $0.post?.score?.total }
        row.tookPre = pre.count
        row.tookPost = post.count
        row.meanPre = Statistics.mean(pre)
        row.meanPost = Statistics.mean(post)
        let pairs = participants.compactMap { participant -> (pre: Double, post: Double)? in
            guard let before = participant.pre?.score?.total, let after = participant.post?.score?.total else { return nil }
            return (before, after)
        }
        row.both = pairs.count
        row.change = Statistics.pairedChange(pairs)
        var b = 0, c = 0, paired = false
        for participant in participants {
            let after = participant.agrees(participant.post)
            if let after {
                row.agreementTested += 1
                if after { row.agreement += 1 }
            }
            if let before = participant.agrees(participant.pre), let after {
                paired = true
                if before && !after { b += 1 }
                if !before && after { c += 1 }
            }
        }
        if paired { row.agreementChange = Statistics.mcNemar(b: b, c: c) }
        row.champions = participants.count { $0.isChampion }
        row.completed = participants.count { $0.completed }
        return row
    }
}
