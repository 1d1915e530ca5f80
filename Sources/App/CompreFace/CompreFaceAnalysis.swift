import FaceKit
import Vapor

/// Finds the faces of one image the way CompreFace's endpoints do: faces below
/// `det_prob_threshold` left out, the largest first, at most `limit` (0 = all); no face at all is
/// 400 code 28.
struct CompreFaceAnalysis {
    let image: Image
    let faces: [Face]
    let timings: StageTimings

    /// - Parameter embed: embeddings are needed (recognition, verification, the calculator plugin).
    static func run(_ bytes: Data, options: CompreFaceOptions, embed: Bool, analyzer: FaceAnalyzer) async throws -> Self {
        let analysis: FaceAnalyzer.Analysis
        if options.detectFaces {
            var detection = analyzer.detection
            detection.embed = embed
            if let threshold = options.detectionThreshold, detection.detector == .yunet {
                // YuNet's score is the probability: let the detector keep what the client asks for.
                detection.minScore = threshold
            }
            analysis = try await analyzer.analyze(bytes, options: detection)
        } else {
            analysis = try await analyzer.analyzeWholeImage(bytes, embed: embed)
        }
        var faces = analysis.faces
        if let threshold = options.detectionThreshold, options.detectFaces {
            faces = faces.filter { $0.quality.detection >= threshold }
        }
        faces.sort { $0.box.area > $1.box.area }
        if options.limit > 0 { faces = Array(faces.prefix(options.limit)) }
        guard !faces.isEmpty else { throw CompreFaceError.noFace() }
        return Self(image: analysis.image, faces: faces, timings: analysis.timings)
    }

    /// One face's box, plugins and timings, as CompreFace reports them.
    func describe(_ face: Face, options: CompreFaceOptions) -> CompreFaceFaceDTO {
        CompreFaceFaceDTO(
            box: CompreFaceBoxDTO(face, in: image),
            landmarks: options.landmarks ? (face.detectorLandmarks ?? face.landmarks).map { [Int($0.x.rounded()), Int($0.y.rounded())] } : nil,
            embedding: options.calculator ? face.embedding.map { $0.values.map(Double.init) } : nil,
            executionTime: options.status ? executionTime(options) : nil)
    }

    /// Milliseconds per plugin, the image's total spread over its faces as CompreFace does per face.
    private func executionTime(_ options: CompreFaceOptions) -> [String: Double] {
        var times = ["detector": Self.rounded(timings.decode + timings.detect)]
        if timings.embed > 0 { times["calculator"] = Self.rounded(timings.landmarks + timings.chip + timings.embed) }
        return times
    }

    private static func rounded(_ milliseconds: Double) -> Double { (milliseconds * 10).rounded() / 10 }

    /// `plugins_versions` for `status=true`.
    static func pluginVersions(_ detector: FaceDetectorKind, options: CompreFaceOptions) -> [String: String] {
        var versions = ["detector": detector == .yunet ? "facestream.YuNet-2023mar" : "facestream.dlib-\(detector.rawValue)",
                        "calculator": "facestream.dlib-resnet-v1"]
        if options.landmarks { versions["landmarks"] = detector == .yunet ? "facestream.YuNet-2023mar" : "facestream.dlib-shape-5" }
        return versions
    }
}
