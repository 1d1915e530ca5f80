import FaceKit
import Vapor

/// Every error code FaceStream's own API answers with, each with its HTTP status and meaning: the one
/// catalogue. REST error bodies (`FaceStreamError`), enrolment rejections and the stream's `error`
/// messages take their codes from here, the OpenAPI document's code enums are generated from it, and a
/// test holds README's error tables to it. (`/api/v1` speaks CompreFace's numeric codes instead; see
/// `CompreFaceError`.)
///
/// The only code outside it is `http_<status>`, for an HTTP error the framework raises that has no code
/// of its own (`FaceStreamError.Code.httpStatus`).
public enum ErrorCode: String, CaseIterable, Sendable {
    // The request as a whole.
    case badRequest = "bad_request"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case conflict
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case validationFailed = "validation_failed"
    // Faces and people.
    case noFace = "no_face"
    case multipleFaces = "multiple_faces"
    case lowQuality = "low_quality"
    case noEnrolledFaces = "no_enrolled_faces"
    case userInactive = "user_inactive"
    // Images (the face engine's codes).
    case corruptImage = "corrupt_image"
    case unsupportedFormat = "unsupported_format"
    case emptyImage = "empty_image"
    case imageTooLarge = "image_too_large"
    case invalidArgument = "invalid_argument"
    // Enrolment rejections only.
    case undecodable
    case tooLarge = "too_large"
    // Stream messages only.
    case invalidJSON = "invalid_json"
    case invalidMessage = "invalid_message"
    case unknownType = "unknown_type"
    case invalidBase64 = "invalid_base64"
    case frameTooLarge = "frame_too_large"
    case tooManyConnections = "too_many_connections"
    case shuttingDown = "shutting_down"
    // The server.
    case databaseUnavailable = "database_unavailable"
    case engineOverloaded = "engine_overloaded"
    case engineUnavailable = "engine_unavailable"
    case serviceUnavailable = "service_unavailable"
    case internalError = "internal_error"

    /// Where a code can appear.
    public struct Uses: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// `{"error":{"code"}}` bodies of `/api`, `/health`, `/metrics`, `/docs` and refused upgrades.
        public static let rest = Uses(rawValue: 1)
        /// `rejected[].code` of `POST /api/users/{id}/faces`.
        public static let enrollment = Uses(rawValue: 2)
        /// `{"type":"error","code"}` messages of `/ws/recognize`.
        public static let stream = Uses(rawValue: 4)
    }

    public var uses: Uses {
        switch self {
        case .noFace, .multipleFaces, .lowQuality: [.rest, .enrollment]
        case .corruptImage, .unsupportedFormat, .emptyImage, .imageTooLarge, .invalidArgument, .engineOverloaded, .engineUnavailable,
             .internalError:
            [.rest, .stream]
        case .undecodable, .tooLarge: .enrollment
        case .invalidJSON, .invalidMessage, .unknownType, .invalidBase64, .frameTooLarge, .tooManyConnections, .shuttingDown: .stream
        default: .rest
        }
    }

    /// The status of a REST response with this code; nil for codes that are never one.
    public var status: HTTPResponseStatus? {
        switch self {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict: .conflict
        case .payloadTooLarge, .imageTooLarge: .payloadTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .validationFailed, .noFace, .multipleFaces, .lowQuality, .noEnrolledFaces, .userInactive,
             .corruptImage, .unsupportedFormat, .emptyImage, .invalidArgument:
            .unprocessableEntity
        case .engineOverloaded, .engineUnavailable, .databaseUnavailable, .serviceUnavailable: .serviceUnavailable
        case .internalError: .internalServerError
        case .undecodable, .tooLarge, .invalidJSON, .invalidMessage, .unknownType, .invalidBase64, .frameTooLarge,
             .tooManyConnections, .shuttingDown:
            nil
        }
    }

    /// What it means, for people (README and the OpenAPI document say the same).
    public var meaning: String {
        switch self {
        case .badRequest: "the request can't be read (e.g. malformed multipart)"
        case .unauthorized: "no API key, or an unknown or revoked one (with `WWW-Authenticate: Bearer`)"
        case .forbidden: "the API key's role may not do this"
        case .notFound: "an unknown route, or an id that names nothing"
        case .methodNotAllowed: "the path exists but not with this method (with `Allow`)"
        case .conflict: "the email or employee_id is taken"
        case .payloadTooLarge: "the request or an image is above MAX_UPLOAD_BYTES"
        case .unsupportedMediaType: "send application/json, or multipart/form-data where images are accepted"
        case .validationFailed: "a field or parameter is invalid (bad base64 included)"
        case .noFace: "no face found in the image"
        case .multipleFaces: "more than one face where one is needed; use a photo of the person alone"
        case .lowQuality: "the face's quality score is below MIN_ENROLL_QUALITY"
        case .noEnrolledFaces: "the user to verify against has no enrolled faces"
        case .userInactive: "the user to verify against is deactivated"
        case .corruptImage: "the image is truncated or damaged"
        case .unsupportedFormat: "the image is not JPEG or PNG"
        case .emptyImage: "the image has no bytes"
        case .imageTooLarge: "the image has more than MAX_IMAGE_PIXELS pixels"
        case .invalidArgument: "the face engine refused an input it can't work with (e.g. a stored embedding of the wrong size)"
        case .undecodable: "bad base64, not JPEG/PNG, truncated or empty"
        case .tooLarge: "above MAX_UPLOAD_BYTES or MAX_IMAGE_PIXELS"
        case .invalidJSON: "the text message is not JSON"
        case .invalidMessage: "JSON without a usable `type`, or a frame without `data`"
        case .unknownType: "`type` is not `frame` or `ping`"
        case .invalidBase64: "`data` doesn't decode"
        case .frameTooLarge: "the frame is above MAX_FRAME_BYTES"
        case .tooManyConnections: "connection refused: the server is at MAX_CONNECTIONS (then close 1013)"
        case .shuttingDown: "connection refused: the server is shutting down (then close 1013)"
        case .engineOverloaded: "the face engine's queue is full; retry (`Retry-After: 1`)"
        case .engineUnavailable: "the server runs without the face models"
        case .databaseUnavailable: "the database doesn't answer; retry (`Retry-After: 5`)"
        case .serviceUnavailable: "the server can't answer now; retry later"
        case .internalError: "a bug or an unexpected failure (details only with DEBUG=true)"
        }
    }

    /// The codes with one of these uses, in catalogue order.
    public static func used(in uses: Uses) -> [ErrorCode] { allCases.filter { !$0.uses.isDisjoint(with: uses) } }

    /// The REST codes answered with `status`, in catalogue order.
    public static func answered(with status: HTTPResponseStatus) -> [ErrorCode] {
        allCases.filter { $0.uses.contains(.rest) && $0.status == status }
    }

    /// The engine's failures as the API names them (the engine's model and internal errors are ours: internal).
    public init(_ code: FaceKitError.Code) {
        self = switch code {
        case .emptyInput: .emptyImage
        case .unsupportedFormat: .unsupportedFormat
        case .corruptImage: .corruptImage
        case .imageTooLarge: .imageTooLarge
        case .invalidArgument: .invalidArgument
        case .overloaded: .engineOverloaded
        case .modelError, .internalError: .internalError
        }
    }
}
