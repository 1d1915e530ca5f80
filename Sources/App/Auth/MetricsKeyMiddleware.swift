import Vapor

/// Guards `/metrics` with `METRICS_API_KEY` when one is set; open otherwise (scrapers on a private
/// network usually have no way to present a key).
struct MetricsKeyMiddleware: AsyncMiddleware {
    /// SHA-256 of `METRICS_API_KEY`, or `nil` for an open endpoint.
    let keyHash: String?

    init(key: String?) {
        self.keyHash = key.map(APIKeyCrypto.hash)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let keyHash {
            guard let presented = APIKeyMiddleware.presentedKey(request),
                  APIKeyCrypto.constantTimeEquals(APIKeyCrypto.hash(presented), keyHash) else {
                throw FaceStreamError.unauthorized("/metrics needs METRICS_API_KEY: send X-API-Key or Authorization: Bearer <key>")
            }
        }
        return try await next.respond(to: request)
    }
}
