import Vapor  // re-exports swift-crypto (SHA256)

/// Generating, hashing and comparing API keys. Keys are random bearer secrets, so a fast
/// unsalted SHA-256 is the right store (a slow password hash buys nothing against 256-bit keys).
enum APIKeyCrypto {
    /// 32 random bytes as base64url without padding (43 characters, safe in URLs and headers).
    static func generateKey() -> String {
        var generator = SystemRandomNumberGenerator()  // getrandom(2): cryptographically secure
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Lowercase hex SHA-256: what `api_keys.key_hash` stores.
    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The first characters of a key, stored so operators can tell keys apart without the secret.
    static func displayPrefix(_ key: String) -> String {
        String(key.prefix(8))
    }

    /// Compares without an early exit, so response time doesn't reveal how much of a guess matched.
    /// Callers compare hashes (equal length), which also hides the secret's length.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
