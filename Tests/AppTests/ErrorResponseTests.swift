@testable import App
import FaceKit
import Fluent
import Testing
import VaporTesting

@Suite("Error responses", .serialized)
struct ErrorResponseTests {
    struct NewUser: Content { var name: String; var email: String? }

    private func addProbeRoutes(_ app: Application) {
        let probe = app.grouped("probe")
        probe.post("users") { req async throws -> UserDTO in
            let input = try req.content.decode(NewUser.self)
            let user = User(name: input.name, email: input.email)
            try await user.create(on: req.db)
            return try user.toDTO(faceCount: 0)
        }
        probe.get("facekit", ":code") { req async throws -> String in
            let code = try #require(FaceKitError.Code(rawValue: req.parameters.get("code") ?? ""))
            throw FaceKitError(code, "engine says no")
        }
        probe.get("crash") { _ async throws -> String in
            struct Secret: Error {}
            throw Secret()
        }
        probe.on(.POST, "small", body: .collect(maxSize: 16)) { _ in "ok" }
    }

    @Test func unknownRouteIs404JSON() async throws {
        try await withApp { app in
            try await app.testing().test(.GET, "no/such/thing") { res async throws in
                #expect(res.status == .notFound)
                #expect(res.headers.contentType == .json)
                #expect(try res.errorBody() == ErrorResponse(code: "not_found", message: "no route for GET /no/such/thing"))
                // The same error is the same bytes: keys sorted, slashes unescaped.
                #expect(res.body.string == #"{"error":{"code":"not_found","message":"no route for GET /no/such/thing"}}"#)
            }
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await withApp { app in
            try await app.testing().test(.DELETE, "health") { res async throws in
                #expect(res.status == .methodNotAllowed)
                #expect(res.headers.first(name: .allow) == "GET, HEAD")
                #expect(try res.errorBody().error.code == "method_not_allowed")
            }
        }
    }

    /// A constant path segment is not an id: `GET /api/logs/search` is the search endpoint with the wrong
    /// method, not sighting "search"; the same in CompreFace's shape under /api/v1.
    @Test func aSiblingConstantIsNotAnID() async throws {
        try await withApp { app in
            try await app.testing().test(.GET, "api/logs/search", headers: .bearer(TestKeys.admin)) { res async throws in
                #expect(res.status == .methodNotAllowed)
                #expect(res.headers.first(name: .allow) == "POST")
                #expect(try res.errorBody().error.code == "method_not_allowed")
            }
            try await app.testing().test(.OPTIONS, "api/v1/recognition/faces/delete", headers: .bearer(TestKeys.admin)) { res async throws in
                #expect(res.status == .methodNotAllowed)
                #expect(res.headers.first(name: .allow) == "POST")
            }
            try await app.testing().test(.GET, "api/logs/12345", headers: .bearer(TestKeys.admin)) { res async throws in
                #expect(res.status == .notFound)
            }
        }
    }

    @Test func badBodiesAre422And415() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            try await app.testing().test(.POST, "probe/users", headers: ["Content-Type": "application/json"],
                                         body: .init(string: #"{"email":"x@example.com"}"#)) { res async throws in
                #expect(res.status == .unprocessableEntity)
                let body = try res.errorBody()
                #expect(body.error.code == "validation_failed")
                #expect(body.error.message.contains("name"))
            }
            try await app.testing().test(.POST, "probe/users", headers: ["Content-Type": "application/json"],
                                         body: .init(string: "{not json")) { res async throws in
                #expect(res.status == .unprocessableEntity)
                #expect(try res.errorBody().error.code == "validation_failed")
            }
            try await app.testing().test(.POST, "probe/users", headers: ["Content-Type": "application/x-unknown"],
                                         body: .init(string: "name=x")) { res async throws in
                #expect(res.status == .unsupportedMediaType)
                #expect(try res.errorBody().error.code == "unsupported_media_type")
            }
        }
    }

    @Test func duplicateIsConflictAndDTOIsSnakeCaseISO8601() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            let body = #"{"name":"Ann","email":"ann@example.com"}"#
            try await app.testing().test(.POST, "probe/users", headers: ["Content-Type": "application/json"],
                                         body: .init(string: body)) { res async throws in
                #expect(res.status == .ok)
                let json = res.body.string
                // Optional fields are sent as null, not left out: every field of the schema is always there.
                #expect(json.contains(#""is_active":true"#) && json.contains(#""employee_id":null"#))
                #expect(json.range(of: #""created_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ""#, options: .regularExpression) != nil)
            }
            try await app.testing().test(.POST, "probe/users", headers: ["Content-Type": "application/json"],
                                         body: .init(string: body)) { res async throws in
                #expect(res.status == .conflict)
                #expect(try res.errorBody().error.code == "conflict")
            }
        }
    }

    @Test(arguments: [("corrupt_image", 422), ("unsupported_format", 422), ("image_too_large", 413), ("engine_overloaded", 503)])
    func faceKitErrorsKeepTheirCode(code: String, status: UInt) async throws {
        try await withApp { app in
            addProbeRoutes(app)
            try await app.testing().test(.GET, "probe/facekit/\(code)") { res async throws in
                #expect(res.status.code == status)
                #expect(try res.errorBody() == ErrorResponse(code: code, message: "engine says no"))
            }
        }
    }

    @Test func internalErrorsAreGenericUnlessDebug() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            try await app.testing().test(.GET, "probe/crash") { res async throws in
                #expect(res.status == .internalServerError)
                #expect(try res.errorBody() == ErrorResponse(code: "internal_error", message: "an internal error occurred"))
            }
        }
        try await withApp(["DEBUG": "true"]) { app in
            addProbeRoutes(app)
            try await app.testing().test(.GET, "probe/crash") { res async throws in
                #expect(res.status == .internalServerError)
                #expect(try res.errorBody().error.message.contains("Secret"))
            }
        }
    }

    @Test func oversizedBodyIs413OnARealServer() async throws {
        try await withApp { app in
            addProbeRoutes(app)
            try await app.testing(method: .running(port: 0)).test(
                .POST, "probe/small", headers: ["Content-Type": "application/octet-stream"],
                body: .init(string: String(repeating: "x", count: 4096))
            ) { res async throws in
                #expect(res.status == .payloadTooLarge)
                #expect(try res.errorBody().error.code == "payload_too_large")
            }
        }
    }

    @Test func unreachableDatabaseIs503() async throws {
        try await withApp(["DATABASE_URL": "postgres://u@127.0.0.1:1/x"], migrate: false) { app in
            addProbeRoutes(app)
            try await app.testing().test(.POST, "probe/users", headers: ["Content-Type": "application/json"],
                                         body: .init(string: #"{"name":"Ann"}"#)) { res async throws in
                #expect(res.status == .serviceUnavailable)
                #expect(try res.errorBody().error.code == "database_unavailable")
            }
        }
    }
}
