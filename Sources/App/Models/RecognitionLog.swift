import FaceKit
import Fluent
import Foundation

/// One sighting of a face (known or unknown) in a WebSocket session. Table `recognition_logs`.
/// Survives the user's deletion with `user_id` set to NULL: the history stays countable.
public final class RecognitionLog: Model, @unchecked Sendable {
    // @unchecked: Fluent's documented model pattern (mutable property wrappers); don't share across tasks.
    public static let schema = "recognition_logs"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// NULL for unknown faces and for users deleted since.
    @OptionalParent(key: "user_id") public var user: User?
    @Field(key: "track_id") public var trackID: String
    /// 0…1.
    @Field(key: "confidence") public var confidence: Double
    @Field(key: "is_unknown") public var isUnknown: Bool
    /// JSON `[x,y,w,h]` in pixels of the frame the client sent.
    @Field(key: "frame_position") public var framePosition: String
    @Field(key: "session_id") public var sessionID: String
    /// A plain field, not `@Timestamp`: the log writer batches inserts and records when the face was
    /// *seen*, which `@Timestamp` would overwrite with the insert time.
    @Field(key: "created_at") public var createdAt: Date
    /// The embedding of the face that decided the sighting (the track's best-quality look): 512 bytes,
    /// 128 little-endian Float32 (`Embedding.bytes`). Nil for rows from before faces were kept and for
    /// people deleted since (their biometric data is cleared with them).
    @OptionalField(key: "face_embedding") public var faceEmbedding: Data?
    /// A small JPEG of that face (SIGHTING_THUMBNAIL_SIZE px square); nil when thumbnails are off.
    @OptionalField(key: "face_thumbnail") public var faceThumbnail: Data?
    /// That face's 0…1 quality score.
    @OptionalField(key: "face_quality") public var faceQuality: Double?
    /// The unknown-visitor cluster this sighting belongs to (`unknown_clusters`); nil for known faces,
    /// faces without an embedding, and clusters assigned or forgotten.
    @OptionalField(key: "unknown_cluster_id") public var unknownClusterID: Int?

    public init() {}

    public init(
        id: Int? = nil, userID: User.IDValue?, trackID: String, confidence: Double, isUnknown: Bool,
        bbox: [Int], sessionID: String, createdAt: Date = Date(),
        faceEmbedding: Data? = nil, faceThumbnail: Data? = nil, faceQuality: Double? = nil
    ) {
        self.id = id
        self.$user.id = userID
        self.trackID = trackID
        self.confidence = confidence
        self.isUnknown = isUnknown
        self.framePosition = Self.encodeBox(bbox)
        self.sessionID = sessionID
        self.createdAt = createdAt
        self.faceEmbedding = faceEmbedding
        self.faceThumbnail = faceThumbnail
        self.faceQuality = faceQuality
    }

    /// The stored face embedding, if the row has a readable one.
    public var decodedFaceEmbedding: Embedding? {
        faceEmbedding.flatMap { try? Embedding(bytes: $0) }
    }

    /// `[x,y,w,h]`, or `nil` if the stored text isn't a JSON array of integers.
    public var bbox: [Int]? {
        try? JSONDecoder().decode([Int].self, from: Data(framePosition.utf8))
    }

    static func encodeBox(_ box: [Int]) -> String {
        "[" + box.map(String.init).joined(separator: ",") + "]"
    }
}

extension QueryBuilder where Model == RecognitionLog {
    /// Sets the face columns (embedding, thumbnail, quality) to null on the selected rows: what
    /// deleting a person and forgetting an unknown visitor both do to their sightings.
    func clearingFaces() -> Self {
        set(\.$faceEmbedding, to: nil).set(\.$faceThumbnail, to: nil).set(\.$faceQuality, to: nil)
    }
}
