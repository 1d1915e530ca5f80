/// Milliseconds spent in each stage of analysing one image (for metrics and benchmarks).
public struct StageTimings: Sendable, Equatable {
    public var decode: Double = 0
    public var detect: Double = 0
    public var landmarks: Double = 0
    public var chip: Double = 0
    public var embed: Double = 0

    public init() {}
}
