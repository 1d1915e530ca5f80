@testable import App
import FaceKit
import Testing
import Vapor

@Suite("Error translation")
struct ErrorTranslationTests {
    @Test(arguments: [
        (FaceKitError.Code.corruptImage, 422, "corrupt_image"),
        (.unsupportedFormat, 422, "unsupported_format"),
        (.emptyInput, 422, "empty_image"),
        (.imageTooLarge, 413, "image_too_large"),
        (.overloaded, 503, "engine_overloaded"),
        (.modelError, 500, "internal_error"),
    ])
    func faceKitErrors(code: FaceKitError.Code, status: UInt, apiCode: String) {
        let error = ErrorTranslation.translate(FaceKitError(code, "detail"), debug: false)
        #expect(error.status.code == status)
        #expect(error.code.rawValue == apiCode)
    }

    @Test func internalDetailsOnlyInDebug() {
        struct Leaky: Error, CustomStringConvertible { var description: String { "password=swordfish" } }
        let quiet = ErrorTranslation.translate(Leaky(), debug: false)
        #expect(quiet.status == .internalServerError)
        #expect(quiet.code == .internalError)
        #expect(quiet.message == "an internal error occurred")
        let loud = ErrorTranslation.translate(Leaky(), debug: true)
        #expect(loud.message.contains("swordfish"))
    }

    @Test func decodingErrorIsValidationFailure() {
        let error = DecodingError.keyNotFound(
            AnyCodingKey("name"), .init(codingPath: [], debugDescription: "missing"))
        let translated = ErrorTranslation.translate(error, debug: false)
        #expect(translated.status == .unprocessableEntity)
        #expect(translated.code == .validationFailed)
        #expect(translated.message.contains("name"))
    }

    @Test func abortKeepsStatusAndGetsACode() {
        let translated = ErrorTranslation.translate(Abort(.unsupportedMediaType, reason: "no"), debug: false)
        #expect(translated.status == .unsupportedMediaType)
        #expect(translated.code == .unsupportedMediaType)
        #expect(translated.message == "no")
        #expect(ErrorTranslation.translate(Abort(.imATeapot), debug: false).code.rawValue == "http_418")
    }

    @Test func unreachableDatabaseIsUnavailable() {
        let translated = ErrorTranslation.translate(DatabaseUnreachable(description: "timeout"), debug: false)
        #expect(translated.status == .serviceUnavailable)
        #expect(translated.code == .databaseUnavailable)
    }
}

private struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
