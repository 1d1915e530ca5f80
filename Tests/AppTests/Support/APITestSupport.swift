@testable import App
import FaceKit
import Fluent
import Vapor
import VaporTesting

/// An app with the face engine loaded as `serve` loads it (config.loadFaceEngine, two engine
/// threads) and booted, so the gallery was filled from the database as at start-up. One at a time
/// (`EngineTestLock`).
@discardableResult
func withFaceApp<T>(_ environment: [String: String] = [:], _ body: (Application) async throws -> T) async throws -> T {
    try await EngineTestLock.exclusively {
        try await withApp(environment, faceEngine: true) { app in
            try await app.asyncBoot()
            return try await body(app)
        }
    }
}

extension Application {
    /// Requests over a real TCP connection to a server on a free port of 127.0.0.1. Vapor's tester starts
    /// and stops the server around every request; restarted on a new port each time, the server would
    /// log "Cannot modify server configuration after server has been started" from the second request
    /// on. So the port is found once and kept.
    func live() async throws -> any TestingApplicationTester {
        try await server.start(address: .hostname("127.0.0.1", port: 0))
        let port = http.server.shared.localAddress?.port
        await server.shutdown()
        guard let port else { throw TestSetupError("the server had no port") }
        return try testing(method: .running(hostname: "127.0.0.1", port: port))
    }
}

/// A `multipart/form-data` body, built the way curl and browsers build one.
struct MultipartBody {
    static let boundary = "facestream-test-boundary-7d1c"
    private var buffer = ByteBuffer()

    init() {}

    mutating func file(_ name: String, filename: String, _ bytes: Data, type: String = "image/jpeg") {
        buffer.writeString("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n")
    }

    mutating func field(_ name: String, _ value: String) {
        buffer.writeString("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
    }

    var body: ByteBuffer {
        var complete = buffer
        complete.writeString("--\(Self.boundary)--\r\n")
        return complete
    }

    static func headers(key: String = TestKeys.admin) -> HTTPHeaders {
        ["X-API-Key": key, "Content-Type": "multipart/form-data; boundary=\(boundary)"]
    }

    /// Photos from the fixtures as `file` parts.
    static func photos(_ paths: [String], fields: [(String, String)] = []) throws -> MultipartBody {
        var body = MultipartBody()
        for path in paths { body.file("file", filename: (path as NSString).lastPathComponent, try FaceFixtures.data(path)) }
        for (name, value) in fields { body.field(name, value) }
        return body
    }
}

extension HTTPHeaders {
    static func json(key: String = TestKeys.admin) -> HTTPHeaders {
        ["X-API-Key": key, "Content-Type": "application/json"]
    }
}

extension ByteBuffer {
    /// A JSON body from an `Encodable` (dictionaries of strings, DTO-like structs…).
    static func json(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(data: try JSONEncoder().encode(value))
    }
}

/// Images made in the test rather than read from fixtures.
enum SyntheticImages {
    /// A smooth colour gradient: a valid photo with no face in it.
    static func gradient(width: Int = 320, height: Int = 240) throws -> Data {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                rgb[i] = UInt8(x * 255 / max(1, width - 1))
                rgb[i + 1] = UInt8(y * 255 / max(1, height - 1))
                rgb[i + 2] = 128
            }
        }
        return try Image(rgb: rgb, width: width, height: height).jpegData()
    }
}

/// Creates an API key of `role` in the database, as `facestream keys create` does.
func createAPIKey(_ role: APIRole, on app: Application) async throws -> String {
    let key = APIKeyCrypto.generateKey()
    try await APIKey(name: "\(role) test key", role: role, key: key).create(on: app.db)
    return key
}

/// Creates a user over the API and returns it.
@discardableResult
func createUser(_ name: String, email: String? = nil, employeeID: String? = nil, in app: Application) async throws -> UserDTO {
    var fields = ["name": name]
    fields["email"] = email
    fields["employee_id"] = employeeID
    let response = try await app.testing().sendRequest(.POST, "api/users", headers: .json(), body: .json(fields))
    guard response.status == .created else { throw TestSetupError("creating \(name): \(response.status) \(response.body.string)") }
    return try response.content.decode(UserDTO.self)
}
