import Vapor

/// `POST /api/users/{id}/faces` as JSON: base64 images (data URLs accepted) and an optional angle.
struct EnrollRequest: Content {
    var images: [String]
    var captureAngle: String?

    enum CodingKeys: String, CodingKey {
        case images
        case captureAngle = "capture_angle"
    }
}

/// The answer to an enrolment: what was stored and, per image, why the rest wasn't.
/// 201 when at least one face was stored, 422 when none was.
struct EnrollmentResultDTO: Content {
    var created: [EnrolledFaceDTO]
    var rejected: [EnrollmentRejectionDTO]
}

struct EnrolledFaceDTO: Content, Equatable {
    var id: Int
    /// Which image of the request this face came from (0-based, in the order sent).
    var index: Int
    var qualityScore: Double
    @ExplicitNull var captureAngle: String?
    /// `[x, y, width, height]` of the face in the uploaded image's pixels.
    var bbox: [Int]
    @ExplicitNull var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, index, bbox
        case qualityScore = "quality_score"
        case captureAngle = "capture_angle"
        case createdAt = "created_at"
    }
}

struct EnrollmentRejectionDTO: Content, Equatable {
    /// 0-based position of the image in the request.
    var index: Int
    /// The multipart file name; null for JSON.
    @ExplicitNull var filename: String?
    /// One of `ErrorCode.used(in: .enrollment)`.
    var code: String
    var message: String
}
