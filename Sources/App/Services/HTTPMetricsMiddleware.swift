import Vapor

/// Counts every request and times it, labelled by the matched route's *pattern* (`/api/users/:id`)
/// so the number of series stays bounded however many ids or scanners' paths are requested.
/// Installed outside the error renderer, so it sees the status the client really got.
struct HTTPMetricsMiddleware: AsyncMiddleware {
    /// The label for requests no route matched (404s from scanners would otherwise add a series each).
    static let unmatchedRoute = "unmatched"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next.respond(to: request)
            record(request, status: response.status.code, since: start)
            return response
        } catch {
            // The error renderer sits inside this middleware, so only a failure in it lands here.
            record(request, status: 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, status: UInt, since start: ContinuousClock.Instant) {
        request.application.faceStreamMetrics.recordRequest(
            method: request.method.rawValue, route: Self.routeLabel(request), status: status,
            duration: ContinuousClock.now - start)
    }

    static func routeLabel(_ request: Request) -> String {
        guard let route = request.route else { return unmatchedRoute }
        return "/" + route.path.map(\.description).joined(separator: "/")
    }
}
