import Vapor

/// Under `serve`: loads the stored clusters as soon as the tables are there (on a fresh SQLite file
/// `serve` creates them just after boot, so a failed load is retried), then runs the periodic
/// merge/split pass every UNKNOWN_RECLUSTER_MINUTES. Stopped at shutdown.
final class UnknownClustersLifecycle: LifecycleHandler, Sendable {
    private let task = BackgroundTask()

    func didBootAsync(_ app: Application) async throws {
        guard StartupCommand(app).isServe else { return }
        let clusters = app.unknownClusters, logger = app.logger
        let minutes = app.config.unknowns.reclusterMinutes
        task.start {
            while !Task.isCancelled {
                do {
                    try await clusters.reload()
                    break
                } catch {
                    logger.debug("unknown visitors: clusters not loaded yet (\(String(reflecting: error))); retrying")
                    try? await Task.sleep(for: .seconds(2))
                }
            }
            guard minutes > 0 else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(minutes * 60))
                guard !Task.isCancelled else { return }
                do {
                    try await clusters.recluster()
                } catch {
                    logger.warning("unknown visitors: periodic pass failed, will retry: \(String(reflecting: error))")
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        await task.stop()
    }
}
