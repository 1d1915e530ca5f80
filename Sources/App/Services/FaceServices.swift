import FaceKit
import Vapor

/// Loads the face engine (one dlib model set per engine thread), fills the gallery from the
/// database at boot and starts the sighting log writer.
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
    // After the boot load above (handlers run in order): follows other nodes' changes.
    if config.gallerySyncSeconds > 0 {
        app.lifecycle.use(GallerySyncLifecycle(seconds: config.gallerySyncSeconds))
    }
}

/// Loads the gallery once the database is usable (after `serve` migrated it) and starts the
/// sighting log writer; at shutdown writes the last sightings and stops the engine threads.
struct FaceRuntimeLifecycle: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        guard let runtime = app.faceRuntime else { return }
        await app.sightingLog.start()
        do {
            try await GalleryLoader.load(into: runtime, from: app.db, logger: app.logger)
        } catch {
            // An unmigrated or unreachable database: the serve command reports it; recognition
            // answers "unknown" until the gallery is loaded by a later change.
            app.logger.warning("gallery not loaded at boot: \(String(reflecting: error))")
        }
    }

    func shutdownAsync(_ app: Application) async {
        await app.streams.closeAll()
        await app.sightingLog.stop()
        app.faceRuntime?.engine.shutdown()
    }
}
