import Fluent
import Vapor

/// `LOG_RETENTION_DAYS`: sightings older than that many days are deleted, once at start-up and then
/// every hour, by whichever nodes run `serve` (deleting the same old rows twice is harmless).
enum LogRetention {
    static let interval: Duration = .seconds(3600)

    /// Deletes sightings recorded before `cutoff` (and so their faces), and takes them out of
    /// `index`; returns how many there were.
    @discardableResult
    static func purge(olderThan cutoff: Date, on db: any Database, index: SightingIndex? = nil) async throws -> Int {
        let doomed = RecognitionLog.query(on: db).filter(\.$createdAt < cutoff)
        let count = try await doomed.count()
        if count > 0 { try await doomed.delete() }
        index?.removeSeen(before: cutoff)
        return count
    }

    static func cutoff(days: Int, now: Date = Date()) -> Date {
        now.addingTimeInterval(-Double(days) * 86_400)
    }
}

/// Runs the purge in the background while the app is up: started at boot, cancelled at shutdown.
/// Only `serve` (the default command) purges; `migrate` and `keys` don't touch the logs.
final class LogRetentionLifecycle: LifecycleHandler, Sendable {
    let days: Int
    private let task = BackgroundTask()

    init(days: Int) {
        self.days = days
    }

    func didBootAsync(_ app: Application) async throws {
        guard StartupCommand(app).isServe else { return }
        let days = self.days
        let logger = app.logger
        let db = app.db
        let index = app.sightingIndex
        task.start {
            while !Task.isCancelled {
                do {
                    let purged = try await LogRetention.purge(olderThan: LogRetention.cutoff(days: days), on: db, index: index)
                    if purged > 0 { logger.info("log retention: deleted \(purged) sightings older than \(days) days") }
                } catch {
                    logger.warning("log retention: purge failed, will retry: \(String(reflecting: error))")
                }
                try? await Task.sleep(for: LogRetention.interval)
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        await task.stop()
    }
}
