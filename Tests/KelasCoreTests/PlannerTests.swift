import Foundation
import Testing
@testable import KelasCore

@Suite("Planner")
struct PlannerTests {
    static func fixture(_ name: String) throws -> Curriculum {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "yaml"))
        let log = DiagnosticLog()
        let curriculum = CurriculumFile.load(path: url.path, log: log)
        try #require(!log.hasErrors, "\(log.sorted)")
        return try #require(curriculum)
    }

    static func batch(mode: DeliveryMode = .group, zone: String = "Asia/Jakarta", participants: Int = 20, language: Language = .id) throws -> Batch {
        let people = (0..<participants).map {
            Person(name: "Peserta \($0 + 1)", phone: PhoneNumber(e164: "+6281355550" + String(format: "%03d", $0)),
                   alias: $0 == 0 ? "Pak Satu" : nil)
        }
        return Batch(id: "uji", name: "Batch Uji", programme: "WEE", district: "Gresik",
                     timeZone: try #require(KelasTimeZone.resolve(zone)), start: try #require(LocalDate("2021-07-05")),
                     language: language, curriculum: "test", delivery: DeliverySettings(mode: mode),
                     trainers: [Person(name: "Iva", phone: PhoneNumber(e164: "+6281234567001")),
                                Person(name: "Winoto", phone: PhoneNumber(e164: "+6281234567002"))],
                     admin: Person(name: "Rumi", phone: PhoneNumber(e164: "+6281234567003")), participants: people)
    }

    func plan(_ curriculum: String, mode: DeliveryMode = .group, zone: String = "Asia/Jakarta", lastInbound: [PhoneNumber: Date] = [:]) throws -> [PlannedMessage] {
        Planner(batch: try Self.batch(mode: mode, zone: zone), curriculum: try Self.fixture(curriculum), lastInbound: lastInbound).plan()
    }

    func times(_ messages: [PlannedMessage]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: messages.map { ($0.itemKey, "\($0.date) \($0.localTime)") })
    }

    @Test("quiet times and the window move items to the next allowed minute and flag them")
    func shifting() throws {
        let messages = try plan("shifting-curriculum")
        #expect(times(messages) == [
            "early": "2021-07-05 07:00",
            "maghrib": "2021-07-05 18:15",
            "after-maghrib": "2021-07-05 18:15",
            "late": "2021-07-06 07:00",
            "jumat": "2021-07-09 13:00",
            "after-jumat": "2021-07-09 13:00",
            "sore-jumat": "2021-07-09 14:00",
        ])
        let flagged = messages.filter { $0.flags.contains(.shifted) }.map(\.itemKey)
        #expect(flagged == ["early", "maghrib", "after-maghrib", "late", "jumat", "after-jumat"])
        #expect(messages.first { $0.itemKey == "jumat" }?.shiftReason?.description == "quiet time Fri 11:30-13:00")
        #expect(messages.first { $0.itemKey == "late" }?.day == 1, "a message keeps its curriculum day when it moves to the next date")
    }

    @Test("order within a day is kept after shifting")
    func orderKept() throws {
        let messages = try plan("shifting-curriculum")
        #expect(messages.map(\.sequence) == Array(0..<messages.count))
        for day in [1, 5] {
            let sends = messages.filter { $0.day == day }.map(\.sendAt)
            #expect(sends == sends.sorted())
        }
    }

    @Test("quiet times that name a weekday apply only on that weekday")
    func weekdayQuiet() throws {
        var batch = try Self.batch()
        batch.start = try #require(LocalDate("2021-07-06")) // day 5 is now a Saturday
        let messages = Planner(batch: batch, curriculum: try Self.fixture("shifting-curriculum")).plan()
        #expect(messages.first { $0.itemKey == "jumat" }?.localTime.description == "11:45")
        #expect(messages.first { $0.itemKey == "jumat" }?.flags == [])
    }

    @Test("WIB, WITA and WIT: the same local time is a different instant", arguments: [
        ("Asia/Jakarta", "2021-07-05T00:00:00Z"), ("Asia/Makassar", "2021-07-04T23:00:00Z"), ("Asia/Jayapura", "2021-07-04T22:00:00Z"),
    ])
    func zones(_ zone: String, _ utc: String) throws {
        let early = try #require(try plan("shifting-curriculum", zone: zone).first { $0.itemKey == "early" })
        #expect(early.localTime.description == "07:00")
        #expect(early.sendAt.formatted(.iso8601) == utc)
    }

    @Test("group mode: one message per item, {{name}} addresses the group, reminders go to non-responders")
    func groupMode() throws {
        let messages = try plan("fanout-curriculum")
        #expect(messages.count == 4)
        #expect(messages[0].text == "Selamat pagi Bapak-bapak peserta")
        #expect(messages[0].audience == .group)
        #expect(messages[3].audience == .nonResponders(discussion: "tanya"))
        #expect(messages[3].flags == [.conditional])
        #expect(messages.allSatisfy { !$0.flags.contains(.needsTemplate) })
        #expect(messages[0].id == "uji:d2:salam")
        #expect(messages[0].sender == "Winoto", "trainers take turns: day 2 is led by the second trainer")
    }

    @Test("fan-out: one message per participant, spaced 6 s apart per person")
    func fanoutSpacing() throws {
        let messages = try plan("fanout-curriculum", mode: .fanout)
        #expect(messages.count == 4 * 20)
        let first = PhoneNumber(e164: "+6281355550000")
        let mine = messages.filter { $0.audience == .participant(first) }
        #expect(mine.map(\.localTime.description) == ["08:00", "08:00:06", "08:00:12", "10:00"])
        #expect(mine.map { $0.flags.contains(.spaced) } == [false, true, true, false])
        #expect(mine[0].text == "Selamat pagi Pak Satu", "{{name}} uses the WhatsApp alias when there is one")
        #expect(mine[0].id == "uji:d2:salam:6281355550000")
        #expect(Set(messages.map(\.id)).count == messages.count, "ids are unique")
        let gaps = zip(mine, mine.dropFirst()).map { $1.sendAt.timeIntervalSince($0.sendAt) }
        #expect(gaps.allSatisfy { $0 >= 6 })
    }

    @Test("fan-out: a person silent for 24 h needs a template; one who wrote recently does not")
    func needsTemplate() throws {
        let recent = PhoneNumber(e164: "+6281355550001")
        let lastWrote = KelasTimeZone.instant(try #require(LocalDate("2021-07-06")), LocalTime(hour: 7, minute: 0),
                                              in: try #require(TimeZone(identifier: "Asia/Jakarta")))
        let messages = try plan("fanout-curriculum", mode: .fanout, lastInbound: [recent: lastWrote])
        let flagged = Set(messages.filter { $0.flags.contains(.needsTemplate) }.compactMap { message -> PhoneNumber? in
            if case .participant(let phone) = message.audience { return phone }
            return nil
        })
        #expect(flagged.count == 19)
        #expect(!flagged.contains(recent))
    }

    @Test("the plan is deterministic and ids survive edits to other items")
    func stableIDs() throws {
        let first = try plan("shifting-curriculum")
        #expect(first == (try plan("shifting-curriculum")))
        var curriculum = try Self.fixture("shifting-curriculum")
        curriculum.items.removeAll { $0.key == "maghrib" }
        let edited = Planner(batch: try Self.batch(), curriculum: curriculum).plan()
        #expect(edited.first { $0.itemKey == "late" }?.id == first.first { $0.itemKey == "late" }?.id)
    }

    @Test("placeholders render for the day, session and trainer")
    func placeholders() throws {
        let messages = try plan("shifting-curriculum")
        #expect(messages.first { $0.itemKey == "jumat" }?.text == "Diskusi 1 hari 5")
        #expect(messages.first { $0.itemKey == "sore-jumat" }?.text == "Terima kasih, Iva")
        let english = Planner(batch: try Self.batch(language: .en), curriculum: try Self.fixture("shifting-curriculum")).plan()
        #expect(english[0].text == "Morning everyone")
    }

    @Test("items without an id get a stable derived key")
    func derivedKeys() throws {
        let log = DiagnosticLog()
        let curriculum = CurriculumFile.decode("""
        id: keys
        days:
          - day: 3
            items:
              - { at: "08:00", kind: text, text: "a" }
              - { at: "08:00", kind: text, text: "b" }
        """, file: "keys.yaml", log: log)
        #expect(curriculum?.items.map(\.key) == ["d3-0800-text", "d3-0800-text-2"])
    }
}
