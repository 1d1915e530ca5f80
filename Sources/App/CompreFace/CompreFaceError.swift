import Vapor

/// An error in CompreFace's shape, `{"message":"…","code":28}`, for everything under `/api/v1`.
/// The numeric codes are CompreFace's own, so its clients (Double Take, Viseron, the SDKs) read
/// them as they would CompreFace's: Double Take, for one, takes 400 code 28 as "no face here".
struct CompreFaceError: AbortError, Sendable, CustomStringConvertible {
    /// CompreFace's codes; each says which HTTP status it goes with in CompreFace.
    enum Code: Int, Sendable {
        case undefined = 0
        case modelNotFound = 10
        case imageNotFound = 11
        case incorrectPredictionCount = 12
        case missingRequestHeader = 20
        case unavailableFileExtension = 21
        case validationConstraintViolation = 26
        case noFacesFound = 28
        case tooManyFaces = 31
        case writingNotAllowed = 32
        case missingRequestParameter = 33
        case missingRequestPart = 34
        case incorrectArgument = 36
        case facesServiceException = 41
        case subjectNotFound = 42
        case subjectAlreadyExists = 43
    }

    let status: HTTPResponseStatus
    let code: Code
    let message: String
    var headers: HTTPHeaders = [:]

    var reason: String { message }
    var description: String { "\(status.code) CompreFace \(code.rawValue): \(message)" }

    static func noFace() -> Self { .init(status: .badRequest, code: .noFacesFound, message: "No face is found in the given image") }
    static func validation(_ message: String) -> Self { .init(status: .badRequest, code: .validationConstraintViolation, message: message) }
    static func missingPart(_ message: String) -> Self { .init(status: .badRequest, code: .missingRequestPart, message: message) }
    static func subjectNotFound(_ subject: String) -> Self {
        .init(status: .notFound, code: .subjectNotFound, message: "Subject \(subject.prefix(200)) not found")
    }
    static func imageNotFound(_ id: String) -> Self {
        .init(status: .notFound, code: .imageNotFound, message: "Image with id \(id.prefix(100)) not found")
    }

    /// The JSON body.
    struct Body: Content {
        var message: String
        var code: Int
    }
}

extension CompreFaceError {
    /// Any error thrown under `/api/v1`, in CompreFace's terms. FaceStream's own errors keep their
    /// HTTP status where CompreFace has no equivalent (413, 415, 503) and take the nearest code.
    static func translating(_ error: any Error, request: Request, debug: Bool) -> CompreFaceError {
        if let error = error as? CompreFaceError { return error }
        return translating(ErrorTranslation.translate(error, debug: debug), keyPresented: APIKeyMiddleware.presentedKey(request) != nil)
    }

    static func translating(_ error: FaceStreamError, keyPresented: Bool) -> CompreFaceError {
        func make(_ status: HTTPResponseStatus, _ code: Code) -> CompreFaceError {
            CompreFaceError(status: status, code: code, message: error.message, headers: error.headers)
        }
        switch error.code.catalogued {
        case .unauthorized: return make(.unauthorized, keyPresented ? .modelNotFound : .missingRequestHeader)
        case .forbidden: return make(.forbidden, .writingNotAllowed)
        case .noFace: return noFace()
        case .multipleFaces: return make(.badRequest, .tooManyFaces)
        case .validationFailed, .badRequest, .lowQuality, .emptyImage, .corruptImage, .invalidArgument:
            return make(.badRequest, .validationConstraintViolation)
        case .unsupportedFormat, .unsupportedMediaType: return make(.badRequest, .unavailableFileExtension)
        case .notFound: return make(.notFound, .undefined)
        case .internalError: return make(.internalServerError, .facesServiceException)
        default: return make(error.status, .undefined)
        }
    }
}
