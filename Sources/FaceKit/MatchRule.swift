/// When a face is somebody: its distance to them is at most `maxDistance` (FACE_MATCH_THRESHOLD) and
/// the confidence that distance gives (`MatchConfidence`) is at least `minConfidence`
/// (FACE_CONFIDENCE_THRESHOLD). One value, owned by the server's configuration and used by every
/// surface that decides it: REST recognize and verify, the stream's tracks, and the similarity the
/// CompreFace layer reports (centred on `maxDistance`).
public struct MatchRule: Sendable, Equatable {
    /// Largest distance that can be a match.
    public var maxDistance: Double
    /// Smallest confidence that can be a match.
    public var minConfidence: Double

    /// dlib's own operating point (0.6) and a confidence just below what it gives (0.854).
    public static let standard = MatchRule(maxDistance: 0.6, minConfidence: 0.85)

    public init(maxDistance: Double, minConfidence: Double) {
        self.maxDistance = maxDistance
        self.minConfidence = minConfidence
    }

    /// The confidence a distance gives (whether or not it is a match).
    public func confidence(distance: Double) -> Double { MatchConfidence.confidence(distance: distance) }

    public func matches(distance: Double) -> Bool {
        distance <= maxDistance && confidence(distance: distance) >= minConfidence
    }

    /// CompreFace's similarity scale, 0.5 where this rule's distance limit is.
    public var similarity: MatchSimilarity { MatchSimilarity(midpoint: maxDistance) }
}
