import Foundation

/// A message that reached the group or a trainer's number: from a webhook payload or a chat export.
public struct InboundMessage: Sendable, Hashable {
    /// What kind of message it is; decides whether it counts as an answer and as a voice note.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case text
        /// A recorded voice note (push-to-talk).
        case voice
        /// An audio file that is not a voice note (a forwarded song, a recording sent as a file).
        case audio
        case image
        case video
        case document
        case sticker
        /// Media of unknown type: an export made without media (`<Media omitted>`); often a voice note.
        case media
        case reaction
        /// "This message was deleted": seen in exports; never an answer.
        case deleted
        /// Anything else (location, contact card, poll, a type we do not know).
        case other

        /// A photo, video, document or other attachment (voice notes are counted apart).
        public var isMedia: Bool {
            switch self {
            case .audio, .image, .video, .document, .sticker, .media: true
            case .text, .voice, .reaction, .deleted, .other: false
            }
        }

        /// Counts as an answer to a prompt: writing, speaking, or showing (a photo of notes, a document).
        public var isAnswer: Bool {
            switch self {
            case .text, .voice, .audio, .image, .video, .document, .media: true
            case .sticker, .reaction, .deleted, .other: false
            }
        }
    }

    /// Stable across re-imports: the WhatsApp message id (`wamid…`), or a digest of an export line.
    public var id: String
    /// The sender, when their number is known (always for webhooks; for exports when the author matched).
    public var phone: PhoneNumber?
    /// The sender as the source names them: a `wa_id`, a profile name, or the export's author column.
    public var author: String
    public var sentAt: Date
    public var kind: Kind
    public var text: String?
    /// The message this one replies or reacts to (`context.id`, `reaction.message_id`).
    public var quoting: String?
    /// The WhatsApp group it was posted in, when the payload says.
    public var groupID: String?
    /// People the message @-mentions, resolved to numbers.
    public var mentions: [PhoneNumber]
    /// The sender's hidden per-group id (`…@lid`), when a gateway gave one: matched to a phone through the lid map.
    public var lid: String?
    /// From a group gateway (WAHA, Evolution API): a group message belongs only to the batch naming its group.
    public var viaGateway: Bool
    /// How long a voice note or audio runs, when the payload says (`audioMessage.seconds` from WAHA and Evolution;
    /// the Cloud API and chat exports do not).
    public var seconds: Int?

    public init(id: String, phone: PhoneNumber?, author: String, sentAt: Date, kind: Kind, text: String? = nil,
                quoting: String? = nil, groupID: String? = nil, mentions: [PhoneNumber] = [], lid: String? = nil,
                viaGateway: Bool = false, seconds: Int? = nil) {
        self.seconds = seconds
        self.lid = lid
        self.viaGateway = viaGateway
        self.id = id
        self.phone = phone
        self.author = author
        self.sentAt = sentAt
        self.kind = kind
        self.text = text
        self.quoting = quoting
        self.groupID = groupID
        self.mentions = mentions
    }
}

/// What WhatsApp reported about a message we sent.
public struct DeliveryStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        case sent, delivered, read, played, failed, deleted
    }

    /// The id of our outbound message (`wamid…`).
    public var messageID: String
    public var recipient: String
    public var state: State
    public var at: Date
    public var errorCode: Int?
    public var errorTitle: String?

    public init(messageID: String, recipient: String, state: State, at: Date, errorCode: Int? = nil, errorTitle: String? = nil) {
        self.messageID = messageID
        self.recipient = recipient
        self.state = state
        self.at = at
        self.errorCode = errorCode
        self.errorTitle = errorTitle
    }
}

/// What the acks of one sent message add up to, per recipient (a group gateway acks per participant): how many it was
/// delivered to, read by, and — a voice note — played by. Each recipient counts once, at the furthest state reported.
public struct ReadReceipts: Sendable, Hashable {
    public var delivered = 0
    public var read = 0
    public var played = 0
    public var failed = 0

    public init() {}

    public init(_ acks: [(recipient: String, state: DeliveryStatus.State)]) {
        func rank(_ state: DeliveryStatus.State) -> Int {
            switch state {
            case .failed, .deleted: -1
            case .sent: 0
            case .delivered: 1
            case .read: 2
            case .played: 3
            }
        }
        var furthest: [String: Int] = [:]
        for ack in acks { furthest[ack.recipient] = max(furthest[ack.recipient] ?? -2, rank(ack.state)) }
        for value in furthest.values {
            if value == -1 { failed += 1 }
            if value >= 1 { delivered += 1 }
            if value >= 2 { read += 1 }
            if value >= 3 { played += 1 }
        }
    }

    public var isEmpty: Bool { delivered + read + played + failed == 0 }

    /// `delivered to 23, read by 17, played by 4` (zero parts left out, except delivered).
    public var description: String {
        var parts = ["delivered to \(delivered)"]
        if read > 0 { parts.append("read by \(read)") }
        if played > 0 { parts.append("played by \(played)") }
        if failed > 0 { parts.append("failed for \(failed)") }
        return parts.joined(separator: ", ")
    }
}
