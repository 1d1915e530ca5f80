/// A stream frame, decoded, with every face found in it (landmarks, no embeddings yet).
public struct FrameDetection: Sendable {
    public let image: Image
    public let faces: [Face]
    public let timings: StageTimings
}
