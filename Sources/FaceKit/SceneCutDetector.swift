/// Spots cuts between consecutive frames of a stream: the mean absolute difference of 16×9 gray
/// grids. Calibrated on the Hamilton clip: ordinary motion stays ≤ 11 (of 255), its three cuts
/// measure 23–28; the threshold 16 sits between.
public struct SceneCutDetector: Sendable {
    public var threshold: Double

    public init(threshold: Double = 16) { self.threshold = threshold }

    /// Whether `grid` (from `Image.grayGrid()`) starts a new scene after `previous`. The first
    /// frame (no previous grid) does.
    public func isCut(from previous: [UInt8]?, to grid: [UInt8]) -> Bool {
        guard let previous, previous.count == grid.count, !grid.isEmpty else { return true }
        var total = 0
        for (a, b) in zip(previous, grid) { total += abs(Int(a) - Int(b)) }
        return Double(total) / Double(grid.count) > threshold
    }
}
