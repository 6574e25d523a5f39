import Foundation
import Testing
@testable import KelasCore

/// Each validation rule, proven on a file that breaks it: the example workspace with one edit.
@Suite("Validation")
struct ValidationTests {
    @Test("the example workspace validates with no problems")
    func exampleIsClean() throws {
        let report = try Workspace().validate(["batch.yaml", "curriculum.yaml", "participants.csv"])
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        #expect(report.summaries.count == 3)
        #expect(report.summaries[0].description.contains("24 participants, 2 trainers"))
    }

    @Test("fewer than 20 participants is an error at the participants file")
    func tooFewParticipants() throws {
        let workspace = try Workspace()
        try workspace.write("participants.csv", participantsCSV(count: 19))
        let errors = workspace.validate().errors(containing: "20 to 100 participants, this one has 19")
        #expect(errors.count == 1)
        #expect(errors.first?.location.file.hasSuffix("participants.csv") == true)
    }

    @Test("more than 100 participants is an error")
    func tooManyParticipants() throws {
        let workspace = try Workspace()
        try workspace.write("participants.csv", participantsCSV(count: 101))
        #expect(workspace.validate().errors(containing: "this one has 101").count == 1)
    }

    @Test("a batch needs 2 or 3 trainers", arguments: [1, 4])
    func trainerCount(_ count: Int) throws {
        let workspace = try Workspace()
        let trainers = (1...count).map { "  - { name: Trainer \($0), phone: \"+62811000000\($0)\" }" }.joined(separator: "\n")
        try workspace.edit("batch.yaml", replacing: """
          - { name: Iva Hasanah, phone: "+6281234567001" }
          - { name: Winoto, phone: "0812-3456-7002" }
        """, with: trainers)
        let errors = workspace.validate().errors(containing: "2 or 3 trainers, this one lists \(count)")
        #expect(errors.count == 1)
        #expect(errors.first?.location.line == (try workspace.line(of: "trainers:", in: "batch.yaml")))
    }

    @Test("exactly one admin")
    func twoAdmins() throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: #"admin: { name: Rumi, phone: "+6281234567003" }"#,
                           with: "admin:\n  - { name: Rumi, phone: \"+6281234567003\" }\n  - { name: Sari, phone: \"+6281234567004\" }")
        #expect(workspace.validate().errors(containing: "exactly one admin, this one lists 2").count == 1)
    }

    @Test("a missing admin is named")
    func missingAdmin() throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: #"admin: { name: Rumi, phone: "+6281234567003" }"#, with: "")
        let errors = workspace.validate().errors(containing: "missing `admin`")
        #expect(errors.first?.fix.contains("admin: {") == true)
    }

    @Test("an invalid phone number is rejected at its line and column in the CSV")
    func invalidPhone() throws {
        let workspace = try Workspace()
        try workspace.edit("participants.csv", replacing: "Budi Santoso,+62 812 3456 7111", with: "Budi Santoso,0812-34x5")
        let errors = workspace.validate().errors(containing: "not a digit")
        #expect(errors.count == 1)
        #expect(errors.first?.location.line == 3)
        #expect(errors.first?.location.column == 2)
        #expect(errors.first?.message.contains("Budi Santoso") == true)
    }

    @Test("Indonesian 08… numbers are stored as +628…")
    func normalisesPhones() throws {
        let loaded = try loadExample()
        #expect(loaded.batch.trainers[1].phone.e164 == "+6281234567002")
        #expect(loaded.batch.participants.allSatisfy { $0.phone.e164.hasPrefix("+628") })
    }

    @Test("a participant with a trainer's number is rejected, naming both")
    func duplicatePhone() throws {
        let workspace = try Workspace()
        try workspace.edit("participants.csv", replacing: "Budi Santoso,+62 812 3456 7111", with: "Budi Santoso,0812 3456 7002")
        let errors = workspace.validate().errors(containing: "also the number of trainer Winoto")
        #expect(errors.count == 1)
        #expect(errors.first?.location.file.hasSuffix("participants.csv") == true)
    }

    @Test("two participants with one number are rejected")
    func duplicateParticipants() throws {
        let workspace = try Workspace()
        try workspace.edit("participants.csv", replacing: "Budi Santoso,+62 812 3456 7111", with: "Budi Santoso,+62 812 3456 7110")
        #expect(workspace.validate().errors(containing: "also the number of participant Ahmad Fauzi (line 2)").count == 1)
    }

    @Test("an unknown time zone is an error with the Indonesian zones as the fix")
    func unknownTimeZone() throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "timezone: Asia/Jakarta", with: "timezone: Asia/Jakrta")
        let errors = workspace.validate().errors(containing: "unknown time zone `Asia/Jakrta`")
        #expect(errors.first?.fix.contains("Asia/Makassar (WITA)") == true)
        #expect(errors.first?.location.line == (try workspace.line(of: "timezone:", in: "batch.yaml")))
    }

    @Test("delivery.sink: each form is read; a jsonl path is kept relative to the batch file")
    func sinkForms() throws {
        func sink(_ text: String, extra: String = "") throws -> SinkSpec? {
            try loadExample { try $0.edit("batch.yaml", replacing: "mode: group", with: "mode: fanout\n  sink: \(text)\(extra)") }.batch.delivery.sink
        }
        #expect(try sink("console") == .console)
        #expect(try sink("webhook:https://gateway.example.org/kelas") == .webhook(url: "https://gateway.example.org/kelas"))
        #expect(try sink("whatsapp-cloud:106540352242922") == .whatsappCloud(phoneNumberID: "106540352242922", api: SinkSpec.defaultCloudAPI))
        #expect(try sink("whatsapp-cloud:1065", extra: "\n  api: http://127.0.0.1:9/v21.0")
                == .whatsappCloud(phoneNumberID: "1065", api: "http://127.0.0.1:9/v21.0"))
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "mode: group", with: "mode: group\n  sink: jsonl:out/sent.jsonl")
        let loaded = try BatchFile.load(path: workspace.path("batch.yaml"))
        #expect(loaded.batch.delivery.sink == .jsonl(path: workspace.path("out/sent.jsonl")))
    }

    @Test("a bad delivery.sink is an error at its line with the forms; whatsapp-cloud needs fan-out", arguments: [
        ("sink: smtp:me@example.org", "unknown sink `smtp:me@example.org`"),
        ("sink: webhook:gateway.example.org", "needs an http:// or https:// URL"),
        ("sink: whatsapp-cloud:my-number", "needs the business phone number's id"),
        ("sink: whatsapp-cloud:1065", "cannot post to a group"),
        ("api: https://graph.example.org", "`api` only applies to `sink: whatsapp-cloud:…`"),
    ])
    func badSink(_ line: String, _ message: String) throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "mode: group", with: "mode: group\n  \(line)")
        let errors = workspace.validate().errors(containing: message)
        #expect(errors.count == 1, "\(workspace.validate().diagnostics)")
        let key = String(line.prefix { $0 != ":" }) + ":"
        #expect(errors.first?.location.line == (try workspace.line(of: "  " + key, in: "batch.yaml")))
        #expect(errors.first?.fix.isEmpty == false)
    }

    @Test("a day outside 1–7 is an error in the curriculum")
    func dayOutsideWeek() throws {
        let workspace = try Workspace()
        try workspace.edit("curriculum.yaml", replacing: "  - day: 7", with: "  - day: 8")
        let errors = workspace.validate().errors(containing: "day 8 is outside the batch week")
        #expect(errors.count == 1)
        #expect(errors.first?.location.file.hasSuffix("curriculum.yaml") == true)
        #expect(errors.first?.location.line == (try workspace.line(of: "  - day: 8", in: "curriculum.yaml")))
    }

    @Test("an item outside the send window is an error at the item")
    func outsideWindow() throws {
        let workspace = try Workspace()
        try workspace.edit("curriculum.yaml", replacing: #"at: "19:30""#, with: #"at: "22:15""#)
        let errors = workspace.validate().errors(containing: "day 1 22:15 is outside the batch's send window 07:00-21:00")
        #expect(errors.count == 1)
        #expect(errors.first?.fix.contains("delivery.window") == true)
    }

    @Test("a malformed URL is an error", arguments: ["htps://youtu.be/x", "youtube.com/watch?v=x", "https://", "https://exa mple.org/x"])
    func malformedURL(_ url: String) throws {
        let workspace = try Workspace()
        try workspace.edit("curriculum.yaml", replacing: "url: https://www.youtube.com/watch?v=KELAS-SESI-1", with: "url: \"\(url)\"")
        #expect(workspace.validate().errors(containing: "is not a valid web link").count == 1)
    }

    @Test("a missing language variant is an error")
    func missingVariant() throws {
        let workspace = try Workspace()
        try workspace.edit("curriculum.yaml", replacing: #"          en: "Good evening {{name}}."#, with: #"          xx: "Good evening {{name}}."#)
        let report = workspace.validate(["curriculum.yaml"])
        #expect(report.errors(containing: "has no `en` variant").count == 1)
        #expect(report.errors(containing: "unknown language `xx`").count == 1)
    }

    @Test("a batch language the curriculum lacks is an error at `language`")
    func batchLanguageMissing() throws {
        let workspace = try Workspace()
        try workspace.edit("curriculum.yaml", replacing: "languages: [id, en]", with: "languages: [en, id]")
        try workspace.edit("batch.yaml", replacing: "language: id", with: "language: jv")
        #expect(workspace.validate().errors(containing: "unknown language `jv`").count == 1)
    }

    @Test("text over 4,096 characters is an error")
    func textTooLong() throws {
        let workspace = try Workspace()
        let long = String(repeating: "a", count: 4097)
        try workspace.edit("curriculum.yaml", replacing: #"en: "Good evening {{name}}."#, with: "en: \"\(long) ")
        #expect(workspace.validate().errors(containing: "characters; a WhatsApp message holds at most 4096").filter { $0.message.contains("`en` the text") }.count == 1)
    }

    @Test("a document caption over 1,024 characters is an error")
    func captionTooLong() throws {
        let workspace = try Workspace()
        let long = String(repeating: "b", count: 1025)
        try workspace.edit("curriculum.yaml", replacing: #"id: "Modul sesi 2 untuk dibaca.""#, with: "id: \"\(long)\"")
        #expect(workspace.validate().errors(containing: "has 1025 characters; a WhatsApp caption holds at most 1024").count == 1)
    }

    @Test("an unknown key names the allowed keys and the likely one")
    func unknownKey() throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "district: Gresik", with: "distrct: Gresik")
        let report = workspace.validate()
        let typo = try #require(report.errors(containing: "unknown key `distrct`").first)
        #expect(typo.fix.hasPrefix("did you mean `district`?"))
        #expect(typo.fix.contains("allowed keys in the batch: id, name, programme"))
        #expect(typo.location.line == 5 && typo.location.column == 1)
    }

    @Test("a YAML syntax error gives its position")
    func yamlSyntax() throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "district: Gresik", with: "district: [Gresik")
        let errors = workspace.validate().errors(containing: "YAML syntax error")
        #expect(errors.count == 1)
        #expect((errors.first?.location.line ?? 0) >= 5)
    }

    @Test("an unknown placeholder and a reminder for an unknown discussion are errors")
    func references() throws {
        let workspace = try Workspace()
        try workspace.edit("curriculum.yaml", replacing: "Selamat malam {{name}}", with: "Selamat malam {{nama}}")
        try workspace.edit("curriculum.yaml", replacing: "for: diskusi-sesi-2", with: "for: diskusi-sesi-22")
        let report = workspace.validate(["curriculum.yaml"])
        #expect(report.errors(containing: "unknown placeholder {{nama}}").first?.fix.hasPrefix("did you mean {{name}}?") == true)
        #expect(report.errors(containing: "reminder `for: diskusi-sesi-22` names no discussion").first?.fix.contains("diskusi-sesi-2") == true)
    }

    @Test("every problem of a file is reported, not only the first")
    func collectsAll() throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "timezone: Asia/Jakarta", with: "timezone: Mars/Olympus")
        try workspace.edit("batch.yaml", replacing: "start: 2021-07-05", with: "start: 2021-02-30")
        try workspace.edit("batch.yaml", replacing: "mode: group", with: "mode: broadcast")
        try workspace.edit("participants.csv", replacing: "Budi Santoso,+62 812 3456 7111", with: "Budi Santoso,12")
        let report = workspace.validate()
        #expect(report.errorCount == 4, "\(report.diagnostics)")
        #expect(report.tally.description == "4 errors")
        #expect(Localizer(.id)(report.tally) == "4 kesalahan")
    }

    @Test("an item moved by quiet hours is a warning, not an error")
    func quietHoursWarn() throws {
        let workspace = try Workspace()
        // Day 5 is Friday 2021-07-09: 11:45 falls in Friday prayer and moves to 13:00.
        try workspace.edit("curriculum.yaml", replacing: "        at: \"19:30\"\n        kind: reminder\n        for: rtl",
                           with: "        at: \"11:45\"\n        kind: reminder\n        for: rtl")
        let report = workspace.validate()
        #expect(report.errorCount == 0, "\(report.errors)")
        let warning = try #require(report.warnings.first)
        #expect(warning.message.contains("on day 5 (Fri 2021-07-09) this reminder moves from 11:45 to 13:00: quiet time Fri 11:30-13:00"))
        #expect(warning.location.file.hasSuffix("curriculum.yaml"))
    }

    @Test("the participants file alone is checked too")
    func participantsAlone() throws {
        let workspace = try Workspace()
        try workspace.write("people.csv", "nama,phone\nBudi,0812\n")
        let report = workspace.validate(["people.csv"])
        #expect(report.errors(containing: "unknown column `nama`").first?.fix.hasPrefix("did you mean `name`?") == true)
        #expect(report.errors(containing: "no `name` column").count == 1)
    }

    @Test("a missing file is named with a fix")
    func missingFile() throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "participants: participants.csv", with: "participants: peserta.csv")
        let error = try #require(workspace.validate().errors(containing: "no file at").first)
        #expect(error.message.hasSuffix("peserta.csv"))
        #expect(error.location.file.hasSuffix("batch.yaml"))
    }

    @Test("CSV quoting, semicolons and a byte-order mark are read like a spreadsheet writes them")
    func csvDialects() throws {
        var lines = ["\u{FEFF}name;phone;district"]
        lines.append("\"Hasan; \"\"Pak RT\"\"\";0813-5555-9999;\"Gresik\"")
        for index in 0..<19 { lines.append("Peserta \(index);0813-5555-\(String(format: "%04d", index));Gresik") }
        let workspace = try Workspace()
        try workspace.write("participants.csv", lines.joined(separator: "\r\n"))
        let loaded = try BatchFile.load(path: workspace.path("batch.yaml"))
        #expect(loaded.batch.participants.count == 20)
        #expect(loaded.batch.participants[0].name == "Hasan; \"Pak RT\"")
    }
}

@Suite("Validation: templates")
struct TemplateValidationTests {
    static let fanout = "mode: fanout\n  sink: whatsapp-cloud:106540352242922"

    @Test("an item's and the batch's templates are read; the batch's needs fan-out")
    func read() throws {
        let loaded = try loadExample {
            try $0.edit("batch.yaml", replacing: "mode: group",
                        with: Self.fanout + "\n  template: { name: kelas_sapa, language: id, params: [\"{{name}}\"] }")
            try $0.edit("curriculum.yaml", replacing: "        instrument: adil-gender ",
                        with: "        template: { name: kelas_pre_test, language: en_US, params: [\"{{name}}\", \"{{date}}\"] }\n        instrument: adil-gender ")
        }
        #expect(loaded.batch.delivery.template == MessageTemplate(name: "kelas_sapa", language: "id", params: ["{{name}}"]))
        #expect(loaded.curriculum.items.first { $0.template != nil }?.template
                == MessageTemplate(name: "kelas_pre_test", language: "en_US", params: ["{{name}}", "{{date}}"]))
        #expect(loaded.warnings.allSatisfy { !$0.message.contains("no approved template") })

        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "mode: group", with: "mode: group\n  template: { name: kelas_sapa, language: id }")
        let errors = workspace.validate().errors(containing: "a re-engagement template is for 1:1 messages")
        let line = try workspace.line(of: "  template:", in: "batch.yaml")
        #expect(errors.count == 1 && errors.first?.location.line == line)
    }

    @Test("a bad template is an error at its line with the fix", arguments: [
        ("{ name: Kelas-Sapa, language: id }", "is not a WhatsApp template name"),
        ("{ name: kelas_sapa, language: Indonesian }", "is not a template language code"),
        ("{ name: kelas_sapa }", "is missing `language`"),
        ("{ name: kelas_sapa, language: id, params: [\"\"] }", "a template parameter is empty"),
        ("{ name: kelas_sapa, language: id, params: [\"{{nama}}\"] }", "unknown placeholder {{nama}}"),
        ("{ name: kelas_sapa, language: id, params: [\"a\\nb\"] }", "cannot hold a new line"),
        ("{ name: kelas_sapa, language: id, parameters: [x] }", "unknown key `parameters`"),
    ])
    func bad(_ template: String, _ message: String) throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "mode: group", with: Self.fanout + "\n  template: \(template)")
        let errors = workspace.validate().errors(containing: message)
        #expect(errors.count == 1, "\(workspace.validate().diagnostics)")
        #expect(errors.first?.location.line == (try workspace.line(of: "  template:", in: "batch.yaml")))
        #expect(errors.first?.fix.isEmpty == false)
    }

    @Test("fan-out through the Cloud API with no template warns at the sink: on day 1 everyone would be refused")
    func warning() throws {
        let workspace = try Workspace()
        try workspace.edit("batch.yaml", replacing: "mode: group", with: Self.fanout)
        let report = workspace.validate()
        #expect(report.errors.isEmpty)
        let warning = try #require(report.warnings.first { $0.message.contains("have no approved template") })
        #expect(warning.message.contains("131047") && warning.fix.contains("delivery"))
        #expect(warning.location.line == (try workspace.line(of: "  sink:", in: "batch.yaml")))
    }
}
