import Foundation

/// How usable a face is for recognition, 0 (useless) ... 1 (ideal). The score is a weighted mean
/// of the parts below; a part that was not measured (sharpness needs the aligned chip) is left
/// out and the remaining weights are renormalised.
public struct FaceQuality: Sendable, Equatable, Codable {
    /// Face box width: 0 at ≤ 40 px, 1 at ≥ 120 px (the ResNet sees a 150 px chip; below ~40 px
    /// the chip is mostly interpolation).
    public var size: Double
    /// Variance of the Laplacian of the aligned chip's gray levels, mapped by 1 - exp(-v / 150):
    /// blurred or out-of-focus chips score near 0, crisp ones near 1.
    public var sharpness: Double?
    /// Frontal pose from the landmarks: the nose's sideways offset from the eyes' midpoint,
    /// relative to the distance between the eyes; 1 when centred, 0 at ≥ 0.45 (a near profile).
    public var pose: Double
    /// The detector's confidence on 0...1 (`detectionConfidence(score:detector:)`).
    public var detection: Double
    /// The weighted mean: size 0.3, sharpness 0.25, pose 0.3, detection 0.15.
    public var score: Double

    public init(faceWidth: Double, landmarks: [Point], detection: Double, chipLaplacianVariance: Double?) {
        size = Self.clip((faceWidth - 40) / 80)
        sharpness = chipLaplacianVariance.map { 1 - exp(-$0 / 150) }
        pose = Self.frontality(landmarks)
        self.detection = Self.clip(detection)
        var weighted = 0.3 * size + 0.3 * pose + 0.15 * detection
        var weights = 0.75
        if let sharpness {
            weighted += 0.25 * sharpness
            weights += 0.25
        }
        score = weighted / weights
    }

    /// A detector's score on 0...1: YuNet's is one already; HOG's and MMOD's margins are divided by 1.5.
    public static func detectionConfidence(score: Double, detector: FaceDetectorKind) -> Double {
        clip(detector == .yunet ? score : score / 1.5)
    }

    static func clip(_ value: Double) -> Double { min(1, max(0, value)) }

    static func frontality(_ points: [Point]) -> Double {
        guard points.count == 5 else { return 0 }
        let eyeA = Point(x: (points[0].x + points[1].x) / 2, y: (points[0].y + points[1].y) / 2)
        let eyeB = Point(x: (points[2].x + points[3].x) / 2, y: (points[2].y + points[3].y) / 2)
        let dx = eyeA.x - eyeB.x, dy = eyeA.y - eyeB.y
        let eyeDistance = (dx * dx + dy * dy).squareRoot()
        guard eyeDistance > 0 else { return 0 }
        let mid = Point(x: (eyeA.x + eyeB.x) / 2, y: (eyeA.y + eyeB.y) / 2)
        // Projection of (nose - mid) on the eye line, as a fraction of the eye distance.
        let offset = ((points[4].x - mid.x) * dx + (points[4].y - mid.y) * dy) / (eyeDistance * eyeDistance)
        return clip(1 - abs(offset) / 0.45)
    }
}
