import Vapor

/// A sighting as the API shows it; `frame_position` is `[x,y,w,h]` (null if the stored value is unreadable).
public struct RecognitionLogDTO: Content, Equatable {
    public var id: Int
    public var userID: Int?
    public var trackID: String
    public var confidence: Double
    public var isUnknown: Bool
    public var framePosition: [Int]?
    public var sessionID: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, confidence
        case userID = "user_id"
        case trackID = "track_id"
        case isUnknown = "is_unknown"
        case framePosition = "frame_position"
        case sessionID = "session_id"
        case createdAt = "created_at"
    }
}

extension RecognitionLog {
    public func toDTO() throws -> RecognitionLogDTO {
        RecognitionLogDTO(id: try requireID(), userID: $user.id, trackID: trackID, confidence: confidence,
                          isUnknown: isUnknown, framePosition: bbox, sessionID: sessionID, createdAt: createdAt)
    }
}
