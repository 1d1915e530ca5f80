@testable import App
import Foundation
import Testing
import VaporTesting

/// The roles on the real routes (AuthTests covers the key mechanics on probe routes).
@Suite("API routes and roles", .serialized)
struct APIAuthTests {
    static let adminRoutes: [(HTTPMethod, String)] = [
        (.GET, "api/users"), (.POST, "api/users"), (.GET, "api/users/1"), (.PATCH, "api/users/1"), (.DELETE, "api/users/1"),
        (.GET, "api/users/1/faces"), (.POST, "api/users/1/faces"), (.DELETE, "api/users/1/faces/1"),
        (.GET, "api/logs"), (.GET, "api/logs/1"),
    ]
    static let recognizeRoutes: [(HTTPMethod, String)] = [(.POST, "api/recognize"), (.POST, "api/verify"), (.POST, "api/detect")]

    @Test func noKeyIs401Everywhere() async throws {
        try await withApp { app in
            for (method, path) in Self.adminRoutes + Self.recognizeRoutes {
                try await app.testing().test(method, path) { res async throws in
                    #expect(res.status == .unauthorized, "\(method) \(path)")
                    #expect(try res.errorBody().error.code == "unauthorized")
                }
            }
        }
    }

    @Test func recognizeKeyIsForbiddenOnAdminRoutesOnly() async throws {
        try await withApp { app in
            let key = try await createAPIKey(.recognize, on: app)
            for (method, path) in Self.adminRoutes {
                try await app.testing().test(method, path, headers: .apiKey(key)) { res async throws in
                    #expect(res.status == .forbidden, "\(method) \(path)")
                    #expect(try res.errorBody().error.code == "forbidden")
                }
            }
            // Past the role check: this app has no face engine, so the answer is 503, not 401/403.
            for headers in [HTTPHeaders.apiKey(key), .bearer(TestKeys.admin)] {
                for (method, path) in Self.recognizeRoutes {
                    try await app.testing().test(method, path, headers: headers) { res async throws in
                        #expect(res.status == .serviceUnavailable, "\(method) \(path)")
                        #expect(try res.errorBody().error.code == "engine_unavailable")
                    }
                }
            }
        }
    }

    @Test func docsAndDocumentAreOpen() async throws {
        try await withApp { app in
            try await app.testing().test(.GET, "openapi.json") { res async in
                #expect(res.status == .ok && res.headers.contentType == .json)
            }
            try await app.testing().test(.GET, "docs") { res async in
                #expect(res.status == .ok && res.headers.contentType == .html)
                #expect(res.body.string.contains("url: '/openapi.json'") && res.body.string.contains("/docs/assets/swagger-ui-bundle.js"))
                #expect(!res.body.string.contains("https://"), "the page must not need the internet")
            }
        }
    }

    /// Swagger UI's files come from the server (scripts/setup installs them), never a CDN.
    @Test func docsAssetsAreServedLocally() async throws {
        let installed = FaceFixtures.packageRoot.appendingPathComponent("swagger-ui")
        try await withApp(["DOCS_ASSETS_DIR": installed.path]) { app in
            let onDisk = try Data(contentsOf: installed.appendingPathComponent("swagger-ui-bundle.js"))
            try await app.testing().test(.GET, "docs/assets/swagger-ui-bundle.js") { res async in
                #expect(res.status == .ok && res.headers.contentType?.subType == "javascript")
                #expect(res.body.readableBytes == onDisk.count && onDisk.count > 500_000)
            }
            try await app.testing().test(.GET, "docs/assets/swagger-ui.css") { res async in
                #expect(res.status == .ok && res.headers.contentType?.subType == "css" && res.body.readableBytes > 10_000)
            }
            for path in ["docs/assets/LICENSE", "docs/assets/index.html"] {
                try await app.testing().test(.GET, path) { res async in #expect(res.status == .notFound, "\(path)") }
            }
            // A path with `..` never reaches the route: the file middleware refuses it.
            try await app.testing().test(.GET, "docs/assets/..%2F..%2FPackage.swift") { res async in
                #expect(res.status == .forbidden || res.status == .notFound)
                #expect(!res.body.string.contains("PackageDescription"))
            }
        }
        try await withApp(["DOCS_ASSETS_DIR": "/nonexistent/swagger-ui"]) { app in
            try await app.testing().test(.GET, "docs/assets/swagger-ui.css") { res async throws in
                #expect(res.status == .notFound)
                #expect(try res.errorBody().error.message.contains("scripts/setup"))
            }
        }
    }
}
