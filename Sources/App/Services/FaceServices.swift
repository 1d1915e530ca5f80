import FaceKit
import Vapor

/// Loads the face engine (one set of models per engine thread) and
/// registers what runs beside it: the sighting log writer, the webhook deliveries and, across nodes,
/// gallery sync (change notifications and the periodic check).
///
/// `configure` calls this only when `app.config.loadFaceEngine` is true: tests that don't need the
/// dlib models, and the `migrate` / `keys` / `routes` commands, start without them. Anything that must
/// work without the engine (health, auth, REST listing) must not assume it exists.
func registerFaceServices(_ app: Application) async throws {
    let config = app.config
    let engine: FaceEngine
    do {
        // Each stream has at most one engine job queued at a time: room for all of them, plus REST.
        engine = try FaceEngine(models: ModelFiles(directory: config.modelsDirectory), threads: config.engineThreads,
                                queueCapacity: max(64, config.maxConnections + 64),
                                loadCNN: config.detector == .mmod, loadYuNet: config.detector == .yunet)
    } catch {
        throw ConfigurationError(variable: "MODELS_DIR", value: config.modelsDirectory, expected: error.message)
    }
    let runtime = FaceRuntime(engine: engine, matchRule: config.matchRule)
    app.faceRuntime = runtime
    app.lifecycle.use(FaceRuntimeLifecycle())
    app.lifecycle.use(UnknownClustersLifecycle())
    // Follows other nodes' changes (this node's own are applied to the gallery at once): notified
    // within a second on PostgreSQL, and the periodic check as a safety net.
    if case .postgres(let url) = config.database {
        app.lifecycle.use(GalleryChangeListenerLifecycle(configuration: try DatabaseSetup.postgresConfiguration(url).coreConfiguration))
    }
    if config.gallerySyncSeconds > 0 {
        app.lifecycle.use(GallerySyncLifecycle(seconds: config.gallerySyncSeconds))
    }
}

/// Starts the sighting log writer and the webhook deliveries; at shutdown closes the streams, writes
/// the last sightings, gives the webhooks a moment to deliver theirs and stops the engine threads.
/// (`serve` loads the gallery once it has migrated the database.)
struct FaceRuntimeLifecycle: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        await app.sightingLog.start()
        await app.webhooks.start()
    }

    func shutdownAsync(_ app: Application) async {
        await app.closeStreamsAndFlushSightings()
        app.faceRuntime?.engine.shutdown()
    }
}

extension Application {
    /// The stream side of a graceful shutdown: no new streams; each stream's frame in flight is
    /// answered and its client gets a close frame (1001); then every queued sighting is written, and
    /// queued webhook events are delivered for at most `webhookGrace`.
    func closeStreamsAndFlushSightings(webhookGrace: Duration = .seconds(2)) async {
        await streams.closeAll()
        await sightingLog.stop()
        await webhooks.stop(grace: webhookGrace)
    }
}
