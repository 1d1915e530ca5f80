import Fluent
import Vapor

/// `GET /health`: open (load balancers have no key). 200 when the database answers, 503 "degraded"
/// when it doesn't; the server itself keeps running and reports "ok" again once the database is back.
struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    @Sendable
    func health(req: Request) async throws -> Response {
        let databaseUp = await DatabaseHealth.isReachable(req.db, logger: req.logger)
        let body = HealthDTO(
            status: databaseUp ? "ok" : "degraded",
            database: databaseUp ? "ok" : "unavailable",
            version: FaceStreamVersion.current,
            uptimeSeconds: req.application.uptimeSeconds
        )
        let response = try await body.encodeResponse(status: databaseUp ? .ok : .serviceUnavailable, for: req)
        response.headers.cacheControl = .init(noStore: true)  // a cached "ok" would hide an outage
        return response
    }
}
