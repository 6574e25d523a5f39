import Foundation

/// An approved WhatsApp message template, as a curriculum item or a batch names it: the only kind of message the
/// Cloud API delivers to someone who has not written in the last 24 hours.
///
/// `params` fill the template's body variables `{{1}}`, `{{2}}`, … in order; each may use Kelas's own placeholders
/// (`{{name}}`, `{{date}}`, …), filled per recipient when the plan is made.
public struct MessageTemplate: Sendable, Hashable, Codable {
    /// The template's name as approved in the WhatsApp Manager (`kelas_sesi_1`).
    public var name: String
    /// Its language code as approved (`id`, `en`, `en_US`).
    public var language: String
    public var params: [String]

    public init(name: String, language: String, params: [String] = []) {
        self.name = name
        self.language = language
        self.params = params
    }

    /// Template names WhatsApp accepts: lower-case letters, digits and underscores, at most 512 characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 512 && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }

    /// Language codes as WhatsApp writes them: `id`, `en`, `pt_BR`, `en_US`.
    public static func isValidLanguage(_ code: String) -> Bool {
        let parts = code.split(separator: "_", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLowercase }) else { return false }
        if parts.count == 1 { return true }
        return parts.count == 2 && parts[1].count == 2 && parts[1].allSatisfy { $0.isASCII && $0.isUppercase }
    }
}

/// A template as it goes to one recipient: its parameters filled in.
public struct PlannedTemplate: Sendable, Hashable, Codable {
    public var name: String
    public var language: String
    public var parameters: [String]
    /// The batch's re-engagement template (`delivery.template`): it asks the person to write back, and the message
    /// itself waits until they do. An item's own template (false) carries the message.
    public var reengagement: Bool

    public init(name: String, language: String, parameters: [String], reengagement: Bool = false) {
        self.name = name
        self.language = language
        self.parameters = parameters
        self.reengagement = reengagement
    }

    /// `kelas_sesi_1 (id): Budi · Selasa, 6 Juli 2021`, for plans and the outbox.
    public var summary: String {
        "\(name) (\(language))" + (parameters.isEmpty ? "" : ": " + parameters.joined(separator: " · "))
    }
}

/// How a fan-out message will reach its recipient given the 24-hour window (`kelas plan`, the dispatcher).
public enum WindowRoute: String, Sendable, Hashable, Codable {
    /// The window is open: the message goes as written.
    case freeForm = "free-form"
    /// The window is closed: the item's approved template goes instead.
    case template
    /// The window is closed: the batch's re-engagement template goes first; the message waits for a reply.
    case reengage
    /// The window is closed and no template is configured: the Cloud API will refuse it (error 131047).
    case blocked

    /// Decides the route: the window is open when the person wrote within 24 h before `instant` and after the
    /// last time the Cloud API said it was closed.
    public static func decide(template: PlannedTemplate?, lastInbound: Date?, closedAt: Date?, at instant: Date) -> WindowRoute {
        if isOpen(lastInbound: lastInbound, closedAt: closedAt, at: instant) { return .freeForm }
        guard let template else { return .blocked }
        return template.reengagement ? .reengage : .template
    }

    public static func isOpen(lastInbound: Date?, closedAt: Date?, at instant: Date) -> Bool {
        guard let last = lastInbound, instant.timeIntervalSince(last) <= Planner.conversationWindow else { return false }
        if let closedAt, closedAt >= last { return false }
        return true
    }
}
