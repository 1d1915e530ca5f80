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
    /// The periodic re-embedding waits at least this many seconds as well: a fast camera (or a
    /// client sending as fast as it is answered) would otherwise spend an embedding every few
    /// hundredths of a second on a face whose identity is settled.
    public var reembedMinimumSeconds: Double = 0.5
    /// While other frames wait for the engine, a due embedding of a track embedded before (an
    /// unsettled track's next look, a periodic re-embedding) may be put off to the next frame, at
    /// most this many frames in a row: new faces and the frames themselves go first when cameras
    /// connect at once or the load peaks, and every track still gets its looks.
    public var maximumDeferrals: Int = 2
    /// Observations the identity vote looks at (the most recent ones).
    public var voteWindow: Int = 7
    /// Votes a person needs (and a majority) before the track's identity is settled on them.
    public var votesToSettle: Int = 2
    /// Votes "unknown" needs to settle: one more, because any poor view of a known face is
    /// unknown too (a face turning back to the camera gives a few such looks before the good ones).
    public var unknownVotesToSettle: Int = 3
    /// A look that matches a person at a distance this far inside the match rule's limit (0.5 with
    /// the default 0.6) is decisive: it settles the track on them at once, and while it is in the
    /// vote window unknown looks (poor views of that person, it shows) cannot outvote it. No
    /// cross-person pair of the LFW dev set comes that close at the server's photo settings (the
    /// nearest is 0.537), while a face turning back to the camera after a profile stretch otherwise
    /// takes several frames to outvote its unknown looks.
    public var decisiveMargin: Double = 0.1
    /// A re-embedded face farther than this from its track's last embedding is somebody else:
    /// the track is split.
    public var sameFaceDistance: Float = 0.7
    /// When an embedding is somebody (the server's FACE_MATCH_THRESHOLD and FACE_CONFIDENCE_THRESHOLD).
    public var matchRule: MatchRule = .standard

    public init() {}
}
