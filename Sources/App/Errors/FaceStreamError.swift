import Vapor

/// The one error type the API speaks. Every failure a client sees is rendered from one of these as
/// `{"error":{"code":"…","message":"…"}}`; `code` is stable and machine-readable (`ErrorCode`), `message` is for people.
public struct FaceStreamError: AbortError, Sendable, CustomStringConvertible {
    /// The code a client sees: one of the catalogue's (`ErrorCode`), or `http_<status>` for an HTTP
    /// error of the framework's that has no code of its own.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ code: ErrorCode) { self.rawValue = code.rawValue }
        public var description: String { rawValue }

        /// The catalogue's entry; nil for `http_<status>`.
        public var catalogued: ErrorCode? { ErrorCode(rawValue: rawValue) }

        public static func httpStatus(_ status: HTTPResponseStatus) -> Code { Code(rawValue: "http_\(status.code)") }

        public static func == (code: Code, catalogued: ErrorCode) -> Bool { code.rawValue == catalogued.rawValue }
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

    /// A catalogued error, with the catalogue's status unless told otherwise.
    public init(_ code: ErrorCode, _ message: String, status: HTTPResponseStatus? = nil, headers: HTTPHeaders = [:]) {
        self.init(status ?? code.status ?? .internalServerError, code: Code(code), message: message, headers: headers)
    }

    public var reason: String { message }
    public var description: String { "\(status.code) \(code): \(message)" }
}

// Shorthands, so call sites read like the API contract: `throw FaceStreamError.notFound("user 7 not found")`.
extension FaceStreamError {
    public static func badRequest(_ message: String) -> Self { .init(.badRequest, message) }
    public static func validationFailed(_ message: String) -> Self { .init(.validationFailed, message) }
    public static func unauthorized(_ message: String = "a valid API key is required") -> Self {
        // WWW-Authenticate is what RFC 9110 asks a 401 to carry.
        .init(.unauthorized, message, headers: ["WWW-Authenticate": "Bearer"])
    }
    public static func forbidden(_ message: String = "this API key is not allowed to do that") -> Self { .init(.forbidden, message) }
    public static func notFound(_ message: String) -> Self { .init(.notFound, message) }
    public static func methodNotAllowed(allowed: [HTTPMethod]) -> Self {
        let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return .init(.methodNotAllowed, "method not allowed here; allowed: \(list)", headers: ["Allow": list])
    }
    public static func conflict(_ message: String) -> Self { .init(.conflict, message) }
    public static func payloadTooLarge(_ message: String) -> Self { .init(.payloadTooLarge, message) }
    public static func unsupportedMediaType(_ message: String) -> Self { .init(.unsupportedMediaType, message) }
    public static func databaseUnavailable(_ message: String = "the database is unavailable") -> Self {
        .init(.databaseUnavailable, message, headers: ["Retry-After": "5"])
    }
    public static func engineUnavailable() -> Self { .init(.engineUnavailable, "the face engine is not loaded on this server") }
    public static func internalError(_ message: String = "an internal error occurred") -> Self { .init(.internalError, message) }
    static func noFace(_ message: String) -> Self { .init(.noFace, message) }
    static func multipleFaces(_ message: String) -> Self { .init(.multipleFaces, message) }
}
