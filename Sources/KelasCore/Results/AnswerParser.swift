import Foundation

/// One answer option of a survey instrument: its score, its label, and the words, letters and digits that select it.
public struct AnswerOption: Sendable, Hashable, Codable {
    public var score: Int
    public var label: LocalizedText
    /// Lower-case words and abbreviations that mean this option (`setuju`, `s`, `agree`, `a`…), longest first when
    /// matched, so `tidak setuju` wins over `setuju`.
    public var words: [String]

    public init(score: Int, label: LocalizedText, words: [String]) {
        self.score = score
        self.label = label
        self.words = words.map { AnswerParser.normalise($0) }
    }
}

/// What a reply to a survey said: the option chosen for each statement it answered, and how sure the reading is.
public struct ParsedAnswers: Sendable, Hashable {
    /// Statement index (0-based) → option index (0-based in the instrument's options).
    public var answers: [Int: Int] = [:]
    /// 1 when every part of the text was read as an answer to a known statement; lower for guesses (a misspelling),
    /// leftovers the parser could not place, or answers out of range. Below `AnswerParser.reviewBelow` a person looks.
    public var confidence: Double = 0
    /// What made the reading unsure, for the review queue.
    public var doubts: [String] = []

    public init(answers: [Int: Int] = [:], confidence: Double = 0, doubts: [String] = []) {
        self.answers = answers
        self.confidence = confidence
        self.doubts = doubts
    }

    public var needsReview: Bool { confidence < AnswerParser.reviewBelow }
}

/// Reads survey answers from WhatsApp text: numbered lines (`1. setuju`, `2 TS`, `3) ragu`, `1=S 2=TS`), one token per
/// statement in order (`S TS R S S`, `1 3 2 2 1`, `a c b`), and the options' keywords in Indonesian and English with
/// common spellings, abbreviations and one-letter typos. Pure: the same text always reads the same way.
public struct AnswerParser: Sendable {
    public let statementCount: Int
    public let options: [AnswerOption]

    /// Readings below this confidence go to the review queue.
    public static let reviewBelow = 0.8

    /// Words of five letters or more, as bytes, with their option: what a misspelling is compared against.
    private let guessable: [(bytes: [UInt8], option: Int)]

    public init(statementCount: Int, options: [AnswerOption]) {
        self.statementCount = statementCount
        self.options = options
        guessable = options.enumerated().flatMap { index, option in
            option.words.filter { $0.count >= 5 }.map { (Array($0.utf8), index) }
        }
    }

    /// Lower case, diacritics and WhatsApp's `*bold*` / `_italic_` marks removed, runs of spaces folded.
    static func normalise(_ text: String) -> String {
        // Most replies are plain ASCII: bytes are enough (Foundation's folding and trimming are slow on Linux).
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            var space = false
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "~"): continue
                case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
                    if !bytes.isEmpty { space = true }
                default:
                    if space { bytes.append(0x20); space = false }
                    bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        var space = false
        for character in folded {
            if character == "*" || character == "_" || character == "~" { continue }
            if character.isWhitespace {
                if !result.isEmpty { space = true }
            } else {
                if space { result.append(" "); space = false }
                result.append(character)
            }
        }
        return result
    }

    /// `text` without the punctuation around a word (`setuju.`, `(ts)`, `"ya"`).
    static func stripPunctuation(_ text: String) -> String {
        let marks: StaticString = ".,;:!?()[]\"' "
        // An ASCII token (most are) is trimmed by its bytes; any other by its characters.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            let utf8 = text.utf8
            guard let first = utf8.firstIndex(where: { !$0.isOneOf(marks) }), let last = utf8.lastIndex(where: { !$0.isOneOf(marks) }) else {
                return ""
            }
            return first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) ? text : String(text[first...last])
        }
        guard let first = text.firstIndex(where: { !$0.isOneOf(marks) }), let last = text.lastIndex(where: { !$0.isOneOf(marks) }) else { return "" }
        return String(text[first...last])
    }

    /// An option named by `token` (a word, abbreviation, letter or digit), and whether it was a guess (a typo).
    func option(for token: String, allowGuess: Bool = true) -> (index: Int, guessed: Bool)? {
        let token = Self.stripPunctuation(Self.normalise(token))
        guard !token.isEmpty else { return nil }
        for (index, option) in options.enumerated() where option.words.contains(token) { return (index, false) }
        // A letter or a digit by position: a/b/c, 1/2/3.
        if token.count == 1, let scalar = token.unicodeScalars.first {
            if let digit = Int(token), (1...options.count).contains(digit) { return (digit - 1, false) }
            let letter = Int(scalar.value) - 97
            if (0..<options.count).contains(letter) { return (letter, false) }
        }
        // One slip of the thumb in a word of five letters or more (`stuju`, `setujui` is not one: two edits).
        if allowGuess, token.utf8.count >= 4 {
            let bytes = Array(token.utf8)
            var close = Set<Int>()
            for candidate in guessable where abs(candidate.bytes.count - bytes.count) <= 1 && Self.withinOneEdit(candidate.bytes, bytes) {
                close.insert(candidate.option)
            }
            if close.count == 1, let index = close.first { return (index, true) }
        }
        return nil
    }

    /// Reads one message. `startingAt` is the statement a bare sequence starts at (after earlier messages answered some).
    public func parse(_ text: String, startingAt start: Int = 0) -> ParsedAnswers {
        let lines: [String] = text.split(whereSeparator: \.isNewline).map { Self.normalise(String($0)) }.filter { !$0.isEmpty }
        var result = ParsedAnswers()
        guard !lines.isEmpty else { result.doubts.append("empty"); return result }
        var understood = 0, pieces = 0, guesses = 0
        // Numbered answers anywhere: `1. setuju 2. TS`, one per line or several on a line.
        let numbered = Self.numberedPieces(in: lines)
        if !numbered.isEmpty {
            for (number, answer) in numbered {
                pieces += 1
                guard (1...max(statementCount, 1)).contains(number) else {
                    result.doubts.append("statement \(number) does not exist (there are \(statementCount))")
                    continue
                }
                guard let found = option(for: answer) else {
                    result.doubts.append("`\(answer)` for statement \(number) is none of the answers")
                    continue
                }
                if let earlier = result.answers[number - 1], earlier != found.index {
                    result.doubts.append("statement \(number) answered twice, differently")
                }
                result.answers[number - 1] = found.index
                understood += 1
                if found.guessed { guesses += 1 }
            }
        } else {
            // A sequence: one answer per statement, in order; multi-word answers (`tidak setuju`) read as one.
            let words = lines.joined(separator: " ").split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" || $0 == "/" || $0 == "|" })
                .map(String.init)
            var index = 0
            var position = start
            while index < words.count {
                pieces += 1
                // Longest phrase first: up to three words.
                // Exact words first, longest phrase first; only then a misspelling (the edit distance is the slow part).
                var matched: (index: Int, guessed: Bool, length: Int)?
                search: for allowGuess in [false, true] {
                    for length in stride(from: min(3, words.count - index), through: 1, by: -1) {
                        let phrase = words[index..<(index + length)].joined(separator: " ")
                        if let found = option(for: phrase, allowGuess: allowGuess) {
                            matched = (found.index, found.guessed, length)
                            break search
                        }
                    }
                }
                guard let matched else {
                    // An unreadable word still stands for its statement: the answers after it keep their places.
                    result.doubts.append("`\(words[index])` is none of the answers")
                    index += 1
                    position += 1
                    continue
                }
                index += matched.length
                if position >= statementCount {
                    result.doubts.append("more answers than the \(statementCount) statements")
                    continue
                }
                result.answers[position] = matched.index
                position += 1
                understood += 1
                if matched.guessed { guesses += 1 }
            }
        }
        guard pieces > 0 else { return result }
        // Every piece understood and no guess: sure. Each doubt or guess takes a share off.
        let share = Double(understood) / Double(pieces)
        // A misspelling is read, but a person confirms it: one guess puts the reading below the review line.
        result.confidence = max(0, share - 0.25 * Double(guesses + result.doubts.count))
        if guesses > 0 { result.doubts.append("\(guesses) answer\(guesses == 1 ? "" : "s") read from a misspelling") }
        return result
    }

    /// `(number, answer)` pairs of numbered answers: a number at the start of a line or after a space, followed by
    /// `.`, `)`, `:`, `=`, `-` or a space, then the answer up to the next such number.
    static func numberedPieces(in lines: [String]) -> [(Int, String)] {
        var pieces: [(Int, String)] = []
        for line in lines {
            // Most replies are ASCII: their bytes are their characters, without grapheme breaking.
            if line.utf8.allSatisfy({ $0 < 0x80 }) {
                numberedPieces(Array(line.utf8), hasEquals: line.utf8.contains(UInt8(ascii: "=")), into: &pieces)
            } else {
                numberedPieces(Array(line), hasEquals: line.contains("="), into: &pieces)
            }
        }
        return pieces
    }

    private static func numberedPieces<Glyph: AnswerGlyph>(_ characters: [Glyph], hasEquals: Bool, into pieces: inout [(Int, String)]) {
        var starts: [(number: Int, answerStart: Int, numberStart: Int)] = []
        var index = 0
        while index < characters.count {
            let atBoundary = index == 0 || characters[index - 1].isOneOf(" ,")
            if atBoundary, characters[index].isASCIIDigit {
                var end = index
                while end < characters.count, characters[end].isASCIIDigit { end += 1 }
                var after = end
                var hadSeparator = false
                while after < characters.count, characters[after].isOneOf(".):=-") { after += 1; hadSeparator = true }
                let spaced = after < characters.count && characters[after].isOneOf(" ")
                while after < characters.count, characters[after].isOneOf(" ") { after += 1 }
                // A number then a letter-led answer: `1. setuju`, `2 TS`, `3)ragu`; a bare digit list is a sequence.
                if after < characters.count, characters[after].isLetterGlyph, hadSeparator || spaced, end - index <= 2,
                   let number = Int(Glyph.text(characters[index..<end])) {
                    starts.append((number, after, index))
                    index = after
                    continue
                }
                if hadSeparator, after < characters.count, characters[after].isNumberGlyph, end - index <= 2,
                   let number = Int(Glyph.text(characters[index..<end])), hasEquals {
                    // `1=3 2=1`: numbered, answered by option digit.
                    starts.append((number, after, index))
                    index = after
                    continue
                }
                index = end
                continue
            }
            index += 1
        }
        for (position, start) in starts.enumerated() {
            var end = position + 1 < starts.count ? starts[position + 1].numberStart : characters.count
            var from = start.answerStart
            while from < end, characters[from].isOneOf(" ,;") { from += 1 }
            while end > from, characters[end - 1].isOneOf(" ,;") { end -= 1 }
            pieces.append((start.number, Glyph.text(characters[from..<end])))
        }
    }

    /// Whether `a` and `b` differ by at most one insertion, deletion or substitution.
    static func withinOneEdit(_ a: String, _ b: String) -> Bool {
        withinOneEdit(Array(a.utf8), Array(b.utf8))
    }

    static func withinOneEdit(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        if abs(x.count - y.count) > 1 { return false }
        var i = 0, j = 0, edits = 0
        while i < x.count && j < y.count {
            if x[i] == y[j] { i += 1; j += 1; continue }
            edits += 1
            if edits > 1 { return false }
            if x.count > y.count { i += 1 } else if x.count < y.count { j += 1 } else { i += 1; j += 1 }
        }
        edits += (x.count - i) + (y.count - j)
        return edits <= 1
    }

    /// Merges the readings of several messages of one participant to one survey, in the order they came: a later
    /// answer to the same statement replaces the earlier; the confidence is the lowest of the parts.
    public static func merge(_ parts: [ParsedAnswers]) -> ParsedAnswers {
        var merged = ParsedAnswers(confidence: parts.isEmpty ? 0 : 1)
        for part in parts {
            for (statement, option) in part.answers { merged.answers[statement] = option }
            merged.confidence = min(merged.confidence, part.confidence)
            merged.doubts += part.doubts
        }
        return merged
    }
}

/// What the answer parser asks of one unit of a reply's text: a byte of an ASCII reply, or a character of any other.
protocol AnswerGlyph: Equatable {
    var isASCIIDigit: Bool { get }
    var isNumberGlyph: Bool { get }
    var isLetterGlyph: Bool { get }
    /// Is one of the (ASCII) characters of `set`.
    func isOneOf(_ set: StaticString) -> Bool
    static func text(_ glyphs: ArraySlice<Self>) -> String
}

extension UInt8: AnswerGlyph {
    var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isNumberGlyph: Bool { isASCIIDigit }
    var isLetterGlyph: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }
    func isOneOf(_ set: StaticString) -> Bool {
        UnsafeBufferPointer(start: set.utf8Start, count: set.utf8CodeUnitCount).contains(self)
    }
    static func text(_ glyphs: ArraySlice<UInt8>) -> String { String(decoding: glyphs, as: UTF8.self) }
}

extension Character: AnswerGlyph {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isNumberGlyph: Bool { isNumber }
    var isLetterGlyph: Bool { isLetter }
    func isOneOf(_ set: StaticString) -> Bool {
        guard let ascii = asciiValue else { return false }
        return ascii.isOneOf(set)
    }
    static func text(_ glyphs: ArraySlice<Character>) -> String { String(glyphs) }
}
