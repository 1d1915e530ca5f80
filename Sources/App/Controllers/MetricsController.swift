import Prometheus
import Vapor

/// `GET /metrics` in Prometheus text format; behind `METRICS_API_KEY` when one is set.
struct MetricsController: RouteCollection {
    let metricsKey: String?

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(MetricsKeyMiddleware(key: metricsKey)).get("metrics", use: metrics)
    }

    @Sendable
    func metrics(req: Request) async throws -> Response {
        req.application.faceStreamMetrics.sample(req.application.faceRuntime)
        let text = req.application.metricsRegistry.emitToString()
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}
