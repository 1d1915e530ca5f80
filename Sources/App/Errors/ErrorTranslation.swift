import FaceKit
import Vapor

/// Turns any error thrown while handling a request into the `FaceStreamError` the client sees.
/// Pure (no request, no I/O) so every mapping can be tested directly.
enum ErrorTranslation {
    /// - Parameter debug: `DEBUG=true` shows internal error details; otherwise they stay in the log.
    static func translate(_ error: any Error, debug: Bool) -> FaceStreamError {
        switch error {
        case let error as FaceStreamError:
            return error
        case let error as FaceKitError:
            return translate(error, debug: debug)
        case let error as DecodingError:
            // Vapor would say 400; a body that parses but doesn't fit the schema is 422 here.
            return .validationFailed(error.reason)
        case let error as ValidationsError:
            return .validationFailed(error.description)
        case let error as any AbortError:
            return translate(abort: error, debug: debug)
        case _ where DatabaseFailure.isUnavailable(error):
            return .databaseUnavailable(debug ? "the database is unavailable: \(error)" : "the database is unavailable")
        case _ where DatabaseFailure.isConstraintViolation(error):
            return .conflict(debug ? "conflicts with existing data: \(error)" : "the request conflicts with existing data")
        default:
            return .internalError(debug ? String(reflecting: error) : "an internal error occurred")
        }
    }

    /// Bad input images are the client's fault (422, or 413 when too big); a busy engine is 503.
    static func translate(_ error: FaceKitError, debug: Bool) -> FaceStreamError {
        switch ErrorCode(error.code) {
        case .internalError:
            return .internalError(debug ? error.description : "an internal error occurred")
        case .engineOverloaded:
            return .init(.engineOverloaded, error.message, headers: ["Retry-After": "1"])
        case let code:
            return .init(code, error.message)
        }
    }

    /// Vapor's own errors (404, 413 from body limits, 415, …): keep status and reason, add a code.
    static func translate(abort error: any AbortError, debug: Bool) -> FaceStreamError {
        let status = error.status
        var message = error.reason
        if status.code >= 500, !debug, !(error is Abort) {
            message = "an internal error occurred"
        }
        return .init(status, code: code(for: status), message: message, headers: error.headers)
    }

    /// The catalogue's code for a status Vapor raised; `http_<status>` for a 4xx the catalogue has no code for.
    static func code(for status: HTTPResponseStatus) -> FaceStreamError.Code {
        switch status {
        case .badRequest: .init(.badRequest)
        case .unauthorized: .init(.unauthorized)
        case .forbidden: .init(.forbidden)
        case .notFound: .init(.notFound)
        case .methodNotAllowed: .init(.methodNotAllowed)
        case .conflict: .init(.conflict)
        case .payloadTooLarge: .init(.payloadTooLarge)
        case .unsupportedMediaType: .init(.unsupportedMediaType)
        case .unprocessableEntity: .init(.validationFailed)
        case .serviceUnavailable: .init(.serviceUnavailable)
        default: status.code >= 500 ? .init(.internalError) : .httpStatus(status)
        }
    }
}
