@testable import App
import Fluent
import Testing
import VaporTesting

@Suite("API keys", .serialized)
struct AuthTests {
    /// Dummy endpoints: one per role, plus one under /ws for the query-parameter rule.
    private func addProbeRoutes(_ app: Application) {
        let api = app.grouped("api", "probe")
        api.grouped(APIKeyMiddleware(requiredRole: .admin)).get("admin") { req in req.apiRole?.rawValue ?? "none" }
        api.grouped(APIKeyMiddleware(requiredRole: .recognize)).get("recognize") { req in req.apiRole?.rawValue ?? "none" }
        app.grouped("ws").grouped(APIKeyMiddleware(requiredRole: .recognize)).get("probe") { _ in "ws" }
    }

    private func createKey(_ role: APIRole, on app: Application) async throws -> (key: String, record: APIKey) {
        let key = APIKeyCrypto.generateKey()
        let record = APIKey(name: "\(role) probe", role: role, key: key)
        try await record.create(on: app.db)
        return (key, record)
    }

    @Test func missingOrWrongKeyIs401() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            try await app.testing().test(.GET, "api/probe/recognize") { res async throws in
                #expect(res.status == .unauthorized)
                #expect(try res.errorBody().error.code == "unauthorized")
                #expect(res.headers.first(name: "WWW-Authenticate") == "Bearer")
            }
            try await app.testing().test(.GET, "api/probe/recognize", headers: .apiKey("not-a-key-at-all-000")) { res async throws in
                #expect(res.status == .unauthorized)
                #expect(try res.errorBody().error.message == "the API key is not valid")
            }
            // Unknown /api paths don't reveal whether they exist to anonymous callers.
            try await app.testing().test(.GET, "api/does-not-exist") { res async in
                #expect(res.status == .unauthorized)
            }
        }
    }

    @Test func adminKeyPassesEveryRoleByHeaderOrBearer() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            for headers in [HTTPHeaders.apiKey(TestKeys.admin), .bearer(TestKeys.admin)] {
                for path in ["api/probe/admin", "api/probe/recognize"] {
                    try await app.testing().test(.GET, path, headers: headers) { res async in
                        #expect(res.status == .ok)
                        #expect(res.body.string == "admin")
                    }
                }
            }
            try await app.testing().test(.GET, "api/does-not-exist", headers: .apiKey(TestKeys.admin)) { res async throws in
                #expect(res.status == .notFound)
                #expect(try res.errorBody().error.code == "not_found")
            }
        }
    }

    @Test func recognizeKeyIsForbiddenOnAdminRoutes() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            let (key, record) = try await createKey(.recognize, on: app)
            #expect(record.keyHash == APIKeyCrypto.hash(key) && record.keyPrefix == String(key.prefix(8)))

            try await app.testing().test(.GET, "api/probe/recognize", headers: .bearer(key)) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string == "recognize")
            }
            try await app.testing().test(.GET, "api/probe/admin", headers: .apiKey(key)) { res async throws in
                #expect(res.status == .forbidden)
                #expect(try res.errorBody().error.code == "forbidden")
            }
            let used = try #require(try await APIKey.find(record.id, on: app.db))
            #expect(used.lastUsedAt != nil)
        }
    }

    @Test func storedAdminKeyWorksAndDeletedKeyStops() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            let (key, record) = try await createKey(.admin, on: app)
            try await app.testing().test(.GET, "api/probe/admin", headers: .apiKey(key)) { res async in
                #expect(res.status == .ok)
            }
            try await record.delete(on: app.db)
            try await app.testing().test(.GET, "api/probe/admin", headers: .apiKey(key)) { res async in
                #expect(res.status == .unauthorized)
            }
        }
    }

    @Test func queryKeyOnlyForWebSocketPaths() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            let (key, _) = try await createKey(.recognize, on: app)
            try await app.testing().test(.GET, "ws/probe?api_key=\(key)") { res async in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.GET, "ws/probe") { res async in
                #expect(res.status == .unauthorized)
            }
            try await app.testing().test(.GET, "api/probe/recognize?api_key=\(key)") { res async in
                #expect(res.status == .unauthorized)
            }
        }
    }

    @Test func openEndpointsNeedNoKey() async throws {
        try await withApp { app in
            try await app.testing().test(.GET, "health") { res async in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "metrics") { res async in
                #expect(res.status == .ok)
                #expect(res.headers.contentType?.description.hasPrefix("text/plain") == true)
            }
        }
    }

    @Test func metricsKeyGuardsMetrics() async throws {
        try await withApp(["METRICS_API_KEY": "scrape-secret"]) { app in
            try await app.testing().test(.GET, "metrics") { res async throws in
                #expect(res.status == .unauthorized)
                #expect(try res.errorBody().error.code == "unauthorized")
            }
            try await app.testing().test(.GET, "metrics", headers: .bearer("scrape-secret")) { res async in
                #expect(res.status == .ok)
            }
            // The admin key is not the metrics key.
            try await app.testing().test(.GET, "metrics", headers: .apiKey(TestKeys.admin)) { res async in
                #expect(res.status == .unauthorized)
            }
        }
    }
}
