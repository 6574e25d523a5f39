import Foundation

/// Who a planned message goes to.
public enum Audience: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The whole WhatsApp group, as one message.
    case group
    /// One participant, 1:1.
    case participant(PhoneNumber)
    /// Those who have not yet answered the discussion with this item key (resolved when it is sent).
    case nonResponders(discussion: String)

    /// `group`, `participant:+628…` or `non-responders:<discussion>`, as it appears in JSON.
    public var description: String {
        switch self {
        case .group: "group"
        case .participant(let phone): "participant:\(phone)"
        case .nonResponders(let discussion): "non-responders:\(discussion)"
        }
    }

    public init?(_ text: String) {
        if text == "group" { self = .group; return }
        if text.hasPrefix("participant:") { self = .participant(PhoneNumber(e164: String(text.dropFirst(12)))); return }
        if text.hasPrefix("non-responders:") { self = .nonResponders(discussion: String(text.dropFirst(15))); return }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let audience = Audience(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown audience \(text)"))
        }
        self = audience
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Something a trainer should know about a planned message before it is sent.
public enum PlanFlag: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Moved later by a quiet time or the send window.
    case shifted
    /// Moved a few seconds so one person gets at most one message per 6 s (WhatsApp pair rate).
    case spaced
    /// The person's 24-hour window will be closed: the item's approved template goes instead of the free-form text.
    case template
    /// The window will be closed: the batch's re-engagement template goes first, and the message waits for a reply.
    case reengage
    /// The window will be closed and no template is configured: the Cloud API will refuse it (error 131047).
    case needsTemplate = "needs-template"
    /// Sent only to those who have not answered its discussion yet.
    case conditional

    public static func < (lhs: PlanFlag, rhs: PlanFlag) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// One message the batch will send: what, to whom, and exactly when.
public struct PlannedMessage: Sendable, Hashable {
    /// Stable across runs and edits of other items: `<batch>:d<day>:<item>` (`:<phone digits>` in fan-out).
    public var id: String
    public var batchID: String
    public var itemKey: String
    /// Order in the whole plan; messages due at the same instant go in this order.
    public var sequence: Int
    /// The curriculum day whose content this is (it may be sent on a later date when shifted past the window).
    public var day: Int
    public var date: LocalDate
    public var localTime: LocalTime
    public var sendAt: Date
    public var kind: ItemKind
    public var audience: Audience
    /// The trainer who posts it (the lead trainer of the day).
    public var sender: String?
    public var text: String
    public var url: String?
    public var filename: String?
    public var session: Int?
    public var flags: [PlanFlag]
    /// Why the message was shifted, for the dry run and validation warnings.
    public var shiftReason: Phrase?
    /// For a reminder: the discussion it reminds of. It goes only to those still silent on it, in either mode.
    public var remindsOf: String?
    /// Fan-out only: the approved template that goes when the recipient's 24-hour window is closed at send time — the
    /// item's own (it carries the message), else the batch's re-engagement template.
    public var template: PlannedTemplate?

    public init(id: String, batchID: String, itemKey: String, sequence: Int, day: Int, date: LocalDate, localTime: LocalTime,
                sendAt: Date, kind: ItemKind, audience: Audience, sender: String?, text: String, url: String?, filename: String?,
                session: Int?, flags: [PlanFlag], shiftReason: Phrase?, remindsOf: String? = nil, template: PlannedTemplate? = nil) {
        self.template = template
        self.id = id
        self.batchID = batchID
        self.itemKey = itemKey
        self.sequence = sequence
        self.day = day
        self.date = date
        self.localTime = localTime
        self.sendAt = sendAt
        self.kind = kind
        self.audience = audience
        self.sender = sender
        self.text = text
        self.url = url
        self.filename = filename
        self.session = session
        self.flags = flags
        self.shiftReason = shiftReason
        self.remindsOf = remindsOf
    }
}
