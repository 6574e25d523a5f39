/// A place in a file that a trainer wrote, 1-based like an editor shows it.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// One problem found in a trainer's files: where, what is wrong, and how to fix it.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    public var severity: Severity
    public var location: SourceLocation
    public var phrase: Phrase
    /// What the writer of the file can do about it; nil when the message says it all.
    public var fixPhrase: Phrase?

    public init(_ severity: Severity, _ location: SourceLocation, _ phrase: Phrase, fix: Phrase? = nil) {
        self.severity = severity
        self.location = location
        self.phrase = phrase
        self.fixPhrase = fix
    }

    /// A problem whose fix is the catalog's `<key>.fix` (with the same values) when the catalog has one.
    public init(_ severity: Severity, _ location: SourceLocation, _ key: String, _ values: [String: String] = [:],
                parts: [String: Phrase] = [:], fix: String? = nil) {
        let phrase = Phrase(key, values, parts: parts)
        let fixKey = fix ?? key + ".fix"
        self.init(severity, location, phrase, fix: Localizer.english.has(fixKey) ? Phrase(fixKey, values, parts: parts) : nil)
    }

    /// The message in English.
    public var message: String { Localizer.english(phrase) }
    /// The fix in English; empty when there is none.
    public var fix: String { fixPhrase.map { Localizer.english($0) } ?? "" }

    /// `file:line:column: error: message` followed by an indented `fix:` line, like a compiler, in `localizer`'s
    /// language (`kesalahan` / `perbaikan` in Indonesian).
    public func text(_ localizer: Localizer) -> String {
        var text = "\(location): \(localizer("diagnostic." + severity.rawValue)): \(localizer(phrase))"
        if let fixPhrase { text += "\n    \(localizer("diagnostic.fixLabel")): \(localizer(fixPhrase))" }
        return text
    }

    /// The problem in English.
    public var description: String { text(Localizer.english) }
}

/// Collects every problem of a load, so a trainer sees them all at once rather than one per run.
///
/// Each problem is a catalog key (its fix is `<key>.fix` when the catalog has one, or the key given as `fix:`) with
/// the values of its placeholders; it is put into words when shown, in the reader's language.
public final class DiagnosticLog {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public func error(_ location: SourceLocation, _ key: String, _ values: [String: String] = [:], parts: [String: Phrase] = [:],
                      fix: String? = nil) {
        diagnostics.append(Diagnostic(.error, location, key, values, parts: parts, fix: fix))
    }

    public func warning(_ location: SourceLocation, _ key: String, _ values: [String: String] = [:], parts: [String: Phrase] = [:],
                        fix: String? = nil) {
        diagnostics.append(Diagnostic(.warning, location, key, values, parts: parts, fix: fix))
    }

    public func error(_ location: SourceLocation, _ phrase: Phrase, fix: Phrase? = nil) {
        diagnostics.append(Diagnostic(.error, location, phrase, fix: fix))
    }

    public func append(contentsOf other: [Diagnostic]) {
        diagnostics.append(contentsOf: other)
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Diagnostics in file order, errors before warnings at the same place.
    public var sorted: [Diagnostic] {
        diagnostics.sorted { ($0.location, $0.severity) < ($1.location, $1.severity) }
    }
}

/// A load that found errors: carries all of them so the caller can print each one.
public struct ValidationFailure: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }

    /// Every problem in `localizer`'s language, one after another.
    public func text(_ localizer: Localizer) -> String {
        diagnostics.map { $0.text(localizer) }.joined(separator: "\n")
    }
}

/// The closest allowed word to a typo, for "did you mean" hints.
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let lowered = word.lowercased()
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(lowered, candidate.lowercased())
        if distance <= max(2, candidate.count / 3), best.map({ distance < $0.1 }) ?? true {
            best = (candidate, distance)
        }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// "1 call", "3 calls": a count with its noun.
public func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
