import Foundation
import Vapor  // re-exports swift-crypto (HMAC, SHA256)

/// `X-FaceStream-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the webhook's
/// secret, lowercase hex (the scheme GitHub's webhooks use, so existing verifiers fit).
enum WebhookSigner {
    static let header = "X-FaceStream-Signature"

    static func signature(of body: Data, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// What a receiver does: recompute and compare in constant time.
    static func isValid(_ header: String, body: Data, secret: String) -> Bool {
        APIKeyCrypto.constantTimeEquals(header, signature(of: body, secret: secret))
    }
}
