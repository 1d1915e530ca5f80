@testable import App
import Fluent
import Testing

@Suite("serve's migration policy", .serialized)
struct StartupMigrationTests {
    @Test func sqliteIsAlwaysMigratedPostgresRefusesWithoutAutoMigrate() async throws {
        try await withApp(migrate: false) { app in
            if app.config.database.isSQLite {
                try await StartupMigrationPolicy.apply(to: app)
                #expect(try await Schema.tables(app.db).isSuperset(of: MigrationTests.tables))
            } else {
                let error = await #expect(throws: StartupError.self) { try await StartupMigrationPolicy.apply(to: app) }
                #expect(error?.description.contains("facestream migrate") == true)
                #expect(try await Schema.tables(app.db).isDisjoint(with: MigrationTests.tables))
            }
            try await app.autoRevert()
        }
    }

    @Test func autoMigrateLetsServeMigratePostgres() async throws {
        try await withApp(["AUTO_MIGRATE": "true"], migrate: false) { app in
            try await StartupMigrationPolicy.apply(to: app)
            #expect(try await Schema.tables(app.db).isSuperset(of: MigrationTests.tables))
            // Nothing pending afterwards: a second start is a no-op.
            try await StartupMigrationPolicy.apply(to: app)
            try await app.autoRevert()
        }
    }

    @Test func unreachableDatabaseStopsServeWithAMessage() async throws {
        try await withApp(["DATABASE_URL": "postgres://u@127.0.0.1:1/x"], migrate: false) { app in
            let error = await #expect(throws: StartupError.self) { try await StartupMigrationPolicy.apply(to: app) }
            #expect(error?.description.hasPrefix("cannot reach the database") == true)
        }
    }
}
