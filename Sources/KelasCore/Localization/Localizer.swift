import Foundation

/// The words of Kelas in one language, from its message catalog (`Resources/Localization/<language>.json`, a flat
/// object of key → text with `{name}` placeholders), and numbers and dates in that language's own form.
///
/// Catalogs are resources, not strings scattered through the code: a test fails when a key lacks a language.
public struct Localizer: Sendable {
    public let language: Language
    private let table: [String: String]

    public init(language: Language, table: [String: String]) {
        self.language = language
        self.table = table
    }

    /// The catalog of `language` (loaded once per process).
    public init(_ language: Language) {
        self.init(language: language, table: Localizer.catalog(language).table)
    }

    /// The text of `key` with its `{placeholders}` filled. A key the catalog lacks shows as `⟦key⟧` — visible, never
    /// another language's text — and the catalog test fails on it.
    public func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
        guard let template = table[key] else { return "⟦\(key)⟧" }
        guard !values.isEmpty else { return template }
        // One pass over the template, so a value that itself looks like `{name}` is never filled again.
        var text = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            text += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"), let value = values[String(rest[afterOpen..<close])] {
                text += value
                rest = rest[rest.index(after: close)...]
            } else {
                text += "{"
                rest = rest[afterOpen...]
            }
        }
        return text + rest
    }

    /// The text of `key` with its placeholders filled, some by other phrases in this language.
    public func callAsFunction(_ key: String, _ values: [String: String] = [:], parts: [String: Phrase]) -> String {
        self(Phrase(key, values, parts: parts))
    }

    /// Whether the catalog has `key`.
    public func has(_ key: String) -> Bool { table[key] != nil }

    /// Every key of the catalog.
    public var keys: Set<String> { Set(table.keys) }

    // MARK: Numbers and dates

    /// `2.029` (Indonesian) or `2,029` (English).
    public func integer(_ value: Int) -> String {
        if value > -1000 && value < 1000 { return String(value) }
        let digits = Array(String(value.magnitude).utf8)
        let separator = language == .id ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var bytes: [UInt8] = value < 0 ? [UInt8(ascii: "-")] : []
        bytes.reserveCapacity(digits.count + digits.count / 3 + 1)
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { bytes.append(separator) }
            bytes.append(digit)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `87,4` (Indonesian) or `87.4` (English).
    public func decimal(_ value: Double, digits: Int = 1) -> String {
        // Without decimals (every `percent(_:of:)`) no format string is needed, which costs a formatter.
        if digits == 0, let whole = Self.roundedWhole(value) { return integer(whole) }
        // A value already on the grid of `digits` decimals (every percentage a report rounds) is written from its
        // scaled integer: far from a half-way point, so the digits are the ones the format string would round to.
        if (1...6).contains(digits), abs(value) < 1e9 {
            var scale = 1
            for _ in 0..<digits { scale *= 10 }
            let scaled = value * Double(scale)
            let nearest = scaled.rounded()
            if abs(scaled - nearest) < 1e-6 {
                let units = Int(nearest).magnitude
                let fraction = String(units % UInt(scale))
                let sign = nearest < 0 || (nearest == 0 && value.sign == .minus) ? "-" : ""
                return sign + integer(Int(units / UInt(scale))) + (language == .id ? "," : ".")
                    + String(repeating: "0", count: digits - fraction.count) + fraction
            }
        }
        let text = String(format: "%.\(digits)f", value)
        guard let point = text.firstIndex(of: ".") else { return integer(Int(text) ?? 0) }
        let whole = Int(text[..<point]) ?? 0
        let sign = text.hasPrefix("-") && whole == 0 ? "-" : ""
        return sign + integer(whole) + (language == .id ? "," : ".") + text[text.index(after: point)...]
    }

    /// `value` rounded as `%.0f` rounds it (half to even), when it is finite and fits.
    public static func roundedWhole(_ value: Double) -> Int? {
        guard value.isFinite, abs(value) < 1e15 else { return nil }
        return Int(value.rounded(.toNearestOrEven))
    }

    /// `87,4 %` (Indonesian) or `87.4%` (English).
    public func percent(_ value: Double, digits: Int = 1) -> String {
        decimal(value, digits: digits) + (language == .id ? " %" : "%")
    }

    /// `count` as a whole percentage of `total` (rounded down; 0 of nothing is 0): `12 %` or `12%`.
    public func percent(_ count: Int, of total: Int) -> String {
        percent(total == 0 ? 0 : Double(count * 100 / total), digits: 0)
    }

    /// `Selasa, 6 Juli 2021` or `Tuesday 6 July 2021`.
    public func longDate(_ date: LocalDate) -> String { Planner.longDate(date, language: language) }

    // MARK: Catalogs

    /// Both catalogs, or why they could not be read (a build that lost its resources): `kelas serve` refuses to start
    /// with that reason rather than show keys.
    public static var catalogs: (tables: [Language: [String: String]], problem: String?) {
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let catalog = catalog(language)
            if let problem = catalog.problem { return ([:], problem) }
            tables[language] = catalog.table
        }
        return (tables, nil)
    }

    /// Why the catalog of `language` cannot be read, if it cannot: a command checks only the language it speaks.
    public static func problem(_ language: Language) -> String? { catalog(language).problem }

    /// One language's catalog, read the first time it is asked for (a command speaks one language: reading the other
    /// was a tenth of `kelas status`).
    static func catalog(_ language: Language) -> (table: [String: String], problem: String?) {
        switch language {
        case .id: indonesianCatalog
        case .en: englishCatalog
        }
    }
    private static let indonesianCatalog = loadCatalog(.id)
    private static let englishCatalog = loadCatalog(.en)

    /// Where the catalogs are: `$KELAS_RESOURCES`, else beside the executable in its resource bundle (as SwiftPM builds
    /// and installs it; next to the path it was started by, or to the file a link leads to), else the source tree this
    /// was built from.
    static let catalogDirectory: URL? = {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["KELAS_RESOURCES"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        for root in executableDirectories() {
            for bundle in ["Kelas_KelasCore.resources", "Kelas_KelasCore.bundle", "Kelas_KelasCore.bundle/Contents/Resources"] {
                candidates.append(root.appendingPathComponent(bundle).appendingPathComponent("Localization"))
            }
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/Localization"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("en.json").path) }
    }()

    /// The executable's folder as started and with links followed. On Linux from the process itself, not
    /// `Bundle.main`: making the main bundle lists the executable's whole folder (thousands of files in some).
    static func executableDirectories() -> [URL] {
        #if os(Linux)
        var roots: [URL] = []
        if let started = CommandLine.arguments.first, started.contains("/") {
            roots.append(URL(fileURLWithPath: started).deletingLastPathComponent())
        }
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            roots.append(URL(fileURLWithPath: path).deletingLastPathComponent())
        }
        if !roots.isEmpty { return roots }
        #endif
        return [Bundle.main.bundleURL] + [Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()].compactMap { $0 }
    }

    static func loadCatalog(_ language: Language) -> (table: [String: String], problem: String?) {
        guard let directory = catalogDirectory else {
            return ([:], "the language catalogs (Kelas_KelasCore.resources/Localization) are not beside the kelas executable; "
                    + "install the resource folder the build made next to it, or point KELAS_RESOURCES at it")
        }
        let file = directory.appendingPathComponent("\(language.rawValue).json")
        do {
            return (try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file)), nil)
        } catch {
            return ([:], "cannot read the language catalog \(file.path): \(error.localizedDescription)")
        }
    }
}

/// Which language a person gets when they have not said.
public enum LanguagePreference {
    /// Only the variables that choose a language, read one by one (not a copy of the whole environment), for callers
    /// that ask often.
    public static func variables() -> [String: String] {
        var found: [String: String] = [:]
        for name in ["KELAS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = getenv(name) { found[name] = String(cString: value) }
        }
        return found
    }

    /// `KELAS_LANG` (id or en), else the terminal's locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: `id_ID.UTF-8` is
    /// Indonesian), else English. An unknown `KELAS_LANG` is an error naming it.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Language {
        if let chosen = environment["KELAS_LANG"], !chosen.isEmpty {
            guard let language = Language(rawValue: chosen.lowercased()) else { throw UnknownLanguage(text: chosen, source: "KELAS_LANG") }
            return language
        }
        for variable in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[variable], !value.isEmpty else { continue }
            return value.lowercased().hasPrefix("id") || value.lowercased().hasPrefix("in_") ? .id : .en
        }
        return .en
    }

    /// The first of Indonesian and English a browser's `Accept-Language` asks for, by its q-values; nil when it asks
    /// for neither.
    public static func fromAcceptLanguage(_ header: String?) -> Language? {
        guard let header else { return nil }
        var best: (language: Language, q: Double)?
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = fields.first else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            let language: Language? = primary == "id" || primary == "in" ? .id : primary == "en" ? .en : nil
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if let language, q > 0, q > (best?.q ?? 0) { best = (language, q) }
        }
        return best?.language
    }
}

/// `--lang` or `KELAS_LANG` named a language Kelas does not have.
public struct UnknownLanguage: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var source: String
    public var description: String { "\(source) is `\(text)`: Kelas speaks id (Bahasa Indonesia) and en (English)" }
}
