import Foundation

/// Turns an embedding distance into a confidence in 0...1: a logistic curve, monotone
/// decreasing in distance, `1 / (1 + exp((distance - 0.66) / 0.034))`.
///
/// Calibrated on the fixture photos (dlib's johns, 5 people × 11 crops, plus the Obama/Biden
/// photos; 285 same-person and 1545 different-person pairs through this engine): same-person
/// distances reach 0.568, different-person ones start at 0.605 with their 10th percentile at
/// 0.755. The midpoint 0.66 sits between the worst same-person pair and that percentile; the
/// slope makes distance 0.6 — dlib's own operating point and the default FACE_MATCH_THRESHOLD —
/// map to 0.854, just above the default FACE_CONFIDENCE_THRESHOLD (0.85), so the two defaults
/// agree. Values: 0.40 → 0.9995, 0.50 → 0.991, 0.568 → 0.937, 0.60 → 0.854, 0.62 → 0.76, 0.66 → 0.5, 0.75 → 0.07.
public enum MatchConfidence {
    public static let midpoint = 0.66
    public static let slope = 0.034

    public static func confidence(distance: Double) -> Double {
        1 / (1 + exp((distance - midpoint) / slope))
    }
}
