@testable import App
import Fluent
import Foundation
import SQLKit
import Vapor

enum TestKeys {
    static let admin = "test-admin-key-0123456789abcdef"
}

/// `withApp { app in … }` with the defaults. Same signature as VaporTesting's `withApp`, which it
/// shadows on purpose: that one builds an unconfigured app (no routes, no database).
@discardableResult
func withApp<T>(_ body: (Application) async throws -> T) async throws -> T {
    try await withApp([:], migrate: true, body)
}

/// Builds a fresh, configured application for one test: its own data directory, the test database
/// (SQLite file or the shared PostgreSQL, schema wiped first), migrations applied; afterwards the
/// migrations are reverted and the app shut down. No face engine unless `faceEngine` is true.
///
/// - Parameters:
///   - environment: variables on top of the defaults (`DATA_DIR`, `DATABASE_URL`, `ADMIN_API_KEY`);
///     the process environment is not read, so a developer's `.env` can't change a test.
///   - migrate: `false` for apps whose database is meant to be missing or untouched.
///   - faceEngine: load the dlib models as `serve` does (`MODELS_DIR` from the process or ./models,
///     two engine threads); the gallery is loaded from the database when the app boots.
@discardableResult
func withApp<T>(
    _ environment: [String: String] = [:],
    migrate: Bool = true,
    faceEngine: Bool = false,
    _ body: (Application) async throws -> T
) async throws -> T {
    _ = TestLogging.bootstrap
    let dataDirectory = FileManager.default.temporaryDirectory
        .appendingPathComponent("facestream-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dataDirectory) }

    var values = ["DATA_DIR": dataDirectory, "ADMIN_API_KEY": TestKeys.admin]
    switch TestDatabase.current {
    case .sqlite: values["DATABASE_URL"] = "sqlite://\(dataDirectory)/facestream.sqlite"
    case .postgres(let url): values["DATABASE_URL"] = url
    }
    if faceEngine {
        values["MODELS_DIR"] = FaceFixtures.modelsDirectory
        values["ENGINE_THREADS"] = "2"
    }
    values.merge(environment) { $1 }
    var config = try AppConfig(environment: values)
    config.loadFaceEngine = faceEngine

    // Only tests on the shared PostgreSQL need to take turns; an app pointed elsewhere doesn't.
    let shared: Bool = if case .postgres(let url) = TestDatabase.current { values["DATABASE_URL"] == url } else { false }
    if shared { await SharedDatabaseLock.shared.lock() }

    let app = try await Application.make(.testing)
    do {
        try await configure(app, config: config)
        if shared { try await resetPostgresSchema(app.db) }
        if migrate { try await app.autoMigrate() }
        let result = try await body(app)
        if migrate { try await app.autoRevert() }
        try await app.asyncShutdown()
        if shared { await SharedDatabaseLock.shared.unlock() }
        return result
    } catch {
        try? await app.asyncShutdown()
        if shared { await SharedDatabaseLock.shared.unlock() }
        throw error
    }
}

/// A clean slate even after a test that crashed half-way left tables behind.
private func resetPostgresSchema(_ database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { throw TestSetupError("PostgreSQL is an SQL database") }
    try await sql.raw("DROP SCHEMA public CASCADE").run()
    try await sql.raw("CREATE SCHEMA public").run()
}

enum TestLogging {
    /// Once per process (swift-log allows one bootstrap): warnings and up, or LOG_LEVEL if set.
    static let bootstrap: Void = {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
