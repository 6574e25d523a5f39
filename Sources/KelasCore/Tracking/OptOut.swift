import Foundation

/// The words that opt a participant out of (or back into) a batch's messages: a message that is only one of them.
/// WhatsApp's business policy asks senders to say how to stop and to honour it; the defaults add the Indonesian words.
public struct OptOutWords: Sendable, Hashable, Codable {
    public var stop: [String]
    public var start: [String]

    public static let `default` = OptOutWords(stop: ["STOP", "BERHENTI", "KELUAR", "UNSUBSCRIBE"], start: ["MULAI", "START"])

    public init(stop: [String], start: [String]) {
        self.stop = stop.map(Self.normalise)
        self.start = start.map(Self.normalise)
    }

    /// Upper case, without surrounding spaces and punctuation: `  stop! ` → `STOP`.
    static func normalise(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).uppercased()
    }

    /// True when `text` opts out, false when it opts back in, nil when it is neither (anything else written).
    public func meaning(of text: String?) -> Bool? {
        guard let text, text.utf8.count <= 40 else { return nil }
        let word = Self.normalise(text)
        if stop.contains(word) { return true }
        if start.contains(word) { return false }
        return nil
    }
}

/// Whether a participant is opted out now, and since when and how (`wrote STOP`, `kelas optout add`).
public struct OptOutState: Sendable, Hashable {
    public var phone: PhoneNumber
    public var at: Date
    public var how: String

    public init(phone: PhoneNumber, at: Date, how: String) {
        self.phone = phone
        self.at = at
        self.how = how
    }

    /// The opt-outs in force after `events` (each: who, when, out or back in, how), the latest per person deciding.
    public static func current(_ events: [(phone: PhoneNumber, at: Date, out: Bool, how: String)]) -> [PhoneNumber: OptOutState] {
        var states: [PhoneNumber: OptOutState] = [:]
        for event in events.sorted(by: { $0.at < $1.at }) {
            states[event.phone] = event.out ? OptOutState(phone: event.phone, at: event.at, how: event.how) : nil
        }
        return states
    }
}
