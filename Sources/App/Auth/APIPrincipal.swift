import Vapor

/// Who is calling: the role of the key they presented, and which key (for logs).
public struct APIPrincipal: Sendable, Equatable {
    public let role: APIRole
    /// `nil` for the admin key from the configuration; the `api_keys` row id otherwise.
    public let keyID: Int?
    public let keyName: String
}

extension Request {
    private struct PrincipalKey: StorageKey {
        typealias Value = APIPrincipal
    }

    /// Set by `APIKeyMiddleware` once the key checked out; `nil` on open routes.
    public internal(set) var apiPrincipal: APIPrincipal? {
        get { storage[PrincipalKey.self] }
        set { storage[PrincipalKey.self] = newValue }
    }

    /// The authenticated role, for handlers that behave differently per role.
    public var apiRole: APIRole? { apiPrincipal?.role }
}
