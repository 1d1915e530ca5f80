import Vapor

/// A sighting as the API shows it; `frame_position` is `[x,y,w,h]` (null if the stored value is unreadable).
/// `user_id` is null for unknown faces and for people deleted since; `user_name` is the current name.
/// `has_face`: the face's embedding is stored (the sighting can be found by photo); `face_url`: where
/// its thumbnail is (null without one); `face_quality`: that face's quality score.
public struct RecognitionLogDTO: Content, Equatable {
    public var id: Int
    @ExplicitNull public var userID: Int?
    @ExplicitNull public var userName: String?
    public var trackID: String
    public var confidence: Double
    public var isUnknown: Bool
    @ExplicitNull public var framePosition: [Int]?
    public var sessionID: String
    public var createdAt: Date
    public var hasFace: Bool = false
    @ExplicitNull public var faceQuality: Double?
    @ExplicitNull public var faceURL: String?
    /// The unknown visitor (`/api/unknowns/{id}`) an unknown sighting was placed in.
    @ExplicitNull public var unknownID: Int? = nil

    enum CodingKeys: String, CodingKey {
        case id, confidence
        case userID = "user_id"
        case userName = "user_name"
        case trackID = "track_id"
        case isUnknown = "is_unknown"
        case framePosition = "frame_position"
        case sessionID = "session_id"
        case createdAt = "created_at"
        case hasFace = "has_face"
        case faceQuality = "face_quality"
        case faceURL = "face_url"
        case unknownID = "unknown_id"
    }
}

extension RecognitionLog {
    public func toDTO(userName: String?) throws -> RecognitionLogDTO {
        let id = try requireID()
        return RecognitionLogDTO(id: id, userID: $user.id, userName: userName, trackID: trackID, confidence: confidence,
                                 isUnknown: isUnknown, framePosition: bbox, sessionID: sessionID, createdAt: createdAt,
                                 hasFace: faceEmbedding != nil, faceQuality: faceQuality,
                                 faceURL: faceThumbnail == nil ? nil : "/api/logs/\(id)/face", unknownID: unknownClusterID)
    }
}
