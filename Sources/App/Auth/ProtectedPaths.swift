import Vapor

/// Makes every `/api/*` and `/ws/*` request carry a valid key before routing, so no endpoint there
/// can be left open by accident (an unknown `/api` path is 401, not 404, to an anonymous caller).
/// Which role an endpoint needs is still up to its group (`APIKeyMiddleware(requiredRole:)`).
struct ProtectedPaths: AsyncMiddleware {
    static let prefixes: Set<String> = ["api", "ws"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if Self.isProtected(request) {
            _ = try await APIKeyMiddleware.authenticate(request)
        }
        return try await next.respond(to: request)
    }

    /// Reads the path the way Vapor's router splits it, so the two can't disagree about a path.
    static func firstComponent(_ request: Request) -> String? {
        request.url.path.split(separator: "/").first.map { $0.lowercased() }
    }

    static func isProtected(_ request: Request) -> Bool {
        firstComponent(request).map(prefixes.contains) ?? false
    }

    static func isWebSocket(_ request: Request) -> Bool {
        firstComponent(request) == "ws"
    }
}
