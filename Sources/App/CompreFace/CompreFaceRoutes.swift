import Vapor

/// `/api/v1`: CompreFace's REST contract, so CompreFace clients (Double Take, Viseron, the SDKs)
/// work by changing the URL. The key goes in `x-api-key` as elsewhere; a `recognize` key may
/// recognize, detect and verify, an `admin` key may also change faces and subjects. Errors here
/// are CompreFace's shape (`CompreFaceError`).
enum CompreFaceRoutes {
    static let prefix = "/api/v1"

    static func register(admin: any RoutesBuilder, recognize: any RoutesBuilder) throws {
        try recognize.grouped("v1").register(collection: CompreFaceRecognitionController())
        let adminV1 = admin.grouped("v1")
        try adminV1.register(collection: CompreFaceFacesController())
        try adminV1.register(collection: CompreFaceSubjectsController())
    }

    /// Whether a request is for the CompreFace API.
    static func contains(_ request: Request) -> Bool {
        let path = request.url.path.lowercased()
        return path == prefix || path.hasPrefix(prefix + "/")
    }
}
