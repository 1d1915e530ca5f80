import CDlibFace
import Foundation

/// Thread-safe face analysis: detection, landmarks, quality and embeddings, run on a pool of
/// dedicated threads with one set of dlib models each.
public final class FaceEngine: Sendable {
    private let pool: EngineWorkerPool
    public let models: ModelFiles
    public let hasCNN: Bool

    /// Loads `threads` copies of the models (default: one per core). `queueCapacity` bounds the
    /// jobs waiting; beyond it calls fail fast with `engine_overloaded` instead of queueing.
    public init(models: ModelFiles, threads: Int? = nil, queueCapacity: Int = 64, loadCNN: Bool = false) throws(FaceKitError) {
        let count = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var engines: [DlibEngine] = []
        for _ in 0..<count { engines.append(try DlibEngine(models: models, loadCNN: loadCNN)) }
        pool = EngineWorkerPool(engines: engines, capacity: queueCapacity)
        self.models = models
        self.hasCNN = loadCNN
    }

    public var threadCount: Int { pool.threadCount }
    /// Jobs waiting for an engine thread.
    public var queueDepth: Int { pool.queueDepth }
    /// Jobs waiting or running.
    public var load: Int { pool.load }

    public func shutdown() { pool.shutdown() }

    /// Detects faces, their landmarks and quality, and (when `options.embed`) their embeddings.
    public func analyze(_ image: Image, options: DetectionOptions = DetectionOptions()) async throws(FaceKitError) -> [Face] {
        try await analyzeTimed(image, options: options).faces
    }

    public func analyzeTimed(_ image: Image, options: DetectionOptions = DetectionOptions()) async throws(FaceKitError)
        -> (faces: [Face], timings: StageTimings)
    {
        try await pool.run { engine throws(FaceKitError) in
            var timings = StageTimings()
            var faces = try Self.detect(engine, image, options, &timings)
            if options.embed { try Self.embed(engine, image, &faces, &timings) }
            return (faces, timings)
        }
    }

    /// Embeds the given faces (found earlier on the same image); returns them with embeddings
    /// and sharpness-aware quality.
    public func embed(_ faces: [Face], in image: Image) async throws(FaceKitError) -> [Face] {
        guard !faces.isEmpty else { return faces }
        return try await pool.run { engine throws(FaceKitError) in
            var copy = faces
            var timings = StageTimings()
            try Self.embed(engine, image, &copy, &timings)
            return copy
        }
    }

    private static func detect(_ engine: DlibEngine, _ image: Image, _ options: DetectionOptions,
                               _ timings: inout StageTimings) throws(FaceKitError) -> [Face] {
        if options.useCNN && !engine.hasCNN {
            throw FaceKitError(.invalidArgument, "the CNN detector is not loaded")
        }
        var clock = ContinuousClock.now
        let boxes = try engine.detect(image, upsample: options.resolvedUpsample(for: image), scale: options.scale,
                                      useCNN: options.useCNN, maxFaces: options.maxFaces)
        timings.detect = clock.millisecondsSince()
        clock = ContinuousClock.now
        let landmarks = try engine.landmarks(image, boxes: boxes)
        timings.landmarks = clock.millisecondsSince()
        return zip(boxes, landmarks).map { box, points in
            let frame = BoundingBox(x: box.left, y: box.top, width: box.right - box.left + 1, height: box.bottom - box.top + 1)
            return Face(box: frame, landmarks: points, score: box.score,
                        quality: FaceQuality(faceWidth: frame.width, landmarks: points, detectorScore: box.score, chipLaplacianVariance: nil),
                        embedding: nil, rawBox: (box.left, box.top, box.right, box.bottom))
        }
    }

    private static func embed(_ engine: DlibEngine, _ image: Image, _ faces: inout [Face],
                              _ timings: inout StageTimings) throws(FaceKitError) {
        guard !faces.isEmpty else { return }
        let boxes = faces.map { dlibface_rect(left: $0.rawBox.left, top: $0.rawBox.top, right: $0.rawBox.right, bottom: $0.rawBox.bottom, score: $0.score) }
        let result = try engine.embed(image, boxes: boxes, landmarks: faces.map(\.landmarks))
        timings.chip += result.timing.chip_ms
        timings.embed += result.timing.embed_ms
        for index in faces.indices {
            faces[index].embedding = result.embeddings[index]
            faces[index].quality = FaceQuality(faceWidth: faces[index].box.width, landmarks: faces[index].landmarks,
                                               detectorScore: faces[index].score, chipLaplacianVariance: result.sharpness[index])
        }
    }
}

extension ContinuousClock.Instant {
    func millisecondsSince() -> Double {
        let elapsed = ContinuousClock.now - self
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}
