import Vapor

/// An unknown visitor as `/api/unknowns` shows it: a cluster of unknown sightings that look like
/// one person. `sample_faces` are thumbnail URLs of its best-quality members (at most
/// `UnknownClusterQueries.sampleCount`); `sessions` are the stream sessions it was seen in, oldest first.
public struct UnknownClusterDTO: Content, Equatable {
    public var id: Int
    public var size: Int
    public var firstSeen: Date
    public var lastSeen: Date
    public var sampleFaces: [String]
    public var sessions: [String]

    enum CodingKeys: String, CodingKey {
        case id, size, sessions
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case sampleFaces = "sample_faces"
    }
}

/// `POST /api/unknowns/{id}/assign`: exactly one of `user_id` (an existing person) or `name` (a new one).
struct AssignUnknownRequest: Content {
    var userID: Int?
    var name: String?

    enum CodingKeys: String, CodingKey {
        case name
        case userID = "user_id"
    }
}

/// What an assignment did: the person (created if `name` was given), the faces enrolled from the
/// cluster and how many sightings now carry the person's id.
public struct UnknownAssignmentDTO: Content, Equatable {
    public var user: UserDTO
    public var enrolledFaceIDs: [Int]
    public var sightingsUpdated: Int

    enum CodingKeys: String, CodingKey {
        case user
        case enrolledFaceIDs = "enrolled_face_ids"
        case sightingsUpdated = "sightings_updated"
    }
}
