/// How to look for faces in one frame of a stream, decided on the engine thread right after
/// decoding (so decode and detection cost one trip to the engine, not two).
public struct FrameScanPlan: Sendable {
    /// Where faces were a moment ago: scanning only around them is the cheap common case.
    public var near: [BoundingBox]
    /// Scan the whole frame at full sensitivity whatever else holds (first or stale frame).
    public var forceFullScan: Bool
    /// The previous frame's gray grid, to spot a cut.
    public var previousGrid: [UInt8]?
    public var cutDetector: SceneCutDetector
    /// Full-sensitivity scans (automatic upsampling).
    public var full: DetectionOptions
    /// The scan of a cut: no upsampling, faces ≥ 80 px, ~4× cheaper than `full`.
    public var quick: DetectionOptions

    public init(near: [BoundingBox], forceFullScan: Bool, previousGrid: [UInt8]?,
                cutDetector: SceneCutDetector = SceneCutDetector(),
                full: DetectionOptions = DetectionOptions(embed: false),
                quick: DetectionOptions = DetectionOptions(upsample: 0, embed: false)) {
        self.near = near
        self.forceFullScan = forceFullScan
        self.previousGrid = previousGrid
        self.cutDetector = cutDetector
        self.full = full
        self.quick = quick
    }
}

/// What a frame scan found.
public struct FrameScan: Sendable {
    public enum Kind: Sendable, Equatable {
        /// The whole frame at full sensitivity.
        case full
        /// A cut: the whole frame, quickly (large faces only).
        case cut
        /// Only the regions around known faces.
        case regions
    }

    public let image: Image
    public let grid: [UInt8]
    public let faces: [Face]
    public let kind: Kind
    public let timings: StageTimings
}
