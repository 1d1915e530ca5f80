@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Two nodes of one deployment on the shared PostgreSQL: applications with the face engine, booted
/// as `serve` boots them (change listener, periodic check), `a` on a freshly migrated schema and `b`
/// beside it. Both get `environment`; `adjustB` changes `b`'s configuration further.
func withTwoNodes<T>(_ environment: [String: String] = [:], adjustB: @escaping (inout AppConfig) -> Void = { _ in },
                     _ body: (_ a: Application, _ b: Application) async throws -> T) async throws -> T {
    guard case .postgres(let url) = TestDatabase.current else { throw TestSetupError("two nodes share a PostgreSQL") }
    return try await EngineTestLock.exclusively {
        try await withApp(environment, faceEngine: true) { a in
            try await a.asyncBoot()
            let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("facestream-node-b-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
            var values = ["DATA_DIR": dataDirectory, "ADMIN_API_KEY": TestKeys.admin, "DATABASE_URL": url,
                          "MODELS_DIR": FaceFixtures.modelsDirectory, "ENGINE_THREADS": "2"]
            values.merge(environment) { $1 }
            var config = try AppConfig(environment: values)
            adjustB(&config)
            let b = try await Application.make(.testing)
            do {
                try await configure(b, config: config)
                try await b.asyncBoot()
                let result = try await body(a, b)
                try await b.asyncShutdown()
                return result
            } catch {
                try? await b.asyncShutdown()
                throw error
            }
        }
    }
}

/// Polls `condition` (every 50 ms) until it holds or `timeout` passes; whether it held. For what
/// another node does in the background: how long it takes depends on the machine's load.
func eventually(within timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(50))
    }
}

extension Application {
    /// What this node's gallery holds for a person: their embedding ids and their name.
    func galleryContent(of personID: Int) throws -> (faces: Set<Int>, name: String?) {
        let runtime = try #require(faceRuntime)
        return (runtime.gallery.embeddingIDs(of: personID), runtime.people.name(of: personID))
    }

    /// The server process ids of the connections with this `application_name` (`pg_stat_activity`).
    func backends(named name: String) async throws -> [Int] {
        guard let sql = db as? any SQLDatabase else { throw TestSetupError("PostgreSQL is an SQL database") }
        return try await sql.raw("SELECT pid FROM pg_stat_activity WHERE application_name = \(bind: name)").all()
            .map { try $0.decode(column: "pid", as: Int.self) }
    }
}
