import CDlibFace
import Foundation

/// Thread-safe face analysis: detection, landmarks, quality and embeddings, run on a pool of
/// dedicated threads with one set of dlib models each.
public final class FaceEngine: Sendable {
    private let pool: EngineWorkerPool
    public let models: ModelFiles
    public let hasCNN: Bool

    /// Loads `threads` copies of the models for the urgent lane (default: one per core) and
    /// `backgroundThreads` more for low-priority discovery scans. `queueCapacity` bounds the jobs
    /// waiting per lane; beyond it calls fail fast with `engine_overloaded` instead of queueing.
    public init(models: ModelFiles, threads: Int? = nil, backgroundThreads: Int = 1, queueCapacity: Int = 64,
                loadCNN: Bool = false) throws(FaceKitError) {
        let count = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var engines: [DlibEngine] = []
        for _ in 0..<count { engines.append(try DlibEngine(models: models, loadCNN: loadCNN)) }
        var backgroundEngines: [DlibEngine] = []
        for _ in 0..<max(0, backgroundThreads) { backgroundEngines.append(try DlibEngine(models: models, loadCNN: false)) }
        pool = EngineWorkerPool(urgentEngines: engines, backgroundEngines: backgroundEngines, capacity: queueCapacity)
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

    /// Finds faces without embedding them as a background job: on the low-priority discovery
    /// threads, so it only uses CPU that frame work leaves idle (full-frame scans of a stream).
    public func discover(_ image: Image, options: DetectionOptions) async throws(FaceKitError) -> [Face] {
        var options = options
        options.embed = false
        let detectOnly = options
        return try await pool.run(background: true) { engine throws(FaceKitError) in
            var timings = StageTimings()
            return try Self.detect(engine, image, detectOnly, &timings)
        }
    }

    /// Decodes a frame on an engine thread, with its 16×9 gray grid (for `SceneCutDetector`) and
    /// the milliseconds decoding took.
    public func decodeFrame(_ bytes: Data, maxPixels: Int) async throws(FaceKitError) -> (image: Image, grid: [UInt8], decodeMilliseconds: Double) {
        try await pool.run { _ throws(FaceKitError) in
            let clock = ContinuousClock.now
            let image = try Image(decoding: bytes, maxPixels: maxPixels)
            let milliseconds = clock.millisecondsSince()
            return (image, image.grayGrid(), milliseconds)
        }
    }

    /// Decodes a stream's frame and finds its faces as `plan` says, in one engine job: the whole
    /// frame when forced, quickly on a cut, else only around the faces known (no embeddings).
    public func scanFrame(_ bytes: Data, maxPixels: Int, plan: FrameScanPlan) async throws(FaceKitError) -> FrameScan {
        try await pool.run { engine throws(FaceKitError) in
            var timings = StageTimings()
            let clock = ContinuousClock.now
            let image = try Image(decoding: bytes, maxPixels: maxPixels)
            timings.decode = clock.millisecondsSince()
            let grid = image.grayGrid()
            if plan.forceFullScan {
                return FrameScan(image: image, grid: grid, faces: try Self.detect(engine, image, plan.full, &timings), kind: .full, timings: timings)
            }
            if plan.cutDetector.isCut(from: plan.previousGrid, to: grid) {
                return FrameScan(image: image, grid: grid, faces: try Self.detect(engine, image, plan.quick, &timings), kind: .cut, timings: timings)
            }
            let faces = try Self.detect(engine, image, near: plan.near, adjustThreshold: plan.full.trackingThreshold, &timings)
            return FrameScan(image: image, grid: grid, faces: faces, kind: .regions, timings: timings)
        }
    }

    /// The best face around each tracked box (a region 2.2 box widths wide), duplicates merged.
    private static func detect(_ engine: DlibEngine, _ image: Image, near tracked: [BoundingBox], adjustThreshold: Double,
                               _ timings: inout StageTimings) throws(FaceKitError) -> [Face] {
        let clock = ContinuousClock.now
        let regions = tracked.map { box in
            let margin = box.width * 0.6
            return dlibface_rect(left: box.x - margin, top: box.y - margin,
                                 right: box.x + box.width + margin, bottom: box.y + box.height + margin, score: 0)
        }
        let hits = try engine.detect(image, regions: regions, expectedWidths: tracked.map(\.width), adjustThreshold: adjustThreshold)
        var found: [dlibface_rect] = []
        for hit in hits.compactMap({ $0 }) {
            // Two tracks close together can find the same face: keep the stronger box.
            if let twin = found.firstIndex(where: { Self.box($0).iou(Self.box(hit)) > 0.5 }) {
                if hit.score > found[twin].score { found[twin] = hit }
            } else {
                found.append(hit)
            }
        }
        timings.detect = clock.millisecondsSince()
        return try locate(engine, image, found, &timings)
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
        let clock = ContinuousClock.now
        let boxes = try engine.detect(image, upsample: options.resolvedUpsample(for: image), scale: options.scale,
                                      useCNN: options.useCNN, maxFaces: options.maxFaces)
        timings.detect = clock.millisecondsSince()
        return try locate(engine, image, boxes, &timings)
    }

    static func box(_ rect: dlibface_rect) -> BoundingBox {
        BoundingBox(x: rect.left, y: rect.top, width: rect.right - rect.left + 1, height: rect.bottom - rect.top + 1)
    }

    /// Landmarks and landmark-based quality for detected boxes.
    private static func locate(_ engine: DlibEngine, _ image: Image, _ boxes: [dlibface_rect],
                               _ timings: inout StageTimings) throws(FaceKitError) -> [Face] {
        let clock = ContinuousClock.now
        let landmarks = try engine.landmarks(image, boxes: boxes)
        timings.landmarks = clock.millisecondsSince()
        return zip(boxes, landmarks).map { box, points in
            let frame = Self.box(box)
            return Face(box: frame, landmarks: points, score: box.score,
                        quality: FaceQuality(faceWidth: frame.width, landmarks: points, detectorScore: box.score, chipLaplacianVariance: nil),
                        embedding: nil, rawBox: RawBox(left: box.left, top: box.top, right: box.right, bottom: box.bottom))
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
