import Crypto
import Foundation

/// Signs outbound webhooks per the Standard Webhooks specification.
///
/// The signature is `v1,` + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), where the key is the base64 part of
/// a `whsec_…` secret. A receiver recomputes it from the three headers and the raw body, compares in constant time,
/// and rejects timestamps too far from its own clock (five minutes is usual).
public struct WebhookSigner: Sendable {
    /// The key bytes (`SymmetricKey` is not `Sendable`; one is made per signature, which is cheap).
    private let keyBytes: Data

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
        keyBytes = bytes
    }

    /// The `webhook-signature` header value for a message.
    public func signature(id: String, timestamp: Int, body: Data) -> String {
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: keyBytes))
        return "v1," + Data(mac).base64EncodedString()
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
