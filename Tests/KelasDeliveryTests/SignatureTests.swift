import Foundation
import Testing
@testable import KelasDelivery

@Suite("Standard Webhooks signatures")
struct SignatureTests {
    @Test("the specification's test vector")
    func testVector() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Data(#"{"test": 2432232314}"#.utf8)
        #expect(signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
            == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(signer.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body,
                              signatureHeader: "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
        #expect(!signer.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_331, body: body,
                               signatureHeader: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
    }

    @Test("bad secrets are refused without echoing them")
    func badSecrets() {
        #expect(throws: WebhookSigner.SecretProblem.notBase64) { try WebhookSigner(secret: "whsec_not base64!") }
        #expect(throws: WebhookSigner.SecretProblem.empty) { try WebhookSigner(secret: "whsec_") }
        #expect(!WebhookSigner.SecretProblem.notBase64.description.contains("not base64!"))
    }
}
