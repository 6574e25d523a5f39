import Foundation

/// A participant's message counted for a survey prompt (by the tracker: it quotes the survey, or came while it was
/// the open prompt).
public struct SurveyReply: Sendable, Hashable {
    public var messageID: String
    public var at: Date
    public var text: String?
    public var isVoice: Bool

    public init(messageID: String, at: Date, text: String?, isVoice: Bool) {
        self.messageID = messageID
        self.at = at
        self.text = text
        self.isVoice = isVoice
    }
}

/// What needs a person: a reply the parser could not read with confidence, or a voice note (answers by voice are typed
/// by a trainer with `kelas results set`).
public struct ReviewItem: Sendable, Hashable, Codable {
    public var messageID: String
    public var at: Date
    /// The raw text (nil for a voice note).
    public var text: String?
    public var reason: String
}

/// One participant's answers to one survey: read from their replies, with what a trainer typed taking precedence.
public struct SurveyReading: Sendable, Hashable {
    /// Statement → option.
    public var answers: [Int: Int]
    public var score: Instrument.Score?
    /// Replies that need a person; empty once a trainer has typed the answers.
    public var review: [ReviewItem]
    /// `whatsapp`, `trainer` or `form` (typed answers, by where they came from), or both joined with `+`.
    public var source: String

    /// Reads `replies` (in time order) with the instrument's parser: each message in turn, a bare sequence continuing
    /// where the previous message stopped. A reply read without confidence, or a voice note, goes to review and does not
    /// count; `typed` (statement → option, from `kelas results set`) overrides the replies and settles the review.
    /// `parser`: the instrument's, when the caller reads many participants' replies (made once, not per reading).
    public static func read(_ instrument: Instrument, replies: [SurveyReply], typed: [Int: Int] = [:],
                            typedSource: String = "trainer", parser: AnswerParser? = nil) -> SurveyReading {
        let parser = parser ?? instrument.parser
        var parts: [ParsedAnswers] = []
        var review: [ReviewItem] = []
        var answered = 0
        for reply in replies.sorted(by: { ($0.at, $0.messageID) < ($1.at, $1.messageID) }) {
            if reply.isVoice {
                review.append(ReviewItem(messageID: reply.messageID, at: reply.at, text: nil,
                                         reason: "a voice note: type its answers with `kelas results set`"))
                continue
            }
            guard let text = reply.text, !text.isEmpty else { continue }
            let parsed = parser.parse(text, startingAt: answered)
            // A reading that needs a person does not count until one has looked (and typed the answers).
            if parsed.needsReview {
                review.append(ReviewItem(messageID: reply.messageID, at: reply.at, text: text,
                                         reason: parsed.doubts.isEmpty ? "not read with confidence" : parsed.doubts.joined(separator: "; ")))
                continue
            }
            parts.append(parsed)
            answered = max(answered, (parsed.answers.keys.max() ?? -1) + 1)
        }
        var answers = AnswerParser.merge(parts).answers
        let fromReplies = !answers.isEmpty
        for (statement, option) in typed { answers[statement] = option }
        if !typed.isEmpty { review = [] }
        let source = typed.isEmpty ? "whatsapp" : (fromReplies ? "whatsapp+" + typedSource : typedSource)
        return SurveyReading(answers: answers, score: instrument.score(answers), review: review, source: source)
    }
}

extension Instrument {
    /// Reads answers a trainer typed: `1=S 2=TS 3=R`, or any form the reply parser reads. Nil, with why, when it is not
    /// a clean reading.
    public func typedAnswers(_ text: String) -> Result<[Int: Int], ParseProblem> {
        let parsed = parser.parse(text)
        guard !parsed.answers.isEmpty else { return .failure(ParseProblem(text: text, doubts: parsed.doubts)) }
        guard !parsed.needsReview else { return .failure(ParseProblem(text: text, doubts: parsed.doubts)) }
        return .success(parsed.answers)
    }

    public struct ParseProblem: Error, Sendable, CustomStringConvertible {
        public var text: String
        public var doubts: [String]
        /// Why the answers cannot be read, in the reader's language (the doubts as the reader found them).
        public var phrase: Phrase {
            doubts.isEmpty ? Phrase("answers.unreadable", ["text": text])
                : Phrase("answers.unreadableWhy", ["text": text, "doubts": doubts.joined(separator: "; ")])
        }

        public var description: String { phrase.description }
    }
}
