import Foundation

/// The JSON body of one webhook POST. Optional fields are always present, as `null` when empty,
/// like the REST API's. `event_id` is unique per event and the same on every retry, so a receiver
/// can drop duplicates (delivery is at least once).
struct WebhookEvent: Encodable, Sendable {
    struct Sighting: Encodable, Sendable {
        let trackID: String
        let isUnknown: Bool
        let confidence: Double
        let bbox: [Int]
        let seenAt: Date

        enum CodingKeys: String, CodingKey {
            case confidence, bbox
            case trackID = "track_id"
            case isUnknown = "is_unknown"
            case seenAt = "seen_at"
        }
    }

    struct Person: Encodable, Sendable {
        let userID: Int
        /// nil when the person was deleted between the sighting and the event.
        let name: String?

        enum CodingKeys: String, CodingKey {
            case name
            case userID = "user_id"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(userID, forKey: .userID)
            try container.encode(name, forKey: .name)
        }
    }

    struct Session: Encodable, Sendable {
        /// The stream's `session_id` (`?session_id=` or a generated UUID).
        let sessionID: String
        /// The name of the API key the stream connected with (`keys create --name lobby-cam`).
        let apiKeyName: String?

        enum CodingKeys: String, CodingKey {
            case sessionID = "session_id"
            case apiKeyName = "api_key_name"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sessionID, forKey: .sessionID)
            try container.encode(apiKeyName, forKey: .apiKeyName)
        }
    }

    static let type = "sighting"

    let eventID: String
    let sighting: Sighting
    /// nil for an unknown face.
    let person: Person?
    let session: Session

    enum CodingKeys: String, CodingKey {
        case type, sighting, person, session
        case eventID = "event_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.type, forKey: .type)
        try container.encode(eventID, forKey: .eventID)
        try container.encode(sighting, forKey: .sighting)
        try container.encode(person, forKey: .person)
        try container.encode(session, forKey: .session)
    }

    /// The event for a sighting-log row; `personName` from the people directory.
    init(_ row: SightingLogWriter.Sighting, personName: String?, apiKeyName: String?, eventID: String = UUID().uuidString.lowercased()) {
        self.eventID = eventID
        sighting = Sighting(trackID: row.trackID, isUnknown: row.isUnknown, confidence: row.confidence, bbox: row.bbox, seenAt: row.seenAt)
        person = row.userID.map { Person(userID: $0, name: personName) }
        session = Session(sessionID: row.sessionID, apiKeyName: apiKeyName)
    }

    /// The exact bytes that are posted and signed (`JSONCoding`: ISO 8601 dates, unescaped slashes, keys sorted).
    func body() throws -> Data {
        try JSONCoding.makeEncoder().encode(self)
    }
}
