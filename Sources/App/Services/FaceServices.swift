import FaceKit
import Vapor

/// Loads the face engine (one dlib model set per engine thread plus one for background scans) and
/// registers what runs beside it: the sighting log writer and, across nodes, gallery sync.
///
/// `configure` calls this only when `app.config.loadFaceEngine` is true: tests that don't need the
/// dlib models, and the `migrate` / `keys` / `routes` commands, start without them. Anything that must
/// work without the engine (health, auth, REST listing) must not assume it exists.
func registerFaceServices(_ app: Application) async throws {
    let config = app.config
    let engine: FaceEngine
    do {
        engine = try FaceEngine(models: ModelFiles(directory: config.modelsDirectory), threads: config.engineThreads)
    } catch {
        throw ConfigurationError(variable: "MODELS_DIR", value: config.modelsDirectory, expected: error.message)
    }
    let runtime = FaceRuntime(engine: engine, matchThreshold: config.faceMatchThreshold,
                              confidenceThreshold: config.faceConfidenceThreshold)
    app.faceRuntime = runtime
    app.lifecycle.use(FaceRuntimeLifecycle())
    // Follows other nodes' changes (this node's own are applied to the gallery at once).
    if config.gallerySyncSeconds > 0 {
        app.lifecycle.use(GallerySyncLifecycle(seconds: config.gallerySyncSeconds))
    }
}

/// Starts the sighting log writer; at shutdown closes the streams, writes the last sightings and
/// stops the engine threads. (`serve` loads the gallery once it has migrated the database.)
struct FaceRuntimeLifecycle: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        await app.sightingLog.start()
    }

    func shutdownAsync(_ app: Application) async {
        await app.streams.closeAll()
        await app.sightingLog.stop()
        app.faceRuntime?.engine.shutdown()
    }
}
