import CDlibFace

/// Every failure the engine reports, with a stable machine-readable code.
public struct FaceKitError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case emptyInput = "empty_image"
        case unsupportedFormat = "unsupported_format"
        case corruptImage = "corrupt_image"
        case imageTooLarge = "image_too_large"
        case modelError = "model_error"
        case invalidArgument = "invalid_argument"
        case overloaded = "engine_overloaded"
        case internalError = "internal_error"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Maps a C status and its message buffer.
    init(status: Int32, message buffer: [CChar]) {
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let code: Code = switch Int(status) {
        case Int(DLIBFACE_EMPTY_INPUT): .emptyInput
        case Int(DLIBFACE_UNSUPPORTED_FORMAT): .unsupportedFormat
        case Int(DLIBFACE_CORRUPT_IMAGE): .corruptImage
        case Int(DLIBFACE_IMAGE_TOO_LARGE): .imageTooLarge
        case Int(DLIBFACE_MODEL_ERROR): .modelError
        case Int(DLIBFACE_INVALID_ARGUMENT): .invalidArgument
        default: .internalError
        }
        self.init(code, text)
    }
}

/// Calls a C function that takes `(char *err, size_t err_len)` last and throws on a non-zero status.
func checked(_ call: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(FaceKitError) {
    var buffer = [CChar](repeating: 0, count: 512)
    let status = buffer.withUnsafeMutableBufferPointer { call($0.baseAddress!, $0.count) }
    if status != 0 { throw FaceKitError(status: status, message: buffer) }
}
