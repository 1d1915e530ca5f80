import Fluent
import SQLKit
import Vapor

/// `SELECT 1` with a deadline. The deadline matters more than the query: a blackholed database host
/// would otherwise hold the health check for the driver's whole connect timeout.
enum DatabaseHealth {
    static let defaultTimeoutMilliseconds: Int64 = 2000

    static func isReachable(
        _ database: any Database, timeoutMilliseconds: Int64 = defaultTimeoutMilliseconds, logger: Logger
    ) async -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        let eventLoop = database.eventLoop
        let promise = eventLoop.makePromise(of: Void.self)
        // Whichever completes first wins; NIO ignores the second completion of a promise.
        let deadline = eventLoop.scheduleTask(in: .milliseconds(timeoutMilliseconds)) {
            promise.fail(DatabaseUnreachable(description: "no answer to SELECT 1 within \(timeoutMilliseconds) ms"))
        }
        sql.raw("SELECT 1").run().whenComplete { result in
            deadline.cancel()
            promise.completeWith(result)
        }
        do {
            try await promise.futureResult.get()
            return true
        } catch {
            logger.warning("database health check failed: \(String(reflecting: error))")
            return false
        }
    }
}
