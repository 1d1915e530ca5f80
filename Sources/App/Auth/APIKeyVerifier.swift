import Fluent
import Vapor

/// Checks a presented key against the admin key and the `api_keys` table.
/// Keeps only the admin key's hash in memory, never the key itself.
struct APIKeyVerifier: Sendable {
    let adminKeyHash: String
    /// Don't write `last_used_at` on every request: once a minute is enough to see which keys are alive.
    static let lastUsedResolution: TimeInterval = 60

    init(adminKey: String) {
        self.adminKeyHash = APIKeyCrypto.hash(adminKey)
    }

    /// The principal for `key`, or `nil` when it matches nothing.
    /// The admin key is checked first and without the database, so it works while the database is down.
    func principal(for key: String, on database: any Database, logger: Logger) async throws -> APIPrincipal? {
        let hash = APIKeyCrypto.hash(key)
        if APIKeyCrypto.constantTimeEquals(hash, adminKeyHash) {
            return APIPrincipal(role: .admin, keyID: nil, keyName: "admin (configured)")
        }
        // Looking up by hash leaks nothing about the key; the compare after it is belt and braces.
        guard let stored = try await APIKey.query(on: database).filter(\.$keyHash == hash).first(),
              APIKeyCrypto.constantTimeEquals(stored.keyHash, hash) else {
            return nil
        }
        await touch(stored, on: database, logger: logger)
        return APIPrincipal(role: stored.role, keyID: stored.id, keyName: stored.name)
    }

    /// Best effort: a failed bookkeeping write must not fail the request.
    private func touch(_ key: APIKey, on database: any Database, logger: Logger) async {
        let now = Date()
        if let last = key.lastUsedAt, now.timeIntervalSince(last) < Self.lastUsedResolution { return }
        key.lastUsedAt = now
        do {
            try await key.update(on: database)
        } catch {
            logger.debug("could not record API key use: \(error)")
        }
    }
}

extension Application {
    private struct VerifierKey: StorageKey {
        typealias Value = APIKeyVerifier
    }

    /// Installed by `configure`; `nil` before it ran (requests then fail with 500, not a crash).
    var apiKeyVerifier: APIKeyVerifier? {
        get { storage[VerifierKey.self] }
        set { storage[VerifierKey.self] = newValue }
    }
}
