import Vapor

/// The one error type the API speaks. Every failure a client sees is rendered from one of these as
/// `{"error":{"code":"…","message":"…"}}`; `code` is stable and machine-readable, `message` is for people.
public struct FaceStreamError: AbortError, Sendable, CustomStringConvertible {
    /// Stable error codes. A struct, not an enum, so engine codes (e.g. `corrupt_image`) pass through as-is.
    public struct Code: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        public static let badRequest: Code = "bad_request"
        public static let validationFailed: Code = "validation_failed"
        public static let unauthorized: Code = "unauthorized"
        public static let forbidden: Code = "forbidden"
        public static let notFound: Code = "not_found"
        public static let methodNotAllowed: Code = "method_not_allowed"
        public static let conflict: Code = "conflict"
        public static let payloadTooLarge: Code = "payload_too_large"
        public static let unsupportedMediaType: Code = "unsupported_media_type"
        public static let rateLimited: Code = "rate_limited"
        public static let databaseUnavailable: Code = "database_unavailable"
        public static let serviceUnavailable: Code = "service_unavailable"
        public static let internalError: Code = "internal_error"
    }

    public let code: Code
    public let status: HTTPResponseStatus
    public let message: String
    public let headers: HTTPHeaders

    public init(_ status: HTTPResponseStatus, code: Code, message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var reason: String { message }
    public var description: String { "\(status.code) \(code): \(message)" }
}

// Shorthands, so call sites read like the API contract: `throw FaceStreamError.notFound("user 7 not found")`.
extension FaceStreamError {
    public static func badRequest(_ message: String) -> Self { .init(.badRequest, code: .badRequest, message: message) }
    public static func validationFailed(_ message: String) -> Self {
        .init(.unprocessableEntity, code: .validationFailed, message: message)
    }
    public static func unauthorized(_ message: String = "a valid API key is required") -> Self {
        // WWW-Authenticate is what RFC 9110 asks a 401 to carry.
        .init(.unauthorized, code: .unauthorized, message: message, headers: ["WWW-Authenticate": "Bearer"])
    }
    public static func forbidden(_ message: String = "this API key is not allowed to do that") -> Self {
        .init(.forbidden, code: .forbidden, message: message)
    }
    public static func notFound(_ message: String) -> Self { .init(.notFound, code: .notFound, message: message) }
    public static func methodNotAllowed(allowed: [HTTPMethod]) -> Self {
        let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return .init(.methodNotAllowed, code: .methodNotAllowed,
                     message: "method not allowed here; allowed: \(list)", headers: ["Allow": list])
    }
    public static func conflict(_ message: String) -> Self { .init(.conflict, code: .conflict, message: message) }
    public static func payloadTooLarge(_ message: String) -> Self {
        .init(.payloadTooLarge, code: .payloadTooLarge, message: message)
    }
    public static func unsupportedMediaType(_ message: String) -> Self {
        .init(.unsupportedMediaType, code: .unsupportedMediaType, message: message)
    }
    public static func databaseUnavailable(_ message: String = "the database is unavailable") -> Self {
        .init(.serviceUnavailable, code: .databaseUnavailable, message: message, headers: ["Retry-After": "5"])
    }
    public static func internalError(_ message: String = "an internal error occurred") -> Self {
        .init(.internalServerError, code: .internalError, message: message)
    }
}
