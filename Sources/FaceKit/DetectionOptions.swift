/// How to look for faces in one image.
public struct DetectionOptions: Sendable, Equatable {
    /// Times the image is doubled before HOG detection (dlib's HOG window is 80 px: each
    /// doubling halves the smallest face found). `nil` chooses from the image size.
    public var upsample: Int?
    /// Detect on a copy resized by this factor (0 < scale ≤ 1); boxes are mapped back.
    public var scale: Double
    /// Use the MMOD CNN detector instead of HOG (slower on CPU, finds more poses).
    public var useCNN: Bool
    /// Compute 128-D embeddings (and chip sharpness) for the faces found.
    public var embed: Bool
    /// At most this many faces, the detector's most confident first.
    public var maxFaces: Int
    /// Detector threshold offset when looking again where a face just was (`detectFrame(near:)`):
    /// negative accepts weaker HOG responses than a full scan, so a face found at the margin of
    /// detectability is not lost when the next frame scans it at a slightly different scale.
    public var trackingThreshold: Double = -0.5

    public init(upsample: Int? = nil, scale: Double = 1, useCNN: Bool = false, embed: Bool = true, maxFaces: Int = 64) {
        self.upsample = upsample
        self.scale = scale
        self.useCNN = useCNN
        self.embed = embed
        self.maxFaces = maxFaces
    }

    /// Automatic upsampling: small images (face crops, thumbnails) are doubled twice, so a face
    /// filling a 150 px crop is found; ordinary photos and camera frames up to 1400 px once,
    /// finding faces down to ~40 px (what face_recognition's default does); larger images not at all.
    public static func automaticUpsample(width: Int, height: Int) -> Int {
        let longest = max(width, height)
        if longest <= 400 { return 2 }
        if longest <= 1400 { return 1 }
        return 0
    }

    func resolvedUpsample(for image: Image) -> Int {
        upsample ?? Self.automaticUpsample(width: Int(Double(image.width) * scale), height: Int(Double(image.height) * scale))
    }
}
