import Foundation

/// Turns a batch and its curriculum into timed messages. Pure: the same inputs give the same plan.
public struct Planner: Sendable {
    /// WhatsApp's pair rate: about one message per 6 s to the same person.
    public static let pairSpacingSeconds = 6
    /// Free-form messages reach a person only within 24 h of their last message.
    public static let conversationWindow: TimeInterval = 24 * 3600

    public var batch: Batch
    public var curriculum: Curriculum
    /// When each person last wrote to us 1:1; without it, every fan-out message is assumed to find the window closed.
    public var lastInbound: [PhoneNumber: Date]
    /// When the Cloud API last said a person's window was closed (error 131047): closed until they write again.
    public var windowClosed: [PhoneNumber: Date]

    public init(batch: Batch, curriculum: Curriculum, lastInbound: [PhoneNumber: Date] = [:], windowClosed: [PhoneNumber: Date] = [:]) {
        self.batch = batch
        self.curriculum = curriculum
        self.lastInbound = lastInbound
        self.windowClosed = windowClosed
    }

    /// Every message of the week, in send order.
    public func plan() -> [PlannedMessage] {
        var messages: [PlannedMessage] = []
        var nextFreeSecond: [PhoneNumber: Int] = [:] // per person, in absolute seconds since epoch
        for day in curriculum.days {
            var previous: (date: LocalDate, time: LocalTime)?
            for item in curriculum.items where item.day == day {
                let (date, time, reason) = schedule(item, notBefore: previous)
                previous = (date, time)
                let shifted = reason != nil
                let base = PlannedMessage(
                    id: "\(batch.id):d\(day):\(item.key)", batchID: batch.id, itemKey: item.key, sequence: 0, day: day,
                    date: date, localTime: time, sendAt: KelasTimeZone.instant(date, time, in: batch.timeZone), kind: item.kind,
                    audience: .group, sender: batch.leadTrainer(onDay: day)?.name, text: "", url: item.url,
                    filename: item.filename, session: item.session, flags: shifted ? [.shifted] : [], shiftReason: reason,
                    remindsOf: item.remindsOf)
                switch batch.delivery.mode {
                case .group:
                    var message = base
                    message.text = render(item, values(item, day: day, date: date, recipient: nil))
                    if let discussion = item.remindsOf {
                        message.audience = .nonResponders(discussion: discussion)
                        message.flags.append(.conditional)
                    }
                    message.sequence = messages.count
                    messages.append(message)
                case .fanout:
                    let start = date.daysSinceEpoch * 86_400 + time.secondsOfDay
                    for person in batch.participants {
                        var message = base
                        let second = max(start, nextFreeSecond[person.phone] ?? start)
                        nextFreeSecond[person.phone] = second + Planner.pairSpacingSeconds
                        if second > start {
                            message.localTime = LocalTime(secondsOfDay: second - date.daysSinceEpoch * 86_400)
                            // Same offset as the item's own instant: a few seconds later cannot cross a zone change that matters.
                            message.sendAt = base.sendAt.addingTimeInterval(Double(second - start))
                            message.flags.append(.spaced)
                        }
                        message.id += ":\(person.phone.digits)"
                        message.audience = .participant(person.phone)
                        let values = values(item, day: day, date: date, recipient: person)
                        message.text = render(item, values)
                        if item.remindsOf != nil { message.flags.append(.conditional) }
                        message.template = item.template.map { template(of: $0, values, reengagement: false) }
                            ?? batch.delivery.template.map { template(of: $0, values, reengagement: true) }
                        switch WindowRoute.decide(template: message.template, lastInbound: lastInbound[person.phone],
                                                  closedAt: windowClosed[person.phone], at: message.sendAt) {
                        case .freeForm: break
                        case .template: message.flags.append(.template)
                        case .reengage: message.flags.append(.reengage)
                        case .blocked: message.flags.append(.needsTemplate)
                        }
                        message.flags.sort()
                        message.sequence = messages.count
                        messages.append(message)
                    }
                }
            }
        }
        return messages
    }

    /// The messages of one curriculum day.
    public func plan(day: Int) -> [PlannedMessage] { plan().filter { $0.day == day } }

    /// The first allowed moment at or after the item's time: inside the window, outside quiet times,
    /// and not before the previous item of the day (so order is kept). Returns why it moved, if it did.
    func schedule(_ item: CurriculumItem, notBefore previous: (date: LocalDate, time: LocalTime)?)
        -> (LocalDate, LocalTime, Phrase?) {
        var date = batch.date(ofDay: item.day)
        var time = item.at
        var reasons: [Phrase] = []
        if let previous, (previous.date, previous.time) > (date, time) {
            (date, time) = previous
            reasons.append(Phrase("shift.order"))
        }
        let window = batch.delivery.window
        // Each pass either settles or moves strictly later; a week of quiet times settles in a few passes.
        for _ in 0..<64 {
            if time < window.start {
                time = window.start
                reasons.append(Phrase("shift.opens", ["time": "\(window.start)"]))
                continue
            }
            if time >= window.end {
                date = date.adding(days: 1)
                time = window.start
                reasons.append(Phrase("shift.closes", ["time": "\(window.end)"]))
                continue
            }
            if let quiet = batch.delivery.quiet.first(where: { $0.applies(on: date.weekday) && $0.range.contains(time) }) {
                time = quiet.range.end
                reasons.append(Phrase("shift.quiet", ["quiet": "\(quiet)"]))
                continue
            }
            break
        }
        return (date, time, Phrase.list(reasons))
    }

    /// A template with its parameters filled for one recipient.
    func template(of template: MessageTemplate, _ values: [String: String], reengagement: Bool) -> PlannedTemplate {
        PlannedTemplate(name: template.name, language: template.language,
                        parameters: template.params.map { Planner.substitute($0, values) }, reengagement: reengagement)
    }

    /// The item's text with its `{{placeholders}}` filled from `values` (one recipient's, or the whole group's).
    func render(_ item: CurriculumItem, _ values: [String: String]) -> String {
        let language = batch.language
        var text = item.text[language] ?? ""
        if !item.questions.isEmpty {
            let questions = item.questions.enumerated().map { "\($0.offset + 1). \($0.element[language] ?? "")" }
            text += "\n\n" + questions.joined(separator: "\n")
            if item.instrument != nil {
                text += "\n\n" + (language == .id ? "Balas dengan nomor dan jawaban, misalnya: 1 S, 2 TS, 3 R (S = setuju, R = ragu-ragu, TS = tidak setuju)."
                                   : "Reply with the number and your answer, for example: 1 A, 2 D, 3 U (A = agree, U = unsure, D = disagree).")
            }
        }
        return Planner.substitute(text, values)
    }

    /// What each `{{placeholder}}` stands for, for one recipient (or the whole group).
    func values(_ item: CurriculumItem, day: Int, date: LocalDate, recipient: Person?) -> [String: String] {
        let language = batch.language
        return [
            "name": recipient.map { $0.alias ?? $0.name } ?? Planner.groupSalutation(language),
            "trainer": batch.leadTrainer(onDay: day)?.name ?? "",
            "day": String(day),
            "date": Planner.longDate(date, language: language),
            "batch": batch.name,
            "admin": batch.admin.name,
            "session": item.session.map(String.init) ?? "",
            "programme": batch.programme,
            "district": batch.district,
        ]
    }

    static func substitute(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("{{") else { return text }
        var output = ""
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            output += rest[..<open.lowerBound]
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            output += values[name] ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    /// How a group message addresses everyone where a 1:1 message would use the name.
    public static func groupSalutation(_ language: Language) -> String {
        switch language {
        case .id: "Bapak-bapak peserta"
        case .en: "everyone"
        }
    }

    /// `Senin, 5 Juli 2021` or `Monday 5 July 2021`.
    public static func longDate(_ date: LocalDate, language: Language) -> String {
        let index = Weekday.allCases.firstIndex(of: date.weekday) ?? 0
        switch language {
        case .id:
            let days = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
            let months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
            return "\(days[index]), \(date.day) \(months[date.month - 1]) \(date.year)"
        case .en:
            let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
            return "\(days[index]) \(date.day) \(months[date.month - 1]) \(date.year)"
        }
    }
}
