import Fluent
import Vapor

/// What `serve` (and the `keys` commands) do about pending migrations: SQLite (a private file) is
/// always migrated; PostgreSQL (shared by several nodes, owned by an operator) only with
/// `AUTO_MIGRATE=true` — otherwise they refuse to run against an out-of-date schema instead of
/// failing on every request.
enum StartupMigrationPolicy {
    static func apply(to app: Application) async throws {
        let migrator = app.migrator
        let pending: [(any Migration, DatabaseID?)]
        do {
            try await migrator.setupIfNeeded().get()  // the _fluent_migrations bookkeeping table
            pending = try await migrator.previewPrepareBatch().get()
        } catch {
            throw StartupError("cannot reach the database to check migrations: \(error)")
        }
        guard !pending.isEmpty else { return }

        let names = pending.map { $0.0.name }.joined(separator: ", ")
        guard app.config.database.isSQLite || app.config.autoMigrate else {
            throw StartupError("""
                the database has \(pending.count) pending migration(s) (\(names)). \
                Run `facestream migrate` (add --yes to skip the prompt), or set AUTO_MIGRATE=true.
                """)
        }
        app.logger.notice("applying \(pending.count) migration(s): \(names)")
        try await migrator.prepareBatch().get()
    }
}

/// A reason `serve` won't start; the entrypoint prints it and exits 1.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
