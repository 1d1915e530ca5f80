import FluentPostgresDriver
import Vapor

/// `LISTEN facestream_gallery` on a connection of its own (the pool's connections come and go), and
/// a catch-up of the `GalleryChangeFollower` for every notification. When the connection fails
/// (PostgreSQL restarted, the backend terminated, the network gone) it reconnects with backoff and
/// catches up on everything committed meanwhile.
struct GalleryChangeListener: Sendable {
    let configuration: PostgresConnection.Configuration
    let follower: GalleryChangeFollower
    let nodeID: String
    let logger: Logger
    /// The first wait before reconnecting; doubled after each failure, up to `maxRetryDelay`.
    let retryDelay: Duration
    static let maxRetryDelay: Duration = .seconds(30)

    /// Until cancelled.
    func run() async {
        var delay = retryDelay
        while !Task.isCancelled {
            do {
                try await listenOnce(onListening: { delay = retryDelay })
            } catch {
                guard !Task.isCancelled else { break }
                logger.warning("gallery changes: listening failed, reconnecting in \(delay): \(String(reflecting: error))")
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, Self.maxRetryDelay)
        }
    }

    /// One connection: LISTEN, catch up (what was committed while not listening), then follow the
    /// notifications until the connection ends.
    private func listenOnce(onListening: () -> Void) async throws {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        do {
            try await connection.listen(on: GalleryChangeLog.channel) { notifications in
                // LISTEN is in effect: anything committed from now on is notified, the rest is read here.
                try await follower.catchUp()
                onListening()
                logger.info("gallery changes: listening for other nodes' changes")
                for try await notification in notifications {
                    let notified = GalleryChangeLog.notified(notification.payload)
                    if notified?.origin == nodeID { continue }  // applied when it was made
                    try await follower.catchUp(notified: notified?.id)
                }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
        if !Task.isCancelled { throw GalleryChangeListenerError.connectionEnded }
    }
}

struct GalleryChangeListenerError: Error, CustomStringConvertible {
    static let connectionEnded = GalleryChangeListenerError(description: "the listening connection ended")
    let description: String
}

/// Runs the listener, and the hourly pruning of `gallery_changes`, for `serve` on PostgreSQL.
final class GalleryChangeListenerLifecycle: LifecycleHandler, Sendable {
    let configuration: PostgresConnection.Configuration
    private let listening = BackgroundTask()
    private let pruning = BackgroundTask()

    init(configuration: PostgresConnection.Configuration) {
        self.configuration = configuration
    }

    func didBootAsync(_ app: Application) async throws {
        guard StartupCommand(app).isServe, let runtime = app.faceRuntime, let changeLog = app.galleryChangeLog else { return }
        let (db, logger) = (app.db, app.logger)
        // Where the sequence stands before `serve` loads the gallery (nil: no table yet, the database
        // unreachable; the first catch-up then reloads everything).
        let start: Int64? = try? await GalleryChangeLog.bounds(on: db).newest ?? 0
        let follower = GalleryChangeFollower(runtime: runtime, sightings: app.sightingIndex, metrics: app.faceStreamMetrics,
                                             db: db, logger: logger, nodeID: changeLog.nodeID, startingAfter: start)
        app.galleryChangeFollower = follower
        var configuration = self.configuration
        configuration.options.additionalStartupParameters = [("application_name", changeLog.listenerName)]
        let listener = GalleryChangeListener(configuration: configuration, follower: follower, nodeID: changeLog.nodeID,
                                             logger: logger, retryDelay: app.config.galleryListenerRetryDelay)
        listening.start { await listener.run() }
        pruning.start {
            while !Task.isCancelled {
                // Not at once: on a fresh database `serve` has yet to create the table.
                try? await Task.sleep(for: GalleryChangeLog.pruneInterval)
                guard !Task.isCancelled else { break }
                do {
                    let cutoff = Date().addingTimeInterval(-GalleryChangeLog.retention)
                    let pruned = try await GalleryChangeLog.prune(before: cutoff, on: db)
                    if pruned > 0 { logger.info("gallery changes: pruned \(pruned) rows older than a day") }
                } catch {
                    logger.warning("gallery changes: pruning failed, will retry: \(String(reflecting: error))")
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        await listening.stop()
        await pruning.stop()
    }
}

extension Application {
    private struct GalleryChangeFollowerKey: StorageKey {
        typealias Value = GalleryChangeFollower
    }

    /// Follows other nodes' changes while `serve` runs on PostgreSQL (nil otherwise).
    var galleryChangeFollower: GalleryChangeFollower? {
        get { storage[GalleryChangeFollowerKey.self] }
        set { storage[GalleryChangeFollowerKey.self] = newValue }
    }
}
