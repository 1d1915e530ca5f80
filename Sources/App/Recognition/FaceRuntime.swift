import FaceKit
import Vapor

/// The face engine, the in-memory gallery and the names it answers with, shared by the REST
/// controllers and the WebSocket sessions. Present when the app loaded the dlib models.
public final class FaceRuntime: Sendable {
    public let engine: FaceEngine
    public let gallery: Gallery
    public let people: PeopleDirectory
    /// FACE_MATCH_THRESHOLD and FACE_CONFIDENCE_THRESHOLD, from the configuration.
    public let matchRule: MatchRule
    /// Stream frames in the engine at once, all connections together: three per engine thread (one
    /// running, two ready), so a frame never waits behind more than two others per thread (~30 ms
    /// at 640×480). Two per thread refused frames of ten 5 fps cameras whenever five arrived
    /// within one frame's time (1–6 per 1,000 in the benchmark).
    let frameSlots: FrameSlots

    public init(engine: FaceEngine, gallery: Gallery = Gallery(), people: PeopleDirectory = PeopleDirectory(),
                matchRule: MatchRule) {
        self.engine = engine
        self.gallery = gallery
        self.people = people
        self.matchRule = matchRule
        self.frameSlots = FrameSlots(limit: engine.threadCount * 3)
    }

    /// Who an embedding is: the nearest people (best embedding per person), and the answer the
    /// thresholds give for the nearest one.
    public func identify(_ embedding: Embedding, topK: Int = 3) -> Identification {
        let matches = gallery.search(embedding, topK: max(1, topK))
        let candidates = matches.map { match in
            Identification.Candidate(
                userID: match.personID, userName: people.name(of: match.personID),
                distance: Double(match.distance), confidence: matchRule.confidence(distance: Double(match.distance)))
        }
        // The same rule the stream's tracks vote with.
        let answer = Observation(nearest: matches.first, rule: matchRule)
        return Identification(
            userID: answer.personID,
            userName: answer.personID.flatMap { people.name(of: $0) },
            distance: answer.distance,
            confidence: answer.confidence,
            candidates: Array(candidates.prefix(topK)))
    }

    /// How the WebSocket sessions track and vote, from the app's configuration.
    public func trackerConfiguration(_ config: AppConfig) -> TrackerConfiguration {
        var tracker = TrackerConfiguration()
        tracker.timeToLive = config.trackTTLSeconds
        tracker.reembedInterval = config.reembedIntervalFrames
        tracker.matchRule = matchRule
        return tracker
    }
}

/// The answer for one face.
public struct Identification: Sendable, Equatable {
    public struct Candidate: Sendable, Equatable {
        public let userID: Int
        public let userName: String?
        public let distance: Double
        public let confidence: Double
    }

    /// nil when unknown.
    public let userID: Int?
    public let userName: String?
    /// Distance to the nearest enrolled person (nil: the gallery is empty).
    public let distance: Double?
    public let confidence: Double
    public let candidates: [Candidate]

    public var isUnknown: Bool { userID == nil }
}

extension Application {
    private struct FaceRuntimeKey: StorageKey {
        typealias Value = FaceRuntime
    }

    /// nil when the app started without the models (tests of the plain API, `migrate`, `keys`).
    public var faceRuntime: FaceRuntime? {
        get { storage[FaceRuntimeKey.self] }
        set { storage[FaceRuntimeKey.self] = newValue }
    }
}

extension Request {
    /// The face runtime, or 503 `engine_unavailable` when the models are not loaded.
    func requireFaceRuntime() throws -> FaceRuntime {
        guard let runtime = application.faceRuntime else {
            throw FaceStreamError.engineUnavailable()
        }
        return runtime
    }
}
