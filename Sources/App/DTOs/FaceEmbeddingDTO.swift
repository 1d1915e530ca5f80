import Vapor

/// An enrolled face as the API shows it. The descriptor itself stays server-side.
public struct FaceEmbeddingDTO: Content, Equatable {
    public var id: Int
    public var userID: Int
    @ExplicitNull public var captureAngle: String?
    public var qualityScore: Double
    @ExplicitNull public var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case id
        case userID = "user_id"
        case captureAngle = "capture_angle"
        case qualityScore = "quality_score"
        case createdAt = "created_at"
    }
}

extension FaceEmbedding {
    public func toDTO() throws -> FaceEmbeddingDTO {
        FaceEmbeddingDTO(id: try requireID(), userID: $user.id, captureAngle: captureAngle,
                         qualityScore: qualityScore, createdAt: createdAt)
    }
}

/// `GET /api/users/{id}/faces`.
struct FaceListDTO: Content {
    var items: [FaceEmbeddingDTO]
}
