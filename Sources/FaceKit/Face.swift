import CDlibFace

/// A box in source-image pixels: `[x, y, width, height]` on the wire.
public struct BoundingBox: Sendable, Equatable, Codable {
    public var x: Double, y: Double, width: Double, height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public var array: [Int] { [Int(x.rounded()), Int(y.rounded()), Int(width.rounded()), Int(height.rounded())] }
    public var area: Double { max(0, width) * max(0, height) }
    public var center: (x: Double, y: Double) { (x + width / 2, y + height / 2) }

    /// Intersection over union, 0...1.
    public func iou(_ other: BoundingBox) -> Double {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        let intersection = max(0, right - left) * max(0, bottom - top)
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }
}

public struct Point: Sendable, Equatable, Codable {
    public var x: Double, y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// One detected face.
public struct Face: Sendable {
    /// Box in the source image's pixels (dlib's inclusive box, as x, y, width, height).
    public var box: BoundingBox
    /// The 5 landmarks of dlib's 5-point model: two corners of each eye, then the base of the nose.
    public var landmarks: [Point]
    /// Detector confidence (YuNet: sqrt(class × objectness), 0...1; HOG: SVM margin, > 0 for a detection).
    public var score: Double
    /// Which detector found the face.
    public var detector: FaceDetectorKind
    /// YuNet's own five landmarks (right eye, left eye, nose tip, right and left mouth corner of
    /// the subject); nil for the dlib detectors.
    public var detectorLandmarks: [Point]?
    public var quality: FaceQuality
    public var embedding: Embedding?

    /// The box the shape predictor was given (inclusive corners): dlib's own box, or YuNet's
    /// adapted to the shape dlib's boxes have (`ShapePredictorBox`).
    var rawBox: RawBox
}

/// dlib's inclusive box corners.
struct RawBox: Sendable, Equatable {
    var left: Double, top: Double, right: Double, bottom: Double
}

extension RawBox {
    init(_ rect: dlibface_rect) { self.init(left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom) }

    /// The C shim's form (the score is not used by landmarks or chips).
    var rect: dlibface_rect { dlibface_rect(left: left, top: top, right: right, bottom: bottom, score: 0) }
}
