import FaceKit
import Fluent
import Foundation

/// One enrolled face of a user: a 128-D descriptor. Table `face_embeddings`; deleted with its user.
public final class FaceEmbedding: Model, @unchecked Sendable {
    // @unchecked: Fluent's documented model pattern (mutable property wrappers); don't share across tasks.
    public static let schema = "face_embeddings"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Parent(key: "user_id") public var user: User
    /// 512 bytes: 128 little-endian Float32 (`Embedding.bytes`). Bytes, not a float column or JSON,
    /// so every value — subnormals and -0 included — comes back bit-exact on SQLite and PostgreSQL.
    @Field(key: "embedding") public var embedding: Data
    /// Free text such as "frontal" or "left"; optional metadata from enrolment.
    @OptionalField(key: "capture_angle") public var captureAngle: String?
    /// 0…1 from FaceKit's quality scoring at enrolment.
    @Field(key: "quality_score") public var qualityScore: Double
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: Int? = nil, userID: User.IDValue, embedding: Embedding, captureAngle: String? = nil, qualityScore: Double) {
        self.id = id
        self.$user.id = userID
        self.embedding = embedding.bytes
        self.captureAngle = captureAngle
        self.qualityScore = qualityScore
    }

    /// The stored descriptor; throws `FaceKitError.invalidArgument` if the row holds the wrong number of bytes.
    public func decodedEmbedding() throws -> Embedding {
        try Embedding(bytes: embedding)
    }
}
