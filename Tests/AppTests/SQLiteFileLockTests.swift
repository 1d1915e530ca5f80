@testable import App
import Foundation
import Testing
import Vapor

/// SQLite serves one node: a second server on the same file is refused at start-up (`SQLiteFileLock`).
/// The lock belongs to the open file description, so a second application in this process stands
/// for a second process.
@Suite("SQLite serves a single node")
struct SQLiteFileLockTests {
    @Test func aSecondServerOnTheSameFileIsRefusedUntilTheFirstShutsDown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("facestream-lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = "\(directory)/facestream.sqlite"

        try await withApp(["DATABASE_URL": "sqlite://\(database)"]) { first in
            let refused = try await Self.configureAnother(on: "sqlite://\(database)")
            #expect(refused?.description.contains(database) == true)
            #expect(refused?.description.contains("\(database).lock") == true)
            // The first one still works.
            #expect(try await first.testing().sendRequest(.GET, "api/users", headers: .json()).status == .ok)
        }
        // Shut down, the first one let go.
        #expect(try await Self.configureAnother(on: "sqlite://\(database)") == nil)
    }

    @Test func inMemoryDatabasesTakeNoLock() async throws {
        try await withApp(["DATABASE_URL": "sqlite://:memory:"], migrate: false) { _ in
            let refused = try await Self.configureAnother(on: "sqlite://:memory:")
            #expect(refused == nil)
        }
    }

    /// Configures (and shuts down) another application on `url`; the refusal, if it was refused.
    private static func configureAnother(on url: String) async throws -> SQLiteFileInUse? {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("facestream-lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        var config = try AppConfig(environment: ["DATA_DIR": dataDirectory, "ADMIN_API_KEY": TestKeys.admin, "DATABASE_URL": url])
        config.loadFaceEngine = false
        let app = try await Application.make(.testing)
        do {
            try await configure(app, config: config)
            try await app.asyncShutdown()
            return nil
        } catch let refusal as SQLiteFileInUse {
            try await app.asyncShutdown()
            return refusal
        }
    }
}
