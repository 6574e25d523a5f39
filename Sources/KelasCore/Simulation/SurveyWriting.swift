import Foundation

/// How simulated participants answer a scored survey: choices drawn from their attitude, written in the styles people
/// use on WhatsApp — numbered lines, one token per statement, digits, letters, keywords, with the odd typo, a skipped
/// statement, or the answers spread over two messages; now and then a reply that is not answers at all.
enum SurveyWriting {
    /// The option chosen for each statement: an ordered-logit draw. The participant's attitude plus the statement's ease
    /// plus logistic noise above `unsure` picks the equitable answer, below −`unsure` the inequitable one, between them
    /// the middle option. Equitable: agreeing with a reverse-keyed statement, disagreeing with the others.
    static func choose(_ instrument: Instrument, attitude: Double, scenario: Scenario, random: inout SplitMix64) -> [Int: Int] {
        let last = instrument.options.count - 1
        var answers: [Int: Int] = [:]
        for (index, statement) in instrument.statements.enumerated() {
            let ease = statement.reversed ? scenario.equitableEase : scenario.inequitableEase
            let u = min(max(random.unit(), 1e-9), 1 - 1e-9)
            let latent = attitude + ease + log(u / (1 - u))
            let equitable = statement.reversed ? 0 : last
            let inequitable = statement.reversed ? last : 0
            answers[index] = latent > scenario.unsure ? equitable : latent < -scenario.unsure ? inequitable : last / 2
        }
        return answers
    }

    enum Style: CaseIterable { case numbered, compact, tokens, digits, letters, keywords, notAnswers }

    /// The share of each style (the rest of the probability is numbered lines).
    static let styles: [(Style, Double)] = [(.compact, 0.05), (.tokens, 0.22), (.digits, 0.1), (.letters, 0.04), (.keywords, 0.14),
                                            (.notAnswers, 0.04)]

    /// One or two messages carrying `answers` (statement → option).
    static func messages(_ answers: [Int: Int], instrument: Instrument, language: Language, random: inout SplitMix64) -> [String] {
        var style = Style.numbered
        var draw = random.unit()
        for (candidate, share) in styles {
            if draw < share { style = candidate; break }
            draw -= share
        }
        if style == .notAnswers {
            return [Phrases.pick(language == .id ? Phrases.surveyID : Phrases.surveyEN, &random)]
        }
        // English speakers rarely abbreviate: tokens become keywords.
        if language == .en && style == .tokens { style = .keywords }
        var statements = answers.keys.sorted()
        // A numbered reply may skip a statement; the numbers keep the rest in place.
        if style == .numbered || style == .compact, statements.count > 2, random.chance(0.08) {
            statements.remove(at: Int(random.next() % UInt64(statements.count)))
        }
        let long = random.chance(0.5)
        var parts = statements.map { statement -> String in
            let option = answers[statement] ?? 0
            switch style {
            case .numbered:
                let separator = [". ", ") ", " ", ". ", "."][Int(random.next() % 5)]
                return "\(statement + 1)\(separator)\(word(option, instrument, language, long: long, random: &random))"
            case .compact: return "\(statement + 1)=\(short(option, instrument, language))"
            case .tokens: return short(option, instrument, language)
            case .digits: return String(option + 1)
            case .letters: return String(UnicodeScalar(UInt8(97 + option)))
            case .keywords: return word(option, instrument, language, long: true, random: &random)
            case .notAnswers: return ""
            }
        }
        if style == .tokens, random.chance(0.5) { parts = parts.map { $0.uppercased() } }
        let separator: String = switch style {
        case .numbered: "\n"
        case .keywords: ", "
        default: " "
        }
        // Some send the answers in two messages.
        if parts.count > 3, random.chance(0.15) {
            let cut = 1 + Int(random.next() % UInt64(parts.count - 1))
            return [parts[..<cut].joined(separator: separator), parts[cut...].joined(separator: separator)]
        }
        return [parts.joined(separator: separator)]
    }

    /// The option's label in the language, sometimes capitalised, now and then with one letter dropped (a typo the
    /// parser can still guess); or its short form.
    static func word(_ option: Int, _ instrument: Instrument, _ language: Language, long: Bool, random: inout SplitMix64) -> String {
        guard long else { return short(option, instrument, language) }
        var text = instrument.options[option].label[language] ?? instrument.options[option].label.variants.values.sorted().first ?? "?"
        if !text.contains(" "), !text.contains("-"), text.count >= 6, random.chance(0.02) {
            var characters = Array(text)
            characters.remove(at: 1 + Int(random.next() % UInt64(characters.count - 2)))
            text = String(characters)
        }
        return random.chance(0.3) ? text.prefix(1).uppercased() + text.dropFirst() : text
    }

    /// The option's shortest abbreviation of one or two letters (`s`, `r`, `ts`); its label when it has none, or in English.
    static func short(_ option: Int, _ instrument: Instrument, _ language: Language) -> String {
        let words = instrument.options[option].words
        if language == .id, let abbreviation = words.first(where: { $0.count <= 2 && Int($0) == nil }) { return abbreviation }
        return instrument.options[option].label[language] ?? words.first ?? "?"
    }
}
