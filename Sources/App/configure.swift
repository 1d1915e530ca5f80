import Fluent
import Vapor

/// Configures the application from the process environment (`.env` included: `Application.make`
/// has loaded it). Throws `ConfigurationError` for an unusable variable; the executable prints it and exits 1.
public func configure(_ app: Application) async throws {
    var config = try AppConfig.fromProcessEnvironment()
    config.loadFaceEngine = StartupCommand(app).needsFaceEngine
    try await configure(app, config: config)
}

/// Configures the application from an explicit configuration (what tests use).
public func configure(_ app: Application, config: AppConfig) async throws {
    app.config = config
    app.startTime = .now
    try createDataDirectory(config.dataDirectory)
    JSONCoding.install()

    // Defaults for `serve`; its --hostname/--port/--bind flags still override these.
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port
    // Room for an image of MAX_UPLOAD_BYTES sent base64-encoded in JSON (4/3) plus multipart framing;
    // controllers check the image's own size against MAX_UPLOAD_BYTES.
    app.routes.defaultMaxBodySize = ByteCount(value: config.maxUploadBytes / 3 * 4 + 64 * 1024)
    // The only outbound HTTP is webhook delivery, where a redirect is no delivery: following a
    // 301/302/303 would turn the POST into a body-less GET. A 3xx is a failed attempt, retried.
    app.http.client.configuration.redirectConfiguration = .disallow

    try DatabaseSetup.use(config.database, on: app)
    if case .sqliteFile(let path) = config.database, StartupCommand(app).isServe {
        try SQLiteFileLock.hold(path, for: app)
    }
    // Nodes sharing a PostgreSQL tell each other about changes to the gallery (`GalleryChangeLog`).
    if !config.database.isSQLite { app.galleryChangeLog = GalleryChangeLog() }
    app.migrations.addFaceStreamMigrations()

    let adminKey = try AdminKeyStore.resolve(config: config, logger: app.logger)
    app.apiKeyVerifier = APIKeyVerifier(adminKey: adminKey)

    // Order matters: the error renderer must wrap everything, including the key check.
    app.middleware = Middlewares()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(HTTPMetricsMiddleware())  // outside the error renderer: counts the status sent
    app.middleware.use(ErrorRenderingMiddleware(debug: config.debug))
    // The web console's CSS and scripts (Public/); a path that is no file falls through to routing.
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(ProtectedPaths())
    app.middleware.use(MethodDispatch())

    _ = app.metricsRegistry
    _ = app.faceStreamMetrics  // created now, before requests race to create it
    _ = app.unknownClusters  // likewise
    _ = app.sightingIndex  // likewise (the sighting log writer registers it as an observer)
    _ = app.sightingLog
    app.asyncCommands.use(KeysCommand(), as: "keys")
    // `migrate` (Fluent's; `--revert`, `-y/--yes`) is registered by Fluent itself.
    app.asyncCommands.use(MigratingServeCommand(serve: await app.servers.asyncCommand), as: "serve", isDefault: true)

    if config.loadFaceEngine {
        try await registerFaceServices(app)
    }
    if let days = config.logRetentionDays {
        app.lifecycle.use(LogRetentionLifecycle(days: days))
    }
    try routes(app)
}

private func createDataDirectory(_ path: String) throws(ConfigurationError) {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw ConfigurationError(variable: "DATA_DIR", value: path, expected: "expected a directory FaceStream can create (\(error.localizedDescription))")
    }
}
