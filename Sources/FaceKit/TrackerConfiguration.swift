/// Tunables of `FaceTracker`.
public struct TrackerConfiguration: Sendable {
    /// A track ends after it has not been seen for this many seconds.
    public var timeToLive: Double = 1.0
    /// Minimum box overlap (IoU) to continue a track from one frame to the next.
    public var minimumIoU: Double = 0.3
    /// A settled track is re-embedded every this many frames it is seen…
    public var reembedInterval: Int = 10
    /// …or earlier when its box overlaps the box it had when last embedded by less than this.
    public var reembedBelowIoU: Double = 0.5
    /// …or when the face's detection-time quality rose by this much since (a better view)…
    public var reembedQualityGain: Double = 0.1
    /// …but for those two not sooner than this many frames after the last embedding.
    public var reembedMinimumGap: Int = 3
    /// Observations the identity vote looks at (the most recent ones).
    public var voteWindow: Int = 7
    /// Votes a label needs (and a majority) before the track's identity is settled.
    public var votesToSettle: Int = 2
    /// A re-embedded face farther than this from its track's last embedding is somebody else:
    /// the track is split.
    public var sameFaceDistance: Float = 0.7
    /// When an embedding is somebody (the server's FACE_MATCH_THRESHOLD and FACE_CONFIDENCE_THRESHOLD).
    public var matchRule: MatchRule = .standard

    public init() {}
}
