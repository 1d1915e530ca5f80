@testable import App
import Vapor
import VaporTesting

extension TestingHTTPResponse {
    /// The `{"error":{…}}` body every error must have; throws if it isn't one.
    func errorBody() throws -> ErrorResponse {
        try content.decode(ErrorResponse.self)
    }
}

extension HTTPHeaders {
    static func apiKey(_ key: String) -> HTTPHeaders { ["X-API-Key": key] }
    static func bearer(_ key: String) -> HTTPHeaders { ["Authorization": "Bearer \(key)"] }
}
