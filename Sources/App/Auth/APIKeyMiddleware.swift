import Fluent
import Vapor

/// Requires an API key whose role permits `requiredRole`: 401 `unauthorized` without a key or with
/// an unknown one, 403 `forbidden` for a key of the wrong role. On success the caller is in
/// `req.apiPrincipal`. Usage: `routes.grouped(APIKeyMiddleware(requiredRole: .admin))`.
public struct APIKeyMiddleware: AsyncMiddleware {
    public let requiredRole: APIRole

    public init(requiredRole: APIRole) {
        self.requiredRole = requiredRole
    }

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let principal = try await Self.authenticate(request)
        guard principal.role.permits(requiredRole) else {
            throw FaceStreamError.forbidden("this endpoint needs an API key with role \"\(requiredRole.rawValue)\"")
        }
        return try await next.respond(to: request)
    }

    /// Authenticates once per request: nested middlewares (the /api gate, then a route's role) reuse it.
    static func authenticate(_ request: Request) async throws -> APIPrincipal {
        if let principal = request.apiPrincipal { return principal }
        guard let key = presentedKey(request) else {
            throw FaceStreamError.unauthorized("an API key is required: send X-API-Key or Authorization: Bearer <key>")
        }
        guard let verifier = request.application.apiKeyVerifier else {
            throw FaceStreamError.internalError("API keys are not configured (configure(_:) did not run)")
        }
        guard let principal = try await verifier.principal(for: key, on: request.db, logger: request.logger) else {
            throw FaceStreamError.unauthorized("the API key is not valid")
        }
        request.apiPrincipal = principal
        request.logger[metadataKey: "api_key"] = .string(principal.keyName)
        return principal
    }

    /// `X-API-Key`, else `Authorization: Bearer`, else — only on `/ws/…`, because browsers can't set
    /// headers on a WebSocket — the `api_key` query parameter. Query keys end up in access logs, so
    /// they aren't accepted anywhere they aren't needed.
    static func presentedKey(_ request: Request) -> String? {
        if let header = request.headers.first(name: "X-API-Key")?.trimmingCharacters(in: .whitespaces), !header.isEmpty {
            return header
        }
        if let token = request.headers.bearerAuthorization?.token, !token.isEmpty {
            return token
        }
        if ProtectedPaths.isWebSocket(request), let key = request.query[String.self, at: "api_key"], !key.isEmpty {
            return key
        }
        return nil
    }
}
