import Foundation

/// CompreFace-style similarity: an embedding distance mapped onto 0...1, monotone decreasing,
/// `1 / (1 + exp((distance - midpoint) / 0.05))`, with the midpoint at the match threshold.
///
/// CompreFace clients compare it with their own thresholds: Viseron's default is 0.5, so 0.5 sits
/// at the distance where the server itself stops calling two faces the same person
/// (FACE_MATCH_THRESHOLD, dlib's 0.6 by default); Double Take's default match is 0.6, reached at
/// 0.58. The slope spreads the band where dlib's same- and different-person distances meet
/// (≈ 0.5–0.7) over most of the scale. At midpoint 0.6: 0.40 → 0.982, 0.50 → 0.881, 0.58 → 0.599,
/// 0.60 → 0.5, 0.63 → 0.354, 0.70 → 0.119, 0.80 → 0.018.
public struct MatchSimilarity: Sendable, Equatable {
    public static let slope = 0.05
    public let midpoint: Double

    public init(midpoint: Double = 0.6) {
        self.midpoint = midpoint
    }

    public func similarity(distance: Double) -> Double {
        1 / (1 + exp((distance - midpoint) / Self.slope))
    }
}
