import Foundation

/// A text to be shown in the reader's language, kept as its catalog key and the values of its placeholders until
/// it is shown: problems are found once (by `kelas validate`, a page, a webhook) and read in Indonesian or English.
public struct Phrase: Sendable, Hashable, CustomStringConvertible {
    /// The catalog key; empty for a verbatim text (a YAML key, a file name) that is the same in every language.
    public var key: String
    /// Placeholders filled with text as it is (numbers, names, code).
    public var values: [String: String]
    /// Placeholders filled with another phrase, in the same language.
    public var parts: [String: Phrase]

    public init(_ key: String, _ values: [String: String] = [:], parts: [String: Phrase] = [:]) {
        self.key = key
        self.values = values
        self.parts = parts
    }

    /// A text that reads the same in every language: `` `delivery` ``, a path.
    public static func verbatim(_ text: String) -> Phrase { Phrase("", ["": text]) }

    /// `a, b, c`: the phrases one after another (nil when there are none).
    public static func list(_ phrases: [Phrase]) -> Phrase? {
        guard var joined = phrases.first else { return nil }
        for next in phrases.dropFirst() { joined = Phrase("list.comma", parts: ["first": joined, "next": next]) }
        return joined
    }

    /// `1 error` / `3 errors`: `<key>.one` or `<key>.many` with `{count}`.
    public static func count(_ count: Int, _ key: String) -> Phrase {
        Phrase(key + (count == 1 ? ".one" : ".many"), ["count": String(count)])
    }

    /// "did you mean `word`? " for the closest of `candidates` to a typo, or nothing.
    static func guess(_ word: String, in candidates: [String]) -> Phrase {
        closestMatch(to: word, in: candidates).map { Phrase("guess.didYouMean", ["word": $0]) } ?? .verbatim("")
    }

    /// The English text (for logs, test messages and `description`).
    public var description: String { Localizer.english(self) }
}

extension Localizer {
    /// The phrase in this language, its parts filled first.
    public func callAsFunction(_ phrase: Phrase) -> String {
        if phrase.key.isEmpty { return phrase.values[""] ?? "" }
        var values = phrase.values
        for (name, part) in phrase.parts { values[name] = self(part) }
        return self(phrase.key, values)
    }
}

extension Localizer {
    /// The English catalog, for `description`s and logs.
    static let english = Localizer(.en)
}
