import Foundation
import Testing
@testable import KelasCore
import ZIPFoundation

/// Fixtures shared by the core, store and CLI tests: `Tests/Fixtures/ingest`.
enum IngestFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ingest")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// The example batch's people, for matching authors without a store.
func examplePeople() throws -> PeopleDirectory {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-people-\(UUID().uuidString)")
    _ = try ExampleWorkspace.write(to: directory.path, overwrite: true)
    return PeopleDirectory.batch(try BatchFile.load(path: directory.appendingPathComponent("batch.yaml").path).batch)
}

/// Detects an export file's format and reads all its entries.
func readExport(_ path: String) throws -> (ChatFormat, [ChatEntry]) {
    let file = ChatExportFile(path: path)
    let format = try file.detectFormat()
    var all: [ChatEntry] = []
    try file.entries(format: format) { all.append($0) }
    return (format, all)
}

func header(_ line: String) -> ChatHeader? {
    Array(line.utf8).withUnsafeBufferPointer { ChatHeader.read($0) }
}

func entries(_ text: String, format: ChatFormat) -> [ChatEntry] {
    var parser = ChatExportParser(format: format)
    var result: [ChatEntry] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if let entry = Array(line.utf8).withUnsafeBufferPointer({ parser.feed($0, number: index + 1) }) { result.append(entry) }
    }
    if let last = parser.finish() { result.append(last) }
    return result
}

@Suite("Chat exports")
struct ChatExportTests {
    @Test("every header style: separators, year digits, 12 h and 24 h, day-part words, seconds, brackets", arguments: [
        ("06/07/21 07.30 - Budi: x", ChatFormat.Platform.android, DateOrder.dmy, "2021-07-06", "07:30:00"),
        ("06/07/2021, 19:05 - Budi: x", .android, .dmy, "2021-07-06", "19:05:00"),
        ("06.07.21, 9.15 pagi - Budi: x", .android, .dmy, "2021-07-06", "09:15:00"),
        ("06.07.21, 3.20 sore - Budi: x", .android, .dmy, "2021-07-06", "15:20:00"),
        ("06-07-21 1.05 siang - Budi: x", .android, .dmy, "2021-07-06", "13:05:00"),
        ("06-07-21 8.00 malam - Budi: x", .android, .dmy, "2021-07-06", "20:00:00"),
        ("7/6/21, 10:22 PM - Budi: x", .android, .mdy, "2021-07-06", "22:22:00"),
        ("7/6/21, 12:05 AM - Budi: x", .android, .mdy, "2021-07-06", "00:05:00"),
        ("7/6/21, 12:05 p.m. - Budi: x", .android, .mdy, "2021-07-06", "12:05:00"),
        ("7/6/21, 10:22\u{202F}PM - Budi: x", .android, .mdy, "2021-07-06", "22:22:00"),
        ("2021-07-06, 07:30 - Budi: x", .android, .ymd, "2021-07-06", "07:30:00"),
        ("[06/07/21 10.22.05] Budi: x", .ios, .dmy, "2021-07-06", "10:22:05"),
        ("\u{200E}[7/6/21, 9:20:31\u{202F}AM] Budi: x", .ios, .mdy, "2021-07-06", "09:20:31"),
        ("[2021/07/06 21:00:00] Budi: x", .ios, .ymd, "2021-07-06", "21:00:00"),
        ("21-28-07, 07:16 - Budi: x", .android, .ydm, "2021-07-28", "07:16:00"),
        ("21-07-28, 07:16 - Budi: x", .android, .ymd, "2021-07-28", "07:16:00"),
        ("[2021.28.07 07:16:00] Budi: x", .ios, .ydm, "2021-07-28", "07:16:00"),
    ])
    func headers(line: String, platform: ChatFormat.Platform, order: DateOrder, date: String, time: String) throws {
        let parsed = try #require(header(line), "\(line)")
        #expect(parsed.platform == platform)
        #expect(parsed.date(order)?.description == date)
        let entry = try #require(entries(line, format: ChatFormat(platform: platform, dateOrder: order)).first)
        #expect(entry.time.description.hasPrefix(time.dropLast(3)) && entry.time.second == Int(time.suffix(2)))
        #expect(entry.author == "Budi" && entry.text == "x")
    }

    @Test("lines that only look like headers are continuation lines", arguments: [
        "12/07 besok ya", "2021 adalah tahun yang berat", "10.22 saya hadir", "06/07/21 nanti sore", "06/07/21 25.10 - x: y",
        "6/7/21, 13:05 PM - Budi: x", "[06/07/21 10.22.05 Budi: x",
    ])
    func notHeaders(line: String) {
        #expect(header(line) == nil)
    }

    @Test("Android export in Indonesian: system lines, multi-line messages, voice notes, media, deleted")
    func androidIndonesian() throws {
        let text = try String(contentsOfFile: IngestFixtures.path("android-id.txt"), encoding: .utf8)
        let all = entries(text, format: ChatFormat(platform: .android, dateOrder: .dmy))
        #expect(all.count == 20)
        #expect(all.filter(\.isSystem).map(\.text).map { String($0.prefix(20)) }
            == ["Pesan dan panggilan ", "Rumi membuat grup \"K", "Rumi menambahkan Ahm", "Dedi Kurniawan kelua"])
        let cahyo = try #require(all.first { $0.author == "Cahyo Prasetyo" })
        #expect(cahyo.text == "Maaf baru bisa isi\nsekarang, sinyal susah\ndi desa" && cahyo.line == 8)
        #expect(all.filter { $0.kind == .voice }.map(\.line) == [12, 21])
        #expect(all.first { $0.author == "Pak RT Gresik" }?.kind == .media)
        #expect(all.first { $0.text.hasPrefix("IMG-") }?.kind == .image)
        #expect(all.first { $0.text == "Pesan ini telah dihapus" }?.kind == .deleted)
    }

    @Test("iOS export in English: group-name system lines, attachments behind direction marks, \"You\"")
    func iosEnglish() throws {
        let text = try String(contentsOfFile: IngestFixtures.path("ios-en.txt"), encoding: .utf8)
        let all = entries(text, format: ChatFormat(platform: .ios, dateOrder: .mdy, twelveHour: true, seconds: true))
        #expect(all.filter(\.isSystem).count == 4)
        #expect(all.filter(\.isSystem).last?.text == "Fajar Hidayat left")
        #expect(all.filter { $0.kind == .voice }.compactMap(\.author) == ["Eko Wahyudi", "Fajar Hidayat"])
        #expect(all.first { $0.author == "Hadi Susanto" }?.kind == .image)
        #expect(all.last { $0.author == "Hadi Susanto" }?.kind == .deleted)
        // "added" inside a message is not a system line.
        #expect(all.last?.author == "You" && all.last?.kind == .text)
        #expect(all.first { $0.author == "Gunawan Saputra" }?.text == "Sex is biological,\ngender is what society expects.")
        #expect(all.first { $0.author == "Gunawan Saputra" }?.time.description == "13:05:44")
    }

    @Test("detection: a day above 12 settles the order; ambiguous dates follow the batch's week; --date-order forces")
    func detection() throws {
        func detect(_ text: String, expected: ClosedRange<LocalDate>? = nil, forced: DateOrder? = nil) throws -> ChatFormat {
            var detector = ChatFormatDetector(expected: expected)
            for line in text.split(separator: "\n") { Array(line.utf8).withUnsafeBufferPointer { detector.feed($0) } }
            return try detector.format(file: "chat.txt", forced: forced)
        }
        let settled = try detect("05/07/21 07.00 - A: x\n13/07/21 07.00 - A: y")
        #expect(settled.dateOrder == .dmy && settled.reason == "detected" && settled.platform == .android)
        #expect(try detect("7/5/21, 7:00 AM - A: x\n7/13/21, 7:00 PM - A: y").dateOrder == .mdy)
        #expect(try detect("2021-07-05 07:00 - A: x").dateOrder == .ymd)
        // Out of order as d/m/y (June, then May), in order as m/d/y.
        let ordered = try detect("5/6/21, 7:00 AM - A: x\n7/6/21, 7:00 AM - A: y\n8/5/21, 7:00 AM - A: z")
        #expect(ordered.dateOrder == .mdy && ordered.reason.contains("run in order"))
        let ios = try String(contentsOfFile: IngestFixtures.path("ios-en.txt"), encoding: .utf8)
        let july = LocalDate(year: 2021, month: 6, day: 28)...LocalDate(year: 2021, month: 8, day: 12)
        #expect(try detect(ios).dateOrder == .dmy)
        #expect(try detect(ios).reason.contains("ambiguous"))
        #expect(try detect(ios, expected: july).dateOrder == .mdy)
        #expect(try detect(ios, forced: .dmy).reason == "forced by --date-order")
        #expect(throws: ChatExportError.noMessages(file: "chat.txt")) { try detect("just some text\nno headers") }
    }

    @Test("lines split across read chunks come out whole, with CRLF line ends removed")
    func chunkBoundaries() throws {
        let text = "05/07/21 07.00 - Budi: satu\r\ndua\r\n05/07/21 07.01 - Siti: tiga"
        for size in [1, 2, 3, 7, 64] {
            var splitter = LineSplitter()
            var lines: [String] = []
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                try splitter.feed(Data(bytes[start..<min(start + size, bytes.count)])) { lines.append(String(decoding: $0, as: UTF8.self)) ; _ = $1 }
            }
            try splitter.finish { lines.append(String(decoding: $0, as: UTF8.self)); _ = $1 }
            #expect(lines == ["05/07/21 07.00 - Budi: satu", "dua", "05/07/21 07.01 - Siti: tiga"], "chunk size \(size)")
        }
    }

    @Test("authors match by phone in any formatting, name or alias; trainers' @-mentions resolve to participants")
    func matching() throws {
        var people = try examplePeople()
        #expect(people.match(author: "+62 812-3456-7111")?.name == "Budi Santoso")
        #expect(people.match(author: "~ budi  santoso")?.phone.e164 == "+6281234567111")
        #expect(people.match(author: "Fauzi Gresik")?.name == "Ahmad Fauzi")
        #expect(people.match(author: "\u{200E}Iva Hasanah")?.role == .trainer)
        #expect(people.match(author: "Pak RT") == nil)
        #expect(people.match(author: "You") == nil)
        people.me = people.find("0812 3456 7003")
        #expect(people.match(author: "Anda")?.name == "Rumi")
        #expect(people.mentions(in: "@6281234567110 terima kasih, juga @Budi Santoso dan @fauzi gresik!")
            == [PhoneNumber(e164: "+6281234567110"), PhoneNumber(e164: "+6281234567111")])
        #expect(people.mentions(in: "email saya iva@example.org").isEmpty)
    }

    @Test("message ids are the same in a later export that overlaps an earlier one; identical messages stay apart")
    func stableIDs() throws {
        let text = try String(contentsOfFile: IngestFixtures.path("android-id.txt"), encoding: .utf8)
        let format = ChatFormat(platform: .android, dateOrder: .dmy)
        let people = try examplePeople()
        let zone = try #require(TimeZone(identifier: "Asia/Jakarta"))
        func ids(_ text: String) -> [String] {
            var chat = ChatImport(batchID: "gresik-2021-07", people: people, timeZone: zone, format: format)
            return entries(text, format: format).compactMap { chat.message(for: $0)?.id }
        }
        let whole = ids(text)
        #expect(Set(whole).count == whole.count, "two identical \"ok\"s at 13.45 are two messages")
        let laterHalf = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(10).joined(separator: "\n")
        let overlap = ids(laterHalf)
        #expect(!overlap.isEmpty && Set(overlap).isSubset(of: Set(whole)))
    }

    @Test("digest-only ids are exactly the ones earlier versions stored, so a re-import into their batches still finds them")
    func pinnedIDs() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Jakarta"))
        let context = ChatContext(batchID: "gresik-2021-07", people: try examplePeople(), timeZone: zone, expected: nil, ids: .digestOnly)
        var ids: [String] = []
        _ = try ChatExportFile(path: IngestFixtures.path("android-id.txt")).read(context) { ids.append($0.id) }
        // Written by the version before the byte-level parser (kelas ingest chat into a store, then read back).
        #expect(Array(ids.prefix(5)) == ["chat:b162d05d85cde6e1", "chat:8fbe603ca955b852", "chat:470d7f961285b9fc",
                                         "chat:d824476e44032d4c", "chat:6355a04a11f6c57d"])
        #expect(Array(ids.suffix(2)) == ["chat:0cf839b7f6f8e4e2", "chat:0cf4b9b7f6f5d58b"], "two identical oks, two ids")
    }

    @Test("time-ordered ids: the local time in 8 hex digits, then the same digest; in an export's order their times ascend")
    func timeOrderedIDs() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Jakarta"))
        let people = try examplePeople()
        let file = ChatExportFile(path: IngestFixtures.path("android-id.txt"))
        var legacy: [String] = []
        _ = try file.read(ChatContext(batchID: "gresik-2021-07", people: people, timeZone: zone, expected: nil, ids: .digestOnly)) {
            legacy.append($0.id)
        }
        var messages: [InboundMessage] = []
        _ = try file.read(ChatContext(batchID: "gresik-2021-07", people: people, timeZone: zone, expected: nil)) { messages.append($0) }
        let ids = messages.map(\.id)
        #expect(ids.first == "chat:60e2b4f8b162d05d85cde6e1", "07:30 on 5 July 2021, local: 1,625,470,200 s")
        #expect(ids.count == legacy.count && ids.count > 5)
        for (message, old) in zip(messages, legacy) {
            let time = try #require(UInt32(message.id.dropFirst(5).prefix(8), radix: 16))
            #expect(Int(time) == Int(message.sentAt.timeIntervalSince1970) + 7 * 3600, "local time, WIB")
            #expect(message.id.dropFirst(13) == old.dropFirst(5), "the same digest")
        }
        let times = ids.map { $0.prefix(13) }
        #expect(times == times.sorted(), "ascending by time, so storing an export appends to the index of ids")
        #expect(Set(ids).count == ids.count)
    }

    @Test("a dry run's counts are the counts of the messages an import makes")
    func countsMatchMessages() throws {
        let people = try examplePeople()
        let context = ChatContext(batchID: "gresik-2021-07", people: people, timeZone: .gmt, expected: nil)
        for name in ["android-id.txt", "ios-en.txt", "android-en.txt"] {
            let file = ChatExportFile(path: IngestFixtures.path(name))
            var messages: [InboundMessage] = []
            let stored = try file.read(context) { messages.append($0) }
            let counted = try file.count(context)
            #expect(counted.stats == stored.stats)
            #expect(counted.stats.messages == messages.count && counted.stats.messages > 5, "\(name)")
            #expect(counted.stats.voiceNotes == messages.filter { $0.kind == .voice }.count)
        }
    }

    @Test("an author written with and without direction marks is one author, matched once")
    func authorWithMarks() throws {
        let text = """
            05/07/21 09.12 - Fauzi Gresik: satu
            05/07/21 09.13 - \u{200E}Fauzi Gresik: dua
            05/07/21 09.14 - Fauzi Gresik: tiga
            05/07/21 09.15 - Tamu: empat
            """
        let format = ChatFormat(platform: .android, dateOrder: .dmy)
        var chat = ChatImport(batchID: "gresik-2021-07", people: try examplePeople(), timeZone: .gmt, format: format)
        let messages = entries(text, format: format).compactMap { chat.message(for: $0) }
        #expect(messages.map(\.author) == ["Fauzi Gresik", "Fauzi Gresik", "Fauzi Gresik", "Tamu"])
        #expect(messages.map(\.phone?.e164) == ["+6281234567110", "+6281234567110", "+6281234567110", nil])
        #expect(chat.stats.authors.map(\.name) == ["Fauzi Gresik", "Tamu"])
        #expect(chat.stats.authors.map(\.messages) == [3, 1])
        #expect(chat.stats.unmatched == ["Tamu"])
    }

    @Test("the byte-string table numbers keys densely in first-seen order, through growth")
    func byteKeyTable() {
        var table = ByteKeyTable()
        let keys = (0..<1_000).map { Array("Peserta \($0)".utf8) } + [[], Array("Peserta 1".utf8.dropLast())]
        for (index, key) in keys.enumerated() {
            let (number, isNew) = key.withUnsafeBufferPointer { table.number(of: $0) }
            #expect(number == index && isNew, "key \(index)")
        }
        for (index, key) in keys.enumerated().reversed() {
            let (number, isNew) = key.withUnsafeBufferPointer { table.number(of: $0) }
            #expect(number == index && !isNew, "key \(index) again")
        }
        #expect(table.count == keys.count)
    }

    @Test("stripping marks: direction marks anywhere, spaces and tabs at the ends, inner spaces kept", arguments: [
        ("  Budi Santoso\t", "Budi Santoso"),
        ("Budi Santoso", "Budi Santoso"),
        ("\u{200E}Budi\u{202C} Santoso\u{200F} ", "Budi Santoso"),
        ("\u{00A0}Iva Hasanah\u{202F}", "Iva Hasanah"),
        ("\u{FEFF}", ""),
        ("   ", ""),
        ("Pesan  ini", "Pesan  ini"),
        ("\u{200E}<Media tidak disertakan>", "<Media tidak disertakan>"),
    ])
    func stripMarks(_ written: String, _ expected: String) {
        #expect(ChatText.stripMarks(written) == expected)
    }

    @Test("export times are read in the batch's time zone")
    func localTimes() throws {
        var chat = ChatImport(batchID: "b", people: PeopleDirectory([]), timeZone: try #require(TimeZone(identifier: "Asia/Makassar")),
                              format: ChatFormat(platform: .android, dateOrder: .dmy))
        let entry = try #require(entries("06/07/21 09.00 - Budi: x", format: ChatFormat(platform: .android, dateOrder: .dmy)).first)
        // 09:00 WITA (UTC+8) is 01:00 UTC.
        #expect(chat.message(for: entry)?.sentAt == Date(timeIntervalSince1970: 1_625_533_200))
        #expect(chat.stats.unmatched == ["Budi"])
    }
}

@Suite("Chat export files")
struct ChatExportFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-zip-\(UUID().uuidString)")

    func zip(_ files: [String: Data]) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("WhatsApp Chat with Kelas Gresik 7.zip")
        let archive = try Archive(url: url, accessMode: .create)
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return url.path
    }

    func read(_ path: String) throws -> (ChatFormat, [ChatEntry]) { try readExport(path) }

    @Test("the .zip WhatsApp shares reads like its .txt; media files in it are skipped")
    func zipExport() throws {
        let text = try Data(contentsOf: URL(fileURLWithPath: IngestFixtures.path("android-id.txt")))
        let path = try zip(["PTT-20210706-WA0003.opus": Data(repeating: 7, count: 5000), "WhatsApp Chat with Kelas Gresik 7.txt": text])
        let (zipFormat, zipped) = try read(path)
        let (textFormat, plain) = try read(IngestFixtures.path("android-id.txt"))
        #expect(zipFormat == textFormat)
        #expect(zipped == plain && zipped.count == 20)
    }

    @Test("year/day/month exports: a day above 12 settles it; every message is read, none dropped")
    func yearDayMonth() throws {
        var detector = ChatFormatDetector()
        for line in ["21-05-07, 07:00 - A: x", "21-28-07, 07:16 - A: y"] { Array(line.utf8).withUnsafeBufferPointer { detector.feed($0) } }
        #expect(try detector.format(file: "chat.txt").dateOrder == .ydm)
        // The Android fixture with its dates written `21-05-07, 07:00`: the batch's week settles year/day/month.
        let file = ChatExportFile(path: IngestFixtures.path("android-ydm.txt"))
        let week = LocalDate(year: 2021, month: 6, day: 28)...LocalDate(year: 2021, month: 8, day: 12)
        let format = try file.detectFormat(expected: week)
        #expect(format.dateOrder == .ydm)
        var read: [ChatEntry] = []
        let mangled = try file.entries(format: format) { read.append($0) }
        let (_, original) = try readExport(IngestFixtures.path("android-id.txt"))
        #expect(mangled.count == 0)
        #expect(read.map(\.date) == original.map(\.date) && read.map(\.text) == original.map(\.text))
    }

    @Test("lines that look like headers but do not parse are counted with their numbers; too many stop the import")
    func mangledHeaders() throws {
        let good = (0..<60).map { "06/07/21 08.\(String(format: "%02d", $0)) - Budi: jawaban \($0)" }
        // A header without ` - `, and an impossible date: kept as text of the message before, and reported.
        var lines = good
        lines.insert("06/07/21 09.15 Budi: tanpa tanda", at: 10)
        lines.insert("31/02/21 09.16 - Budi: tanggal mustahil", at: 20)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let few = directory.appendingPathComponent("few.txt")
        try Data(lines.joined(separator: "\n").utf8).write(to: few)
        let file = ChatExportFile(path: few.path)
        var read: [ChatEntry] = []
        let format = try file.detectFormat()
        let mangled = try file.entries(format: format) { read.append($0) }
        #expect(mangled.count == 2 && mangled.lines == [11, 21], "\(mangled) \(format)")
        #expect(read.count == 60 && read[9].text.contains("tanpa tanda"))
        // A year/day/month export read as day/month/year: most headers fail; the import stops and says why.
        let ydm = (12..<40).map { "21-\(String(format: "%02d", $0 % 28 + 1))-07, 07:16 - Budi: x" }
        let wrong = directory.appendingPathComponent("wrong.txt")
        try Data(ydm.joined(separator: "\n").utf8).write(to: wrong)
        let forced = ChatFormat(platform: .android, dateOrder: .dmy)
        do {
            try ChatExportFile(path: wrong.path).entries(format: forced) { _ in }
            Issue.record("a mostly unreadable export was read")
        } catch let error as ChatExportError {
            guard case .mangled(_, _, let lines, let headers) = error else { Issue.record("\(error)"); return }
            #expect(lines.count > 2 && headers < lines.count)
            #expect(error.description.contains("nothing was stored") && error.description.contains("--date-order"))
        }
    }

    @Test("a zip without a chat, a missing file and a file with no messages are clear errors")
    func errors() throws {
        let path = try zip(["IMG-1.jpg": Data([1, 2, 3])])
        #expect(throws: ChatExportError.noChatInArchive(file: path, entries: ["IMG-1.jpg"])) { try read(path) }
        #expect(throws: ChatExportError.unreadable(file: "/nonexistent/chat.txt", reason: "no such file")) { try read("/nonexistent/chat.txt") }
        let empty = directory.appendingPathComponent("notes.txt")
        try Data("just notes\n".utf8).write(to: empty)
        #expect(throws: ChatExportError.noMessages(file: empty.path)) { try read(empty.path) }
    }
}

@Suite("Chat export locales")
struct ChatExportLocaleTests {
    func read(_ name: String) throws -> (ChatFormat, [ChatEntry]) { try readExport(IngestFixtures.path(name)) }

    @Test("Android in English: 4-digit years, m/d/y settled by day 13, 12 h clock, a colon inside a subject change")
    func androidEnglish() throws {
        let (format, all) = try read("android-en.txt")
        #expect(format.description == "android mdy 12h" && format.reason == "detected")
        #expect(all.filter(\.isSystem).map(\.line) == [1, 2, 3, 4, 11, 12])
        #expect(all.first { $0.line == 4 }?.text == "Rumi changed the subject from \"Gender Class\" to \"Gender Class: Gresik 7\"")
        #expect(all.filter { !$0.isSystem }.map(\.kind) == [.text, .voice, .media, .video, .deleted, .text])
        #expect(all.first { $0.kind == .video }?.text == "VID-20210713-WA0002.mp4 (file attached)\nmy answer as a video")
        #expect(all.first { $0.kind == .video }?.time.description == "12:40")
        // A message that contains a header-like " - " stays one message.
        #expect(all.last?.author == "You" && all.last?.text == "Thank you all: see you tomorrow at 7:30 AM - Rumi")
    }

    @Test("iOS in Indonesian: pagi/siang/sore/malam, <terlampir: …opus>, placeholders, system lines by the group")
    func iosIndonesian() throws {
        let (format, all) = try read("ios-id.txt")
        #expect(format.description == "ios dmy 12h" && format.seconds && format.reason == "detected")
        #expect(all.filter(\.isSystem).map(\.text) == [
            "Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini yang dapat membaca atau mendengarkannya.",
            "Rumi menambahkan Nur Hasan", "Puji Raharjo keluar", "Kode keamanan Anda dengan Winoto berubah.",
        ])
        let messages = all.filter { !$0.isSystem }
        #expect(messages.map(\.kind) == [.text, .voice, .voice, .image, .text, .deleted, .text])
        #expect(messages.map(\.time.description) == ["09:00", "09:12:30", "09:30", "13:10", "15:45", "16:00", "21:00"])
        // A trainer writing "keluar" (leaving for the day) is a message, not a system line.
        #expect(messages.last?.author == "Winoto")
    }
}
