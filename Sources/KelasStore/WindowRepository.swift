import Foundation
import GRDB
import KelasCore

/// What the store knows of one person's 24-hour window with the business number.
public struct ConversationWindow: Sendable, Equatable {
    /// The last message they wrote 1:1 (a Cloud API webhook; never a group post or a chat-export line).
    public var lastInbound: Date?
    /// The last time the Cloud API answered 131047 for them.
    public var closedAt: Date?

    public init(lastInbound: Date? = nil, closedAt: Date? = nil) {
        self.lastInbound = lastInbound
        self.closedAt = closedAt
    }

}

extension KelasDatabase {
    /// One person's window as the stored messages tell it, up to `now`.
    public func conversationWindow(phone: PhoneNumber, now: Date) throws -> ConversationWindow {
        try writer.read { db in try Self.windows(db, phones: [phone], now: now)[phone] ?? ConversationWindow() }
    }

    /// The windows of a batch's participants, up to `now`: what `kelas plan` shows the route of each message from.
    public func conversationWindows(batchID: String, now: Date) throws -> [PhoneNumber: ConversationWindow] {
        try writer.read { db in
            let phones = try String.fetchAll(db.cachedStatement(sql: "SELECT phone FROM person WHERE batchID = ? AND role = 'participant'"), arguments: [batchID])
            return try Self.windows(db, phones: phones.map(PhoneNumber.init(e164:)), now: now)
        }
    }

    /// The windows of any numbers (a batch file not yet added names its participants).
    public func conversationWindows(phones: [PhoneNumber], now: Date) throws -> [PhoneNumber: ConversationWindow] {
        try writer.read { db in try Self.windows(db, phones: phones, now: now) }
    }

    /// When a number last wrote on its own (not in a group, not in a chat export: no id starting "chat:") by a moment:
    /// read by the partial index `inboundMessage_phone`, whose condition is this query's own (v18).
    static let lastInboundSQL = """
        SELECT MAX(sentAt) FROM inboundMessage WHERE phone = ? AND groupID IS NULL AND (id < 'chat:' OR id >= 'chat;') AND sentAt <= ?
        """

    static func windows(_ db: Database, phones: [PhoneNumber], now: Date) throws -> [PhoneNumber: ConversationWindow] {
        var windows: [PhoneNumber: ConversationWindow] = [:]
        let last = try db.cachedStatement(sql: lastInboundSQL)
        let closed = try db.cachedStatement(sql: "SELECT at FROM windowClosed WHERE phone = ?")
        for phone in phones {
            let window = ConversationWindow(
                lastInbound: try Double.fetchOne(last, arguments: [phone.e164, now.timeIntervalSince1970]).map(Date.init(timeIntervalSince1970:)),
                closedAt: try Double.fetchOne(closed, arguments: [phone.e164]).map(Date.init(timeIntervalSince1970:)))
            if window.lastInbound != nil || window.closedAt != nil { windows[phone] = window }
        }
        return windows
    }

    /// Records that the Cloud API said `phone`'s window is closed (error 131047) at `at`.
    public func closeWindow(phone: PhoneNumber, at: Date) throws {
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO windowClosed (phone, at) VALUES (?, ?) ON CONFLICT(phone) DO UPDATE SET at = MAX(at, excluded.at)
                """, arguments: [phone.e164, at.timeIntervalSince1970])
        }
    }

    /// The item key of the re-engagement templates the dispatcher adds to the outbox.
    public static let reengagementItem = "reengage"

    /// Queues the batch's re-engagement template for `message`'s recipient, due now — unless one was already queued or
    /// sent to them since `since` (their last message, or the last time the window was seen closed): one knock per
    /// closed window, however many messages wait behind it. Returns when the knock was queued (now, or earlier).
    public func requestReengagement(for message: PlannedMessage, template: PlannedTemplate, since: Date, now: Date,
                                    zone: TimeZone) throws -> Date {
        try writer.write { db in
            guard case .participant(let phone) = message.audience else { return now }
            if let earlier = try Double.fetchOne(db.cachedStatement(sql: """
                SELECT MAX(o.dueAt) FROM outbox o JOIN plannedMessage m ON m.id = o.messageID
                WHERE o.batchID = ? AND m.itemKey = ? AND m.audience = ? AND o.dueAt >= ?
                """), arguments: [message.batchID, Self.reengagementItem, message.audience.description, since.timeIntervalSince1970.rounded(.down)]) {
                return Date(timeIntervalSince1970: earlier)
            }
            let seconds = Int(now.timeIntervalSince1970.rounded(.down))
            let (day, second) = KelasTimeZone.local(now, offset: zone.secondsFromGMT(for: now))
            let date = LocalDate(daysSinceEpoch: day), time = LocalTime(secondsOfDay: second)
            var knock = message
            knock.id = "\(message.batchID):\(Self.reengagementItem):\(phone.digits):\(seconds)"
            knock.itemKey = Self.reengagementItem
            knock.kind = .text
            knock.text = ""
            knock.url = nil
            knock.filename = nil
            knock.session = nil
            knock.remindsOf = nil
            knock.date = date
            knock.localTime = time
            knock.sendAt = now
            knock.flags = [.template]
            knock.template = PlannedTemplate(name: template.name, language: template.language, parameters: template.parameters,
                                             reengagement: false)
            let values = Self.values(knock)
            try db.execute(sql: "INSERT OR IGNORE INTO plannedMessage (id, " + Self.columns.joined(separator: ", ") + ") VALUES (?"
                               + String(repeating: ", ?", count: Self.columns.count) + ")",
                           arguments: StatementArguments([knock.id] + values))
            try db.execute(sql: """
                INSERT OR IGNORE INTO outbox (messageID, batchID, webhookID, dueAt, expiresAt, state, nextAttemptAt, sequence)
                VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)
                """, arguments: [knock.id, knock.batchID, "msg_" + knock.id, seconds, seconds + Self.reengagementLifetime, seconds,
                                 knock.sequence])
            return now
        }
    }

    /// How long a re-engagement template may wait for its turn before it expires.
    static let reengagementLifetime = 3600

    /// The start of the reason a message waits behind a re-engagement template (not a delivery problem: it waits for a person).
    public static let windowWaitReason = "the 24-hour window is closed: waiting for a reply"
}
