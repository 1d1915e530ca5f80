import Foundation

/// What a client may send as a text message. Frames may also come as binary messages holding the
/// raw JPEG/PNG bytes (the server numbers those itself).
struct ClientMessage: Decodable {
    let type: String
    let data: String?
    let timestamp: JSONNumber?
    let frameID: Int?

    enum CodingKeys: String, CodingKey {
        case type, data, timestamp
        case frameID = "frame_id"
    }
}

/// A number echoed back exactly as the client wrote it (integer or not).
enum JSONNumber: Codable, Equatable, Sendable {
    case integer(Int64)
    case real(Double)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else {
            self = .real(try container.decode(Double.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .real(let value): try container.encode(value)
        }
    }

    /// Milliseconds since 1970, for frames that carry no timestamp.
    static var now: JSONNumber { .integer(Int64(Date().timeIntervalSince1970 * 1000)) }
}

/// `{"type":"session",…}`: the first message of every connection.
struct SessionMessage: Encodable {
    let type = "session"
    let sessionID: String
    let maxFrameRate: Double
    let maxFrameBytes: Int

    enum CodingKeys: String, CodingKey {
        case type
        case sessionID = "session_id"
        case maxFrameRate = "max_frame_rate"
        case maxFrameBytes = "max_frame_bytes"
    }
}

/// `{"type":"recognition_result",…}`: the answer to one processed frame (the brief's shape).
struct RecognitionResultMessage: Encodable {
    let type = "recognition_result"
    let frameID: Int
    let faces: [StreamFace]
    let timestamp: JSONNumber

    enum CodingKeys: String, CodingKey {
        case type, faces, timestamp
        case frameID = "frame_id"
    }
}

struct StreamFace: Encodable, Equatable {
    let trackID: String
    let userID: Int?
    let userName: String?
    let confidence: Double
    let bbox: [Int]
    let isUnknown: Bool
    /// False while the track's vote has not settled: the answer is then its latest look's.
    let settled: Bool

    enum CodingKeys: String, CodingKey {
        case confidence, bbox, settled
        case trackID = "track_id"
        case userID = "user_id"
        case userName = "user_name"
        case isUnknown = "is_unknown"
    }

    /// Written by hand so unknown faces carry explicit `null`s, as in the brief.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(trackID, forKey: .trackID)
        try container.encode(userID, forKey: .userID)
        try container.encode(userName, forKey: .userName)
        try container.encode((confidence * 1000).rounded() / 1000, forKey: .confidence)
        try container.encode(bbox, forKey: .bbox)
        try container.encode(isUnknown, forKey: .isUnknown)
        try container.encode(settled, forKey: .settled)
    }
}

/// `{"type":"throttled",…}`: a frame that was not processed.
struct ThrottledMessage: Encodable {
    enum Reason: String, Encodable {
        /// More than MAX_FRAME_RATE frames per second.
        case rateLimit = "rate_limit"
        /// A newer frame arrived while this one waited: only the newest waits.
        case superseded
        /// The server is shutting down: frames after that are not processed.
        case shuttingDown = "shutting_down"
        /// The face engine already has more frames waiting than it can answer in time: dropped
        /// rather than queued, so latency stays bounded under overload.
        case engineBusy = "engine_busy"
    }

    let type = "throttled"
    let frameID: Int
    let reason: Reason
    let maxFrameRate: Double

    enum CodingKeys: String, CodingKey {
        case type, reason
        case frameID = "frame_id"
        case maxFrameRate = "max_frame_rate"
    }
}

/// `{"type":"error",…}`: a message that could not be handled; the connection stays open.
struct StreamErrorMessage: Encodable {
    let type = "error"
    /// One of `ErrorCode.used(in: .stream)`.
    let code: String
    let message: String
    let frameID: Int?

    init(code: ErrorCode, message: String, frameID: Int?) {
        self.code = code.rawValue
        self.message = message
        self.frameID = frameID
    }

    enum CodingKeys: String, CodingKey {
        case type, code, message
        case frameID = "frame_id"
    }
}

struct PongMessage: Encodable {
    let type = "pong"
}
