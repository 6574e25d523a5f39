import Foundation
import Testing
@testable import KelasCore

@Suite("Languages: the message catalogs")
struct LocalizationTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    @Test("the catalogs load, and every key has both languages, with the same placeholders, never empty")
    func complete() throws {
        #expect(Localizer.catalogs.problem == nil)
        let id = Localizer(.id), en = Localizer(.en)
        #expect(!id.keys.isEmpty && id.keys == en.keys, "keys in one language only: \(id.keys.symmetricDifference(en.keys).sorted())")
        func placeholders(_ text: String) -> Set<String> {
            Set(text.split(separator: "{", omittingEmptySubsequences: false).dropFirst().compactMap { $0.split(separator: "}", maxSplits: 1).first.map(String.init) })
        }
        for key in id.keys.sorted() {
            #expect(!id(key).isEmpty && !en(key).isEmpty, "\(key) is empty")
            #expect(placeholders(id(key)) == placeholders(en(key)), "\(key): the languages fill different placeholders")
        }
    }

    @Test("every key the code asks for is in the catalogs (a literal key, or a state / grouping / mode the code builds)")
    func keysInCode() throws {
        let catalog = Localizer(.en)
        var used: Set<String> = []
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(!files.isEmpty)
        // Catalog keys are dotted (`batch.plan`); other `t("…")` helpers in the code take whole words.
        let pattern = try Regex(#"\bt\("([a-z][A-Za-z0-9\-]*\.[A-Za-z0-9.\-]*[A-Za-z0-9])""#)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let key = match.output[1].substring { used.insert(String(key)) }
            }
        }
        #expect(used.count > 40)
        // Problems in files and payloads (`log.error(location, "batchFile.id", …)`, `fix: "…"`, `Phrase("…")`,
        // `Diagnostic(.error, location, "…")`): the first text of each must be a catalog key, never English.
        let keyShape = try Regex(#"^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$"#)
        let diagnosticPatterns = [
            // The first text argument of the call (not one inside its location), before the call ends.
            try Regex(#"log\.(?:error|warning)\((?:(?!log\.|\)\n)[\s\S])*?[,?]\s*"([^"]*)""#), try Regex(#"\bfix: "([^"]*)""#),
            // A key built as `"kind." + …` is checked below, by its values.
            try Regex(#"\bPhrase\("([^"]*)"(?! \+)"#), try Regex(#"Diagnostic\(\.(?:error|warning), [^"\n]*?, "([^"]*)""#),
        ]
        var problemKeys = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for pattern in diagnosticPatterns {
                for match in text.matches(of: pattern) {
                    guard let key = match.output[1].substring.map(String.init), !key.isEmpty else { continue }
                    #expect(key.wholeMatch(of: keyShape) != nil, "\(file.lastPathComponent): a problem written as text, not a catalog key: \(key)")
                    #expect(catalog.has(key), "\(file.lastPathComponent) asks for \(key), which no catalog has")
                    problemKeys += 1
                }
            }
        }
        #expect(problemKeys > 200)
        // Counted phrases (`.count(n, "validate.error")`) need both forms.
        let counted = try Regex(#"\.count\([^,()]+(?:\([^()]*\))?[^,()]*, "([^"]+)"\)"#)
        var countedKeys = 0
        for file in files {
            for match in try String(contentsOf: file, encoding: .utf8).matches(of: counted) {
                guard let key = match.output[1].substring.map(String.init) else { continue }
                #expect(catalog.has(key + ".one") && catalog.has(key + ".many"), "\(file.lastPathComponent): \(key) needs .one and .many")
                countedKeys += 1
            }
        }
        #expect(countedKeys >= 5)
        let orphans = catalog.keys.filter { $0.hasSuffix(".fix") && !catalog.has(String($0.dropLast(4))) }
        #expect(orphans.isEmpty, "fixes of no problem: \(orphans.sorted())")
        for role in ["trainer", "admin", "participant"] { #expect(catalog.has("role." + role)) }
        for key in used.sorted() { #expect(catalog.has(key), "the code asks for \(key), which no catalog has") }
        for state in PromptState.allCases { #expect(catalog.has("state." + state.rawValue)) }
        for mode in DeliveryMode.allCases { #expect(catalog.has("plan.mode." + mode.rawValue)) }
        for kind in ItemKind.allCases { #expect(catalog.has("kind." + kind.rawValue)) }
        for order in DateOrder.allCases { #expect(catalog.has("chat.order." + order.rawValue)) }
        for mark in MarkKind.allCases { #expect(catalog.has("mark." + mark.rawValue)) }
        // The outbox's states as the pages show them (OutboxItem.State, and `held`).
        for state in ["queued", "claimed", "sent", "skipped", "failed", "dead", "expired", "held"] { #expect(catalog.has("outbox." + state)) }
    }

    @Test("a file's problems read in either language: every message and fix from the catalogs, labels included")
    func diagnosticsInBothLanguages() throws {
        let text = """
        id: bad id!
        name: Uji
        programme: WEE
        distrct: Gresik
        timezone: Asia/Jakrta
        start: 2021-7-5
        language: fr
        curriculum: tidak-ada
        trainers: [{ name: Iva, phone: "12" }]
        admin: { name: Rumi, phone: "+6281234567003" }
        participants: []
        delivery: { mode: grup, window: "21:00-07:00", quiet: [Jum 11:30] }
        """
        let log = DiagnosticLog()
        _ = BatchFile.decode(text, file: "batch.yaml", log: log)
        #expect(log.diagnostics.count >= 10, "\(log.diagnostics)")
        let id = Localizer(.id), en = Localizer(.en)
        for diagnostic in log.diagnostics {
            let indonesian = diagnostic.text(id), english = diagnostic.text(en)
            #expect(!indonesian.contains("⟦") && !english.contains("⟦"), "\(indonesian)")
            #expect(indonesian != english)
            #expect(indonesian.contains(": kesalahan: ") || indonesian.contains(": peringatan: "))
            #expect(english == diagnostic.description)
        }
        // A value that looks like a placeholder is put in as it is, never filled again.
        #expect(Localizer(.en)("curriculum.placeholder.guess", ["guess": "{{name}}", "known": "{guess}", "name": "x"])
                == "did you mean {{name}}? placeholders: {guess}")
    }

    @Test("numbers and dates in each language's own form")
    func forms() {
        let id = Localizer(.id), en = Localizer(.en)
        #expect(id.percent(87.4) == "87,4 %" && en.percent(87.4) == "87.4%")
        #expect(id.integer(2029) == "2.029" && en.integer(2029) == "2,029" && id.integer(77) == "77" && en.integer(-1234567) == "-1,234,567")
        #expect(id.decimal(1234.56, digits: 2) == "1.234,56" && en.decimal(0.5) == "0.5" && id.decimal(-0.25, digits: 2) == "-0,25")
        // Whole numbers without decimals take a path without a format string: the same text.
        #expect(id.percent(1, of: 3) == "33 %" && en.percent(2029, of: 2029) == "100%" && id.decimal(-0.0, digits: 0) == "0")
        #expect(id.decimal(12345, digits: 0) == "12.345" && en.decimal(-7, digits: 0) == "-7" && en.decimal(2.5, digits: 0) == "2")
        // HTML: the five specials escaped, everything else (multi-byte too) kept as it is.
        #expect(HTML.escape("Bu Siti <\"Ibu\"> & 'kader' — 🙏") == "Bu Siti &lt;&quot;Ibu&quot;&gt; &amp; &#39;kader&#39; — 🙏")
        #expect(HTML.escape("Gresik 2021 · 87,4 %") == "Gresik 2021 · 87,4 %" && HTML.escape("") == "")
        #expect(id.longDate(LocalDate(year: 2021, month: 7, day: 6)) == "Selasa, 6 Juli 2021")
        #expect(en.longDate(LocalDate(year: 2021, month: 7, day: 6)) == "Tuesday 6 July 2021")
        #expect(id("plan.participants", ["count": "24"]) == "24 peserta")
        #expect(en("no.such.key") == "⟦no.such.key⟧")
    }

    @Test("a decimal is written as the C format string rounds it, in either language's form, on the grid or off it")
    func decimalsAsFormatted() {
        /// What `%.Nf` writes, with the language's decimal mark and its thousands grouped.
        func formatted(_ value: Double, _ digits: Int, _ language: Language) -> String {
            let text = String(format: "%.\(digits)f", value)
            let negative = text.hasPrefix("-")
            let parts = (negative ? text.dropFirst() : text[...]).split(separator: ".")
            var grouped: [Character] = []
            for (index, digit) in parts[0].reversed().enumerated() {
                if index > 0 && index % 3 == 0 { grouped.append(language == .id ? "." : ",") }
                grouped.append(digit)
            }
            return (negative ? "-" : "") + String(grouped.reversed()) + (language == .id ? "," : ".") + parts[1]
        }
        var values: [(Double, Int)] = []
        for k in stride(from: -2_000_000, through: 2_000_000, by: 997) {
            values += [(Double(k) / 10, 1), (Double(k) / 100, 2), (Double(k) / 1000, 3)]
        }
        // Half-way points and values off the grid, which only the format string rounds right.
        values += [(0.15, 1), (0.25, 1), (2.675, 2), (-0.05, 1), (-0.04, 1), (-0.0, 1), (0.0, 2), (999.95, 1), (1e12 + 0.5, 1)]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append((Double(Int64(bitPattern: seed >> 1) % 100_000_000) / 997, Int(seed % 3) + 1))
        }
        for language in [Language.id, .en] {
            let t = Localizer(language)
            let wrong = values.filter { t.decimal($0.0, digits: $0.1) != formatted($0.0, $0.1, language) }
            #expect(wrong.isEmpty, "\(language): \(wrong.prefix(5).map { "\($0.0) → \(t.decimal($0.0, digits: $0.1))" })")
        }
    }

    @Test("the language: KELAS_LANG, else the terminal's locale, else English; a browser's Accept-Language by its q-values")
    func preference() throws {
        #expect(try LanguagePreference.fromEnvironment(["KELAS_LANG": "id", "LANG": "en_US.UTF-8"]) == .id)
        #expect(try LanguagePreference.fromEnvironment(["LANG": "id_ID.UTF-8"]) == .id)
        #expect(try LanguagePreference.fromEnvironment(["LC_ALL": "en_GB.UTF-8", "LANG": "id_ID.UTF-8"]) == .en)
        #expect(try LanguagePreference.fromEnvironment(["LANG": "C.UTF-8"]) == .en)
        #expect(try LanguagePreference.fromEnvironment([:]) == .en)
        #expect(throws: UnknownLanguage.self) { try LanguagePreference.fromEnvironment(["KELAS_LANG": "jv"]) }
        #expect(LanguagePreference.fromAcceptLanguage("id-ID,id;q=0.9,en-US;q=0.8") == .id)
        #expect(LanguagePreference.fromAcceptLanguage("en-US,en;q=0.9,id;q=0.8") == .en)
        #expect(LanguagePreference.fromAcceptLanguage("fr-FR,en;q=0.5,id;q=0.7") == .id)
        #expect(LanguagePreference.fromAcceptLanguage("fr-FR") == nil && LanguagePreference.fromAcceptLanguage(nil) == nil)
    }
}
