import Crypto
import Foundation

/// Signs outbound webhooks per the Standard Webhooks specification.
///
/// The signature is `v1,` + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), where the key is the base64 part of
/// a `whsec_…` secret. A receiver recomputes it from the three headers and the raw body, compares in constant time,
/// and rejects timestamps too far from its own clock (five minutes is usual).
public struct WebhookSigner: @unchecked Sendable {
    /// The MAC with the key already taken in (its inner and outer hashes of the padded key); each signature starts
    /// from a copy, a value, so one signer signs on any thread. (`HMAC` is not marked `Sendable`; it is never
    /// changed after `init`, so sharing it is safe.)
    private let keyed: HMAC<SHA256>

    /// Why a secret cannot be used. Never contains the secret itself.
    public enum SecretProblem: Error, Equatable, CustomStringConvertible {
        case notBase64
        case empty

        public var description: String {
            switch self {
            case .notBase64: "the webhook secret is not `whsec_` followed by base64"
            case .empty: "the webhook secret is empty"
            }
        }
    }

    /// `secret`: `whsec_` + base64 key bytes (the prefix is optional).
    public init(secret: String) throws {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard !encoded.isEmpty else { throw SecretProblem.empty }
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { throw SecretProblem.notBase64 }
        keyed = HMAC<SHA256>(key: SymmetricKey(data: bytes))
    }

    /// The `webhook-signature` header value for a message.
    public func signature(id: String, timestamp: Int, body: Data) -> String {
        var mac = keyed
        mac.update(data: Data("\(id).\(timestamp).".utf8))
        mac.update(data: body)
        return "v1," + Data(mac.finalize()).base64EncodedString()
    }

    /// The three Standard Webhooks headers.
    public func headers(id: String, timestamp: Int, body: Data) -> [(String, String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature(id: id, timestamp: timestamp, body: body))]
    }

    /// Checks a received signature header (which may list several space-separated signatures) in constant time.
    public func verify(id: String, timestamp: Int, body: Data, signatureHeader: String) -> Bool {
        let expected = Array(signature(id: id, timestamp: timestamp, body: body).utf8)
        return signatureHeader.split(separator: " ").contains { candidate in
            let given = Array(candidate.utf8)
            guard given.count == expected.count else { return false }
            return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
