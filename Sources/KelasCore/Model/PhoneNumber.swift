import Foundation

/// A phone number in E.164 form (`+6281234567001`), the key by which Kelas knows a person.
public struct PhoneNumber: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// `+` followed by the country code and the subscriber number, digits only.
    public let e164: String

    /// Why a written number could not be read.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case invalidCharacter(Character)
        case missingCountryCode
        case wrongLength(digits: Int)
        case notAnIndonesianMobile

        /// What is wrong, in the reader's language.
        public var phrase: Phrase {
            switch self {
            case .empty: Phrase("phone.empty")
            case .invalidCharacter(let character): Phrase("phone.character", ["character": String(character)])
            case .missingCountryCode: Phrase("phone.countryCode")
            case .wrongLength(let digits): Phrase("phone.length", ["digits": String(digits)])
            case .notAnIndonesianMobile: Phrase("phone.notMobile")
            }
        }

        public var description: String { phrase.description }
    }

    /// Reads a number as people write it: `+62 812-3456-7001`, `0812 3456 7001`, `62812…`, `(0812) 3456.7001`.
    ///
    /// A leading `0` is Indonesia's trunk prefix and becomes `+62`; spaces, dashes, dots and brackets are ignored.
    public static func parse(_ text: String) -> Result<PhoneNumber, Problem> {
        var digits = ""
        var hasPlus = false
        for (offset, character) in text.trimmingCharacters(in: .whitespaces).enumerated() {
            switch character {
            case "0"..."9": digits.append(character)
            case "+" where offset == 0: hasPlus = true
            case " ", "-", ".", "(", ")", "\u{00A0}": continue
            default: return .failure(.invalidCharacter(character))
            }
        }
        if digits.isEmpty { return .failure(.empty) }
        if !hasPlus {
            if digits.hasPrefix("0") {
                digits = "62" + digits.dropFirst()
            } else if !digits.hasPrefix("62") {
                return .failure(.missingCountryCode)
            }
        }
        if digits.hasPrefix("62") {
            let national = digits.dropFirst(2)
            guard national.first == "8" else { return .failure(.notAnIndonesianMobile) }
            // Indonesian mobile numbers have 9 to 12 digits after the country code.
            guard (9...12).contains(national.count) else { return .failure(.wrongLength(digits: digits.count)) }
        } else if !(8...15).contains(digits.count) {
            return .failure(.wrongLength(digits: digits.count))
        }
        return .success(PhoneNumber(e164: "+" + digits))
    }

    public init(e164: String) {
        self.e164 = e164
    }

    public var description: String { e164 }

    /// The digits alone, as WhatsApp uses them in `wa_id`.
    public var digits: Substring { e164.dropFirst() }

    public static func < (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool { lhs.e164 < rhs.e164 }

    public init(from decoder: any Decoder) throws {
        e164 = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}


extension PhoneNumber {
    /// The number as pages show a participant's: the country code, the first three digits and the last four,
    /// the middle hidden (`+62 812-****-7001`).
    public var masked: String {
        let digits = Array(self.digits)
        let codeLength = ["1", "7"].contains(String(digits.prefix(1))) ? 1 : 2
        guard digits.count >= codeLength + 7 else { return "+" + String(digits.prefix(codeLength)) + " ****" }
        let code = String(digits.prefix(codeLength)), rest = digits.dropFirst(codeLength)
        return "+\(code) \(String(rest.prefix(3)))-****-\(String(rest.suffix(4)))"
    }
}
