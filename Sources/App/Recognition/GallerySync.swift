import Fluent
import Vapor

/// The safety net under the change notifications (`GalleryChangeListener`) of nodes sharing one
/// PostgreSQL: every GALLERY_SYNC_SECONDS (default 60) it reads a cheap fingerprint of what the
/// gallery is built from and reloads the whole gallery (via `GalleryLoader`) when the fingerprint
/// changed since the last check. Notifications normally got there first; the reload then repeats
/// what the gallery already holds (the price of not having to tell notified changes from others),
/// and repairs what they could not deliver (a change to the data made outside FaceStream, say).
/// The same loop brings other nodes' new sightings into this node's sighting index
/// (`SightingIndexLoader.loadRows`).
enum GallerySync {
    /// Enough to notice any change that affects recognition: embeddings added (max id) or removed
    /// (count), people (de)activated (active count) or renamed (latest `updated_at`).
    struct Fingerprint: Equatable, Sendable {
        var embeddingCount: Int
        var maxEmbeddingID: Int?
        var activeUsers: Int
        var lastUserUpdate: Date?
    }

    static func fingerprint(_ db: any Database) async throws -> Fingerprint {
        Fingerprint(
            embeddingCount: try await FaceEmbedding.query(on: db).count(),
            maxEmbeddingID: try await FaceEmbedding.query(on: db).sort(\.$id, .descending).first()?.id,
            activeUsers: try await User.query(on: db).filter(\.$isActive == true).count(),
            lastUserUpdate: try await User.query(on: db).sort(\.$updatedAt, .descending).first()?.updatedAt)
    }

    /// One check: reloads when the fingerprint differs from `last`; returns the fingerprint the
    /// gallery now reflects. Read before loading, so a change made during the load is seen next time.
    static func check(_ runtime: FaceRuntime, last: Fingerprint?, on db: any Database, logger: Logger) async throws -> Fingerprint {
        let current = try await fingerprint(db)
        if current != last {
            if last != nil { logger.info("gallery sync: the database changed, reloading the gallery") }
            try await GalleryLoader.load(into: runtime, from: db, logger: logger)
        }
        return current
    }
}

/// Runs `GallerySync` in the background for `serve`, after `FaceRuntimeLifecycle` loaded the gallery.
final class GallerySyncLifecycle: LifecycleHandler, Sendable {
    let interval: Duration
    private let task = BackgroundTask()

    init(seconds: Double) {
        interval = .milliseconds(Int64(seconds * 1000))
    }

    func didBootAsync(_ app: Application) async throws {
        guard StartupCommand(app).isServe, let runtime = app.faceRuntime else { return }
        let (interval, db, logger, sightings) = (self.interval, app.db, app.logger, app.sightingIndex)
        task.start {
            var last: GallerySync.Fingerprint?
            // The boot load just happened: start from its state rather than loading twice.
            last = try? await GallerySync.fingerprint(db)
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { break }
                do {
                    last = try await GallerySync.check(runtime, last: last, on: db, logger: logger)
                } catch {
                    logger.warning("gallery sync failed, will retry: \(String(reflecting: error))")
                }
                // Other nodes' sightings become searchable here too.
                do {
                    try await SightingIndexLoader.loadRows(after: sightings.highestID, into: sightings, from: db, logger: logger)
                } catch {
                    logger.warning("sighting index sync failed, will retry: \(String(reflecting: error))")
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        await task.stop()
    }
}
