/// Which detector finds the faces.
public enum FaceDetectorKind: String, Sendable, CaseIterable, Codable {
    /// YuNet 2023mar (a small CNN: OpenCV reads the model, FaceStream's kernels run it): faces down
    /// to ~10 px, ~9 ms for a 640×480 frame on one core, 5 landmarks of its own. The default.
    case yunet
    /// dlib's HOG + linear SVM, as `face_recognition` uses it: faces ≥ 80 px per upsampling step.
    /// Kept for the reference check and as an option.
    case hog
    /// dlib's MMOD CNN (slow on CPU).
    case mmod
}

/// How to look for faces in one image.
public struct DetectionOptions: Sendable, Equatable {
    public var detector: FaceDetectorKind
    /// HOG only: times the image is doubled before detection (dlib's HOG window is 80 px: each
    /// doubling halves the smallest face found). `nil` chooses from the image size.
    public var upsample: Int?
    /// Detect on a copy resized by this factor (0 < scale ≤ 1); boxes are mapped back. HOG/MMOD.
    public var scale: Double
    /// Smallest detector score kept. `nil`: the detector's own default (`defaultMinScore`).
    public var minScore: Double?
    /// Smallest face (box side, source pixels) kept.
    public var minFaceSize: Double
    /// YuNet: images whose longest side exceeds this are scaled down to it before detection (the
    /// cost grows with the pixel count; faces stay findable down to ~10 px of the scaled image).
    public var maxInputSide: Int
    /// YuNet: smaller images are scanned twice, as they are and enlarged to this longest side, so
    /// faces in thumbnails and small frames reach the sizes YuNet scores confidently (a 13 px face
    /// becomes ~50 px) while a face filling a crop is still found at its own size.
    public var minInputSide: Int
    /// Compute 128-D embeddings (and chip sharpness) for the faces found.
    public var embed: Bool
    /// YuNet: locate dlib's 5 landmarks for every face found. Off (streams), only faces that are
    /// embedded get them (`FaceEngine.embed` locates them first); pose quality then comes from
    /// YuNet's own points.
    public var landmarks: Bool = true
    /// Average each descriptor with that of the chip's mirror image (twice the ResNet work).
    public var mirror: Bool
    /// At most this many faces, the detector's most confident first.
    public var maxFaces: Int

    public init(detector: FaceDetectorKind = .yunet, upsample: Int? = nil, scale: Double = 1, minScore: Double? = nil,
                minFaceSize: Double = 0, maxInputSide: Int = 1280, minInputSide: Int = 640, embed: Bool = true, mirror: Bool = false, maxFaces: Int = 64) {
        self.detector = detector
        self.upsample = upsample
        self.scale = scale
        self.minScore = minScore
        self.minFaceSize = minFaceSize
        self.maxInputSide = maxInputSide
        self.minInputSide = minInputSide
        self.embed = embed
        self.mirror = mirror
        self.maxFaces = maxFaces
    }

    /// The score a detection needs when `minScore` is not set: YuNet's sqrt(class × objectness)
    /// ≥ 0.8 (every LFW dev-set face scores ≥ 0.88; dog faces in dlib's dogs.jpg score 0.78 and
    /// less); HOG's SVM margin ≥ 0 (what `face_recognition` reports); MMOD's ≥ 0.
    public static func defaultMinScore(for detector: FaceDetectorKind) -> Double {
        detector == .yunet ? 0.8 : 0
    }

    public var resolvedMinScore: Double { minScore ?? Self.defaultMinScore(for: detector) }

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

extension DetectionOptions {
    /// What the server uses for photos (REST recognition, enrolment, verification). Mirror
    /// averaging raised LFW dev-set accuracy at 0.6 from 0.984 to 0.990 (`bench-accuracy`).
    public static let photo = DetectionOptions(detector: .yunet, mirror: true)
    /// What the server uses for stream frames: detection only, every frame; tracks are embedded
    /// separately, without mirror averaging: a stream's identity comes from a vote over several
    /// looks, and the doubled ResNet cost of mirroring decides whether 10 cameras fit on 2 cores.
    /// Plain and mirror-averaged embeddings of one face are ~0.05 apart, so the gallery's
    /// (mirror-averaged) enrolments still match.
    /// Frames are detected at most 480 px on their longest side: a 640×480 frame costs ~0.56× as
    /// much as at full size, and faces stay findable down to ~13 px of the frame.
    public static let stream: DetectionOptions = {
        var options = DetectionOptions(detector: .yunet, maxInputSide: 480, embed: false, mirror: false)
        options.landmarks = false
        return options
    }()
}
