import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// Registers the one database `DATABASE_URL` names as the default.
enum DatabaseSetup {
    static func use(_ target: DatabaseTarget, on app: Application) throws(ConfigurationError) {
        switch target {
        case .sqliteFile(let path):
            // Foreign keys are off by default in SQLite; cascades and SET NULL depend on them.
            app.databases.use(.sqlite(.init(storage: .file(path: path), enableForeignKeys: true)), as: .sqlite)
        case .sqliteMemory:
            app.databases.use(.sqlite(.init(storage: .memory, enableForeignKeys: true)), as: .sqlite)
        case .postgres(let url):
            app.databases.use(.postgres(configuration: try postgresConfiguration(url), maxConnectionsPerEventLoop: 4), as: .psql)
        }
    }

    /// The connection settings `DATABASE_URL` names, for the pool and for the gallery change listener.
    static func postgresConfiguration(_ url: String) throws(ConfigurationError) -> SQLPostgresConfiguration {
        var configuration: SQLPostgresConfiguration
        do {
            configuration = try SQLPostgresConfiguration(url: url)
        } catch {
            throw ConfigurationError(variable: "DATABASE_URL", value: DatabaseTarget.redactingPassword(url),
                                     expected: "expected a PostgreSQL URL such as postgres://user:pass@host:5432/db (\(error))")
        }
        // Fail a dead host in seconds, not the driver's default 10 s: requests and /health wait on it.
        configuration.coreConfiguration.options.connectTimeout = .seconds(3)
        return configuration
    }
}
