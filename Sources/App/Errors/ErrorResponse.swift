import Vapor

/// The JSON body of every error: `{"error":{"code":"not_found","message":"…"}}`.
public struct ErrorResponse: Content, Equatable {
    public struct Detail: Codable, Equatable, Sendable {
        public var code: String
        public var message: String
    }

    public var error: Detail

    public init(code: String, message: String) {
        self.error = Detail(code: code, message: message)
    }

    init(_ error: FaceStreamError) {
        self.init(code: error.code.rawValue, message: error.message)
    }
}
