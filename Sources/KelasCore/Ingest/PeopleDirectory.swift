import Foundation

/// The people of a batch, for recognising them where a chat export names them: as an author, or in an @-mention.
public struct PeopleDirectory: Sendable {
    public enum Role: String, Sendable, Hashable { case participant, trainer, admin }

    public struct Person: Sendable, Hashable {
        public var phone: PhoneNumber
        public var name: String
        public var alias: String?
        public var role: Role

        public init(phone: PhoneNumber, name: String, alias: String? = nil, role: Role) {
            self.phone = phone
            self.name = name
            self.alias = alias
            self.role = role
        }
    }

    public let people: [Person]
    private let byPhone: [PhoneNumber: Person]
    /// Normalised name or alias → people with it (more than one: ambiguous, matched by nobody).
    private let byName: [String: [Person]]
    /// The person the export calls "You" / "Anda": whoever exported the chat, when the caller says who.
    public var me: Person?

    public init(_ people: [Person], me: Person? = nil) {
        self.people = people
        self.me = me
        var byPhone: [PhoneNumber: Person] = [:]
        var byName: [String: [Person]] = [:]
        for person in people {
            byPhone[person.phone] = byPhone[person.phone] ?? person
            for name in [person.name, person.alias].compactMap({ $0 }).map(Self.normalise) where !name.isEmpty {
                if !(byName[name]?.contains(person) ?? false) { byName[name, default: []].append(person) }
            }
        }
        self.byPhone = byPhone
        self.byName = byName
    }

    public static func batch(_ batch: Batch) -> PeopleDirectory {
        PeopleDirectory(batch.participants.map { Person(phone: $0.phone, name: $0.name, alias: $0.alias, role: .participant) }
            + batch.trainers.map { Person(phone: $0.phone, name: $0.name, alias: $0.alias, role: .trainer) }
            + [Person(phone: batch.admin.phone, name: batch.admin.name, alias: batch.admin.alias, role: .admin)])
    }

    /// The export's own words for the person who exported it.
    public static let selfNames: Set<String> = ["you", "anda", "kamu"]

    /// The person an export author names: a phone number in any formatting, a name or an alias (case and spacing
    /// ignored, WhatsApp's `~` for non-contacts dropped), or "You" when `me` is known.
    public func match(author: String) -> Person? {
        let name = Self.normalise(author)
        if Self.selfNames.contains(name) { return me }
        if name.first.map({ $0 == "+" || $0.isNumber }) ?? false, case .success(let phone) = PhoneNumber.parse(name) {
            return byPhone[phone]
        }
        if let found = byName[name], found.count == 1 { return found.first }
        return nil
    }

    /// A person by phone number, name or alias, for `--me`.
    public func find(_ text: String) -> Person? {
        if case .success(let phone) = PhoneNumber.parse(text), let person = byPhone[phone] { return person }
        return match(author: text)
    }

    /// The people a text @-mentions: `@6281234567111` (how exports write mentions) or `@Name` / `@alias`.
    public func mentions(in text: String) -> [PhoneNumber] {
        guard text.contains("@") else { return [] }
        var found: [PhoneNumber] = []
        var rest = Substring(text)
        while let at = rest.firstIndex(of: "@") {
            let after = rest[rest.index(after: at)...]
            if let (phone, length) = PhoneNumber.mentioned(at: after), byPhone[phone] != nil {
                found.append(phone)
                rest = after.dropFirst(length)
                continue
            }
            // The longest name or alias the text continues with.
            let lowered = Self.normalise(String(after.prefix(80)))
            var best: (length: Int, phone: PhoneNumber)?
            for (name, people) in byName where people.count == 1 && lowered.hasPrefix(name) {
                let next = lowered.dropFirst(name.count).first
                if next.map({ !$0.isLetter && !$0.isNumber }) ?? true, name.count > (best?.length ?? 0), let person = people.first {
                    best = (name.count, person.phone)
                }
            }
            if let best { found.append(best.phone) }
            rest = after
        }
        var seen = Set<PhoneNumber>()
        return found.filter { seen.insert($0).inserted }
    }

    /// Lower case, single spaces, no invisible marks or WhatsApp's `~ ` prefix.
    static func normalise(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{200E}", "\u{200F}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{2068}", "\u{2069}", "\u{FEFF}": continue
            case " ", "\t", "\u{00A0}", "\u{202F}":
                pendingSpace = !result.isEmpty
            default:
                if pendingSpace { result.append(" "); pendingSpace = false }
                result.unicodeScalars.append(scalar)
            }
        }
        if result.hasPrefix("~") { result = String(result.dropFirst()).trimmingCharacters(in: .whitespaces) }
        return result.lowercased()
    }
}

extension PhoneNumber {
    /// The number a mention starts with, after its `@`: `6281234567111` or `+6281234567111` (how WhatsApp writes a
    /// mention into a message's text), and how many characters it takes.
    static func mentioned(at text: Substring) -> (phone: PhoneNumber, length: Int)? {
        let digits = text.prefix { $0.isNumber || $0 == "+" }
        guard digits.count >= 8, case .success(let phone) = PhoneNumber.parse(digits.first == "+" ? String(digits) : "+" + digits) else {
            return nil
        }
        return (phone, digits.count)
    }

    /// Every number a text @-mentions, once each, in order.
    public static func mentions(in text: String) -> [PhoneNumber] {
        guard text.contains("@") else { return [] }
        var found: [PhoneNumber] = []
        var rest = Substring(text)
        while let at = rest.firstIndex(of: "@") {
            rest = rest[rest.index(after: at)...]
            if let (phone, length) = mentioned(at: rest), !found.contains(phone) {
                found.append(phone)
                rest = rest.dropFirst(length)
            }
        }
        return found
    }
}
