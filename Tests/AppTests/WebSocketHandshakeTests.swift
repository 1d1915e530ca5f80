@testable import App
import Testing
import VaporTesting

/// `/ws/recognize` answers a request that is not a WebSocket opening handshake with 400, not with
/// Vapor's 101-to-nothing.
@Suite("WebSocket handshake")
struct WebSocketHandshakeTests {
    static let handshake: HTTPHeaders = [
        "Connection": "keep-alive, Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    ]

    @Test func recognisesTheOpeningHandshake() {
        #expect(WebSocketHandshake.isHandshake(Self.handshake))
        for (name, value) in [("Upgrade", "h2c"), ("Sec-WebSocket-Version", "8"), ("Sec-WebSocket-Key", "short=="),
                              ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ"), ("Connection", "close")] {
            var headers = Self.handshake
            headers.replaceOrAdd(name: name, value: value)
            #expect(!WebSocketHandshake.isHandshake(headers), "\(name): \(value)")
        }
        for name in ["Connection", "Upgrade", "Sec-WebSocket-Version", "Sec-WebSocket-Key"] {
            var headers = Self.handshake
            headers.remove(name: name)
            #expect(!WebSocketHandshake.isHandshake(headers), "without \(name)")
        }
    }

    @Test func aPlainGetIs400() async throws {
        try await withApp { app in
            try await app.testing().test(.GET, "ws/recognize", headers: .bearer(TestKeys.admin)) { res async throws in
                #expect(res.status == .badRequest)
                #expect(try res.errorBody().error.code == "bad_request")
            }
            // The key is still checked first.
            try await app.testing().test(.GET, "ws/recognize") { res async throws in
                #expect(res.status == .unauthorized)
            }
        }
    }
}
