import Vapor

/// Every HTTP route. Open: `/health`, `/metrics` (keyed by METRICS_API_KEY if set), `/docs` and
/// `/openapi.json`. Everything under `/api` and `/ws` needs an API key
/// (`ProtectedPaths` enforces that for the whole prefix); the groups below add the role.
public func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    try app.register(collection: WebConsoleController())
    try app.register(collection: MetricsController(metricsKey: app.config.metricsAPIKey))
    try app.register(collection: DocsController(assetsDirectory: app.config.docsAssetsDirectory))

    let api = app.grouped("api")
    try registerAPIRoutes(
        admin: api.grouped(APIKeyMiddleware(requiredRole: .admin)),
        recognize: api.grouped(APIKeyMiddleware(requiredRole: .recognize))
    )
    try registerWebSocketRoutes(recognize: app.grouped("ws").grouped(APIKeyMiddleware(requiredRole: .recognize)).grouped(WebSocketHandshake()),
                                app: app)
}

/// HOOK (REST controllers): register users/faces/logs under `admin` and recognize under `recognize`,
/// e.g. `try admin.register(collection: UsersController())` → `/api/users`.
/// An admin key passes `recognize` routes too.
func registerAPIRoutes(admin: any RoutesBuilder, recognize: any RoutesBuilder) throws {
    try admin.register(collection: UsersController())
    try admin.register(collection: FacesController())
    try admin.register(collection: LogsController())
    try admin.register(collection: UnknownsController())
    try recognize.register(collection: RecognitionController())
    try CompreFaceRoutes.register(admin: admin, recognize: recognize)
}

/// `/ws/recognize`. Browsers can't set headers on a WebSocket, so `/ws/*` also accepts the key as `?api_key=`.
func registerWebSocketRoutes(recognize: any RoutesBuilder, app: Application) throws {
    RecognizeSocketController(connections: app.streams)
        .register(on: recognize, app: app)
}
