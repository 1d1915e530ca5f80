import Foundation
import Vapor

/// Refuses a request to a WebSocket route that is not an RFC 6455 opening handshake, with 400
/// `bad_request`. Without it, Vapor answers a plain GET with a 101 that switches to nothing. The OpenAPI
/// document lists these same headers under the operation's `x-websocket`.
struct WebSocketHandshake: AsyncMiddleware {
    /// The header parameters an upgrade needs, with the one value each may take (nil: the key, checked by `isKey`).
    static let headers: [(name: String, value: String?)] = [
        ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", nil),
    ]
    /// `Sec-WebSocket-Key`: 16 bytes in base64.
    static let keyPattern = "^[A-Za-z0-9+/]{22}==$"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard Self.isHandshake(request.headers) else {
            throw FaceStreamError.badRequest("this is a WebSocket endpoint: send an opening handshake (Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Version: 13, Sec-WebSocket-Key)")
        }
        return try await next.respond(to: request)
    }

    static func isHandshake(_ headers: HTTPHeaders) -> Bool {
        let connection = headers[.connection].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard connection.contains("upgrade"),
              headers[.upgrade].contains(where: { $0.lowercased() == "websocket" }),
              headers.first(name: "Sec-WebSocket-Version") == "13",
              let key = headers.first(name: "Sec-WebSocket-Key") else { return false }
        return isKey(key)
    }

    static func isKey(_ key: String) -> Bool {
        key.range(of: keyPattern, options: .regularExpression) != nil && Data(base64Encoded: key)?.count == 16
    }
}
