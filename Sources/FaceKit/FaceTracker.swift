import Foundation

/// Follows faces from frame to frame of one stream and votes on who each one is.
/// Not thread-safe: one tracker per stream, used by one task at a time.
public final class FaceTracker {
    public let configuration: TrackerConfiguration
    private var tracks: [Track] = []
    private var nextID = 1

    public init(configuration: TrackerConfiguration = TrackerConfiguration()) {
        self.configuration = configuration
    }

    /// Which track a detection continues, and whether it must be (re-)embedded this frame.
    /// `mayWait`: the embedding is due but may be put off to a later frame while the engine is
    /// busy (`deferEmbedding(of:)`): the track has been embedded before, and was put off fewer than
    /// `TrackerConfiguration.maximumDeferrals` frames in a row. A new track never waits.
    public struct Assignment: Sendable, Equatable {
        public let detection: Int
        public let trackID: String
        public let needsEmbedding: Bool
        public var mayWait = false
    }

    /// A track's identity settled or changed: what the sighting log records.
    public struct IdentityEvent: Sendable, Equatable {
        public let trackID: String
        public let identity: TrackIdentity
        public let box: BoundingBox
        /// The track's best-quality look at the face so far (this embedding included): the face
        /// that decided the sighting.
        public let best: BestFace?
    }

    /// The best look at a track's face: its embedding, quality score and (when the caller made
    /// one) a JPEG thumbnail of it, all from the same frame.
    public struct BestFace: Sendable, Equatable {
        public let embedding: Embedding
        public let quality: Double
        public let thumbnail: Data?

        public init(embedding: Embedding, quality: Double, thumbnail: Data?) {
            self.embedding = embedding
            self.quality = quality
            self.thumbnail = thumbnail
        }
    }

    struct Track {
        var id: String
        var box: BoundingBox
        var lastSeen: Double
        var framesSinceEmbedding = 0
        var embeddedAt = -Double.infinity
        var embeddedBox: BoundingBox?
        /// The detection-time quality of the face when it was last embedded, and now.
        var embeddedQuality = 0.0
        var quality = 0.0
        var lastEmbedding: Embedding?
        var observations: [Observation] = []
        var identity = TrackIdentity.unsettled
        var reported: TrackIdentity?
        var best: BestFace?
        /// Frames in a row whose due embedding was put off (`deferEmbedding(of:)`).
        var deferrals = 0
    }

    public var liveTrackCount: Int { tracks.count }

    public func identity(of trackID: String) -> TrackIdentity {
        tracks.first { $0.id == trackID }?.identity ?? .unsettled
    }

    /// What a frame's answer says of the track: its settled identity; until the vote settles, what
    /// its latest look at the face said (`settled` false), the same as a single photo of that frame
    /// would be told. `.unsettled` for a track not embedded yet.
    public func answer(of trackID: String) -> TrackIdentity {
        guard let track = tracks.first(where: { $0.id == trackID }) else { return .unsettled }
        if track.identity.settled { return track.identity }
        guard let latest = track.observations.last else { return .unsettled }
        return TrackIdentity(personID: latest.personID, confidence: latest.confidence, settled: false)
    }

    /// The track's best look at its face so far (nil: none recorded, or no such track).
    public func bestFace(of trackID: String) -> BestFace? {
        tracks.first { $0.id == trackID }?.best
    }

    /// The quality a new look at the track's face must beat for a thumbnail of it to be worth
    /// making: the best's, or −∞ while the best has no thumbnail (a new track, or one just split).
    public func thumbnailFloor(of trackID: String) -> Double {
        guard let best = bestFace(of: trackID), best.thumbnail != nil else { return -.infinity }
        return best.quality
    }

    /// Matches this frame's boxes to live tracks (greedy by overlap), starts tracks for the rest
    /// and ends tracks unseen for longer than the time to live. `qualities` (one per box, the
    /// detection-time quality score) let a clearly better view of a settled face be embedded.
    public func assign(_ boxes: [BoundingBox], qualities: [Double]? = nil, at time: Double) -> [Assignment] {
        tracks.removeAll { time - $0.lastSeen > configuration.timeToLive }
        var pairs: [(score: Double, detection: Int, track: Int)] = []
        for (d, box) in boxes.enumerated() {
            for (t, track) in tracks.enumerated() {
                let score = Self.continuity(track.box, box, minimumIoU: configuration.minimumIoU)
                if score > 0 { pairs.append((score, d, t)) }
            }
        }
        pairs.sort { $0.score > $1.score }
        var trackOf = [Int?](repeating: nil, count: boxes.count)
        var takenTracks = Set<Int>()
        for pair in pairs where trackOf[pair.detection] == nil && !takenTracks.contains(pair.track) {
            trackOf[pair.detection] = pair.track
            takenTracks.insert(pair.track)
        }
        return boxes.indices.map { d in
            let quality = qualities.map { $0[d] } ?? 0
            if let t = trackOf[d] {
                tracks[t].quality = quality
                tracks[t].box = boxes[d]
                tracks[t].lastSeen = time
                tracks[t].framesSinceEmbedding += 1
                let due = needsEmbedding(tracks[t], at: time)
                let mayWait = due && tracks[t].lastEmbedding != nil && tracks[t].deferrals < configuration.maximumDeferrals
                return Assignment(detection: d, trackID: tracks[t].id, needsEmbedding: due, mayWait: mayWait)
            }
            let id = String(nextID)
            nextID += 1
            var track = Track(id: id, box: boxes[d], lastSeen: time)
            track.quality = quality
            tracks.append(track)
            return Assignment(detection: d, trackID: id, needsEmbedding: true)
        }
    }

    /// The track's due embedding was put off to a later frame (the engine was busy); after
    /// `TrackerConfiguration.maximumDeferrals` in a row it is no longer offered as one that may wait.
    public func deferEmbedding(of trackID: String) {
        guard let index = tracks.firstIndex(where: { $0.id == trackID }) else { return }
        tracks[index].deferrals += 1
    }

    /// Adds what an embedding of the track's face said. Returns the track id the face belongs to
    /// (a new track that turns out to be a recently unseen face takes that face's id back; a face
    /// that no longer looks like its track gets a new id) and the event to log, if any.
    /// `quality` (default: the observation's weight) and `thumbnail` describe this look at the face:
    /// it becomes the track's best when its quality is higher, or when it brings the thumbnail the
    /// best lacks.
    public func record(trackID: String, embedding: Embedding, observation: Observation, quality: Double? = nil,
                       thumbnail: Data? = nil, at time: Double) -> (trackID: String, event: IdentityEvent?)
    {
        guard var index = tracks.firstIndex(where: { $0.id == trackID }) else { return (trackID, nil) }
        if tracks[index].lastEmbedding == nil, let resumed = resumableTrack(for: embedding, at: time, excluding: index) {
            tracks[resumed].box = tracks[index].box
            tracks[resumed].lastSeen = time
            tracks.remove(at: index)
            index = resumed < index ? resumed : resumed - 1
        } else if let previous = tracks[index].lastEmbedding, previous.distance(to: embedding) > configuration.sameFaceDistance {
            tracks[index] = Track(id: String(nextID), box: tracks[index].box, lastSeen: time)
            nextID += 1
        }
        var track = tracks[index]
        track.lastEmbedding = embedding
        track.embeddedBox = track.box
        track.embeddedQuality = track.quality
        track.framesSinceEmbedding = 0
        track.deferrals = 0
        track.embeddedAt = time
        let look = BestFace(embedding: embedding, quality: quality ?? observation.weight, thumbnail: thumbnail)
        if let best = track.best {
            if look.quality > best.quality || (best.thumbnail == nil && look.thumbnail != nil) { track.best = look }
        } else {
            track.best = look
        }
        track.observations.append(observation)
        if track.observations.count > configuration.voteWindow { track.observations.removeFirst() }
        track.identity = TrackIdentity.vote(track.observations, votesToSettle: configuration.votesToSettle,
                                            unknownVotesToSettle: configuration.unknownVotesToSettle, isDecisive: isDecisive)
        var event: IdentityEvent?
        if track.identity.settled && track.reported?.personID != track.identity.personID || track.identity.settled && track.reported == nil {
            track.reported = track.identity
            event = IdentityEvent(trackID: track.id, identity: track.identity, box: track.box, best: track.best)
        }
        tracks[index] = track
        return (track.id, event)
    }

    /// A match well inside the rule's distance limit: see `TrackerConfiguration.decisiveMargin`.
    private func isDecisive(_ observation: Observation) -> Bool {
        guard observation.personID != nil, let distance = observation.distance else { return false }
        return distance <= configuration.matchRule.maxDistance - configuration.decisiveMargin
    }

    private func needsEmbedding(_ track: Track, at time: Double) -> Bool {
        if !track.identity.settled || track.lastEmbedding == nil { return true }
        // The latest look named someone else than the settled vote (the face turned towards the
        // camera, say): look again at once, so a better view changes the vote within a few frames.
        // (An unknown look at a named track is a borderline frame: the name survives it.)
        if let named = track.observations.last?.personID, named != track.identity.personID { return true }
        if track.framesSinceEmbedding >= configuration.reembedInterval,
           time - track.embeddedAt >= configuration.reembedMinimumSeconds { return true }
        guard track.framesSinceEmbedding >= configuration.reembedMinimumGap else { return false }
        // A clearly better view than the one last embedded (turned to the camera, come closer).
        if track.quality >= track.embeddedQuality + configuration.reembedQualityGain { return true }
        guard let embeddedBox = track.embeddedBox else { return true }
        // Box jitter of a few pixels moves a small face's IoU a lot: a move counts after a gap.
        return embeddedBox.iou(track.box) < configuration.reembedBelowIoU
    }

    /// A live track not seen this frame whose last embedding is clearly this face.
    private func resumableTrack(for embedding: Embedding, at time: Double, excluding: Int) -> Int? {
        var best: (index: Int, distance: Float)?
        for (i, track) in tracks.enumerated() where i != excluding && track.lastSeen < time {
            guard let last = track.lastEmbedding else { continue }
            let distance = last.distance(to: embedding)
            if distance < configuration.sameFaceDistance * 0.7, distance < best?.distance ?? .infinity { best = (i, distance) }
        }
        return best?.index
    }

    /// Overlap when it reaches `minimumIoU`; otherwise, for a face that moved fast, nearness of
    /// centres relative to size, scaled below `minimumIoU` so real overlaps win. 0: unrelated.
    static func continuity(_ a: BoundingBox, _ b: BoundingBox, minimumIoU: Double) -> Double {
        let iou = a.iou(b)
        if iou >= minimumIoU { return iou }
        let size = max(a.width, a.height, b.width, b.height)
        let ratio = min(a.width, b.width) / max(a.width, b.width)
        let (ca, cb) = (a.center, b.center)
        let distance = ((ca.x - cb.x) * (ca.x - cb.x) + (ca.y - cb.y) * (ca.y - cb.y)).squareRoot()
        guard ratio > 0.6, distance < size else { return 0 }
        return minimumIoU * 0.99 * (1 - distance / size)
    }
}
