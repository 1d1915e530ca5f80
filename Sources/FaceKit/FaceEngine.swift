import CDlibFace
import Foundation

/// Thread-safe face analysis: detection, landmarks, quality and embeddings, run on a pool of
/// dedicated threads with one set of dlib models each.
public final class FaceEngine: Sendable {
    private let pool: EngineWorkerPool
    public let models: ModelFiles

    /// Loads `threads` copies of the models (default: one per core), one per engine thread.
    /// `queueCapacity` bounds the jobs waiting; beyond it calls fail fast with `engine_overloaded`
    /// instead of queueing.
    /// A missing or unreadable YuNet model (when `loadYuNet`) throws `model_error` naming the file.
    public init(models: ModelFiles, threads: Int? = nil, queueCapacity: Int = 64,
                loadCNN: Bool = false, loadYuNet: Bool = true) throws(FaceKitError) {
        let count = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var engines: [DlibEngine] = []
        for _ in 0..<count { engines.append(try DlibEngine(models: models, loadCNN: loadCNN, loadYuNet: loadYuNet)) }
        pool = EngineWorkerPool(engines: engines, capacity: queueCapacity)
        self.models = models
    }

    public var threadCount: Int { pool.threadCount }
    /// Jobs waiting for an engine thread.
    public var queueDepth: Int { pool.queueDepth }

    public func shutdown() { pool.shutdown() }

    /// Detects faces, their landmarks and quality, and (when `options.embed`) their embeddings.
    public func analyze(_ image: Image, options: DetectionOptions = DetectionOptions()) async throws(FaceKitError) -> [Face] {
        try await analyzeTimed(image, options: options).faces
    }

    public func analyzeTimed(_ image: Image, options: DetectionOptions = DetectionOptions()) async throws(FaceKitError)
        -> (faces: [Face], timings: StageTimings)
    {
        let pool = self.pool
        return try await pool.run { engine throws(FaceKitError) in
            var timings = StageTimings()
            var faces = try Self.detect(engine, image, options, spareCore: pool.hasSpareCore, &timings)
            if options.embed { try Self.embed(engine, image, &faces, mirror: options.mirror, spareCore: pool.hasSpareCore, &timings) }
            return (faces, timings)
        }
    }

    /// How far YuNet's network on FaceStream's own kernels strays from OpenCV's cv::dnn on the same
    /// image: the largest absolute difference of any output (scores, boxes, landmarks). `portable`
    /// runs the kernels' scalar loops instead of the CPU's AVX2 ones.
    public func yunetKernelDifference(_ image: Image, portable: Bool) async throws(FaceKitError) -> Double {
        try await pool.run { engine throws(FaceKitError) in try engine.yunetKernelDifference(image, portable: portable) }
    }

    /// How far YuNet's outputs computed on one engine thread stray from those computed with the
    /// rows of every layer shared with the spare-core helper thread (0: the split is exact).
    public func yunetSplitDifference(_ image: Image) async throws(FaceKitError) -> Double {
        try await pool.run { engine throws(FaceKitError) in try engine.yunetSplitDifference(image) }
    }

    /// How far YuNet's own area-averaged downscale of `image` to `width`×`height` (made as the
    /// network loads its input) strays from OpenCV's INTER_AREA resize: the largest absolute
    /// difference of any channel value. OpenCV rounds to 8 bits, so ~0.5 at most.
    public static func yunetAreaDifference(_ image: Image, width: Int, height: Int) throws(FaceKitError) -> Double {
        var difference = 0.0
        try checked { dlibface_yunet_area_difference(image.handle, Int32(width), Int32(height), &difference, $0, $1) }
        return difference
    }

    /// How far FaceStream's evaluation of the descriptor ResNet strays from dlib's on these faces
    /// (found on `image`, with landmarks), alone and with the spare-core helper.
    public func descriptorDifference(_ faces: [Face], in image: Image) async throws(FaceKitError) -> Double {
        let boxes = faces.map(\.rawBox.rect), landmarks = faces.map(\.landmarks)
        return try await pool.run { engine throws(FaceKitError) in
            try engine.descriptorDifference(image, boxes: boxes, landmarks: landmarks)
        }
    }

    /// Decodes an image on an engine thread; returns it with the milliseconds decoding took.
    public func decodeFrame(_ bytes: Data, maxPixels: Int) async throws(FaceKitError) -> (image: Image, decodeMilliseconds: Double) {
        try await pool.run { _ throws(FaceKitError) in
            let clock = ContinuousClock.now
            let image = try Image(decoding: bytes, maxPixels: maxPixels)
            return (image, clock.millisecondsElapsed)
        }
    }

    /// Decodes a stream's frame and finds every face in it (with landmarks, without embeddings)
    /// in one engine job: one trip to an engine thread per frame.
    public func detectFrame(_ bytes: Data, maxPixels: Int, options: DetectionOptions) async throws(FaceKitError) -> FrameDetection {
        var detectOnly = options
        detectOnly.embed = false
        let settings = detectOnly
        let pool = self.pool
        return try await pool.run { engine throws(FaceKitError) in
            var timings = StageTimings()
            let clock = ContinuousClock.now
            let image = try Image(decoding: bytes, maxPixels: maxPixels)
            timings.decode = clock.millisecondsElapsed
            let faces = try Self.detect(engine, image, settings, spareCore: pool.hasSpareCore, &timings)
            return FrameDetection(image: image, faces: faces, timings: timings)
        }
    }

    /// Embeds the given faces (found earlier on the same image); returns them with embeddings
    /// and sharpness-aware quality.
    public func embed(_ faces: [Face], in image: Image, mirror: Bool = false) async throws(FaceKitError) -> [Face] {
        try await embedTimed(faces, in: image, mirror: mirror).faces
    }

    /// `embed`, with the landmark, chip and ResNet milliseconds. `continuing`: the second step of
    /// work already begun (a stream frame after its detection), served before new jobs.
    public func embedTimed(_ faces: [Face], in image: Image, mirror: Bool = false, continuing: Bool = false) async throws(FaceKitError)
        -> (faces: [Face], timings: StageTimings)
    {
        let result = try await embedJob(faces, in: image, mirror: mirror, continuing: continuing, thumbnails: nil, floors: [])
        return (result.faces, result.timings)
    }

    /// `embedTimed`, and in the same engine job a JPEG thumbnail (`thumbnails`) of each face whose
    /// quality (as just measured) is above its entry in `thumbnailAbove` (one per face; pass a
    /// track's best quality so far to make one only when the track's best look improves). A face
    /// without one (not better, or it could not be made) gets nil; `thumbnails` nil makes none.
    /// Several faces are shared out over the engine threads, in consecutive runs, one job each:
    /// a frame with two new faces is answered after one embedding's time, not two. The timings
    /// are then the slowest job's.
    public func embedTimed(_ faces: [Face], in image: Image, mirror: Bool = false, continuing: Bool = false,
                           thumbnails: ThumbnailSettings?, thumbnailAbove: [Double]) async throws(FaceKitError) -> EmbeddedFaces {
        let floors = faces.indices.map { $0 < thumbnailAbove.count ? thumbnailAbove[$0] : -.infinity }
        let jobs = min(faces.count, pool.threadCount)
        guard jobs > 1 else {
            return try await embedJob(faces, in: image, mirror: mirror, continuing: continuing, thumbnails: thumbnails, floors: floors)
        }
        let runs = (0..<jobs).map { job in (faces.count * job / jobs)..<(faces.count * (job + 1) / jobs) }
        let results = await withTaskGroup(of: (job: Int, result: Result<EmbeddedFaces, FaceKitError>).self) { group in
            for (job, run) in runs.enumerated() {
                let part = Array(faces[run]), partFloors = Array(floors[run])
                group.addTask {
                    let result: Result<EmbeddedFaces, FaceKitError>
                    do throws(FaceKitError) {
                        result = .success(try await self.embedJob(part, in: image, mirror: mirror, continuing: continuing,
                                                                  thumbnails: thumbnails, floors: partFloors))
                    } catch {
                        result = .failure(error)
                    }
                    return (job, result)
                }
            }
            var collected: [(job: Int, result: Result<EmbeddedFaces, FaceKitError>)] = []
            for await item in group { collected.append(item) }
            return collected.sorted { $0.job < $1.job }.map(\.result)
        }
        var embedded: [Face] = [], made: [Data?] = [], timings = StageTimings()
        for result in results {
            let part = try result.get()
            embedded += part.faces
            made += part.thumbnails
            timings.landmarks = max(timings.landmarks, part.timings.landmarks)
            timings.chip = max(timings.chip, part.timings.chip)
            timings.embed = max(timings.embed, part.timings.embed)
        }
        return EmbeddedFaces(faces: embedded, timings: timings, thumbnails: made)
    }

    /// One engine job: the faces' embeddings and, with `thumbnails`, a thumbnail of each face whose
    /// quality beats its entry in `floors` (one per face).
    private func embedJob(_ faces: [Face], in image: Image, mirror: Bool, continuing: Bool,
                          thumbnails: ThumbnailSettings?, floors: [Double]) async throws(FaceKitError) -> EmbeddedFaces {
        guard !faces.isEmpty else { return EmbeddedFaces(faces: faces, timings: StageTimings(), thumbnails: []) }
        let spareCore = pool.hasSpareCore
        return try await pool.run(continuing: continuing) { engine throws(FaceKitError) in
            var copy = faces
            var timings = StageTimings()
            try Self.embed(engine, image, &copy, mirror: mirror, spareCore: spareCore, &timings)
            guard let thumbnails else { return EmbeddedFaces(faces: copy, timings: timings, thumbnails: []) }
            let made = copy.indices.map { index -> Data? in
                guard copy[index].quality.score > floors[index] else { return nil }
                return try? image.thumbnailJPEG(of: copy[index].box, settings: thumbnails)
            }
            return EmbeddedFaces(faces: copy, timings: timings, thumbnails: made)
        }
    }

    /// JPEG thumbnails of faces found on `image` (nil where one could not be made), on an engine
    /// thread: cropping, scaling and encoding are blocking C work.
    public func thumbnails(of faces: [Face], in image: Image, settings: ThumbnailSettings) async throws(FaceKitError) -> [Data?] {
        guard !faces.isEmpty else { return [] }
        let boxes = faces.map(\.box)
        return try await pool.run { _ throws(FaceKitError) in
            boxes.map { try? image.thumbnailJPEG(of: $0, settings: settings) }
        }
    }

    /// `spareCore`: YuNet may borrow an idle engine thread's core while no other job runs (see
    /// `EngineWorkerPool.hasSpareCore`).
    private static func detect(_ engine: DlibEngine, _ image: Image, _ options: DetectionOptions, spareCore: Bool = false,
                               _ timings: inout StageTimings) throws(FaceKitError) -> [Face] {
        switch options.detector {
        case .yunet:
            guard engine.hasYuNet else { throw FaceKitError(.invalidArgument, "the YuNet detector is not loaded") }
            let clock = ContinuousClock.now
            let found = try engine.detectYuNet(image, options: options, spareCore: spareCore)
            timings.detect = clock.millisecondsElapsed
            let adapted = found.map { ShapePredictorBox.adapted(from: $0.box) }
            let located = options.landmarks ? try landmarks(engine, image, adapted, &timings) : nil
            return found.indices.map { index in
                let points = withUnsafeBytes(of: found[index].landmarks) { raw in
                    let values = raw.bindMemory(to: Double.self)
                    return (0..<5).map { Point(x: values[$0 * 2], y: values[$0 * 2 + 1]) }
                }
                // Without dlib's landmarks (located when embedded), pose comes from YuNet's own
                // points: eye centres stand in for the corner pairs FaceQuality averages.
                var face = makeFace(adapted[index], landmarks: located?[index] ?? [],
                                    pose: located?[index] ?? [points[0], points[0], points[1], points[1], points[2]], detector: .yunet)
                face.box = box(found[index].box)
                face.detectorLandmarks = points
                return face
            }
        case .hog, .mmod:
            let useCNN = options.detector == .mmod
            if useCNN && !engine.hasCNN { throw FaceKitError(.invalidArgument, "the CNN detector is not loaded") }
            let clock = ContinuousClock.now
            let boxes = try engine.detect(image, upsample: options.resolvedUpsample(for: image), scale: options.scale,
                                          useCNN: useCNN, maxFaces: options.maxFaces)
            timings.detect = clock.millisecondsElapsed
            let kept = boxes.filter {
                $0.score >= options.resolvedMinScore && min($0.right - $0.left, $0.bottom - $0.top) + 1 >= options.minFaceSize
            }
            let located = try landmarks(engine, image, kept, &timings)
            return zip(kept, located).map { makeFace($0, landmarks: $1, pose: $1, detector: options.detector) }
        }
    }

    static func box(_ rect: dlibface_rect) -> BoundingBox {
        BoundingBox(x: rect.left, y: rect.top, width: rect.right - rect.left + 1, height: rect.bottom - rect.top + 1)
    }

    /// dlib's five landmarks for each box, timed.
    private static func landmarks(_ engine: DlibEngine, _ image: Image, _ boxes: [dlibface_rect],
                                  _ timings: inout StageTimings) throws(FaceKitError) -> [[Point]] {
        let clock = ContinuousClock.now
        defer { timings.landmarks += clock.millisecondsElapsed }
        return try engine.landmarks(image, boxes: boxes)
    }

    /// A detected face before embedding, its quality from the box, `pose` points and detector score.
    private static func makeFace(_ rect: dlibface_rect, landmarks: [Point], pose: [Point], detector: FaceDetectorKind) -> Face {
        let frame = box(rect)
        let confidence = FaceQuality.detectionConfidence(score: rect.score, detector: detector)
        return Face(box: frame, landmarks: landmarks, score: rect.score, detector: detector, detectorLandmarks: nil,
                    quality: FaceQuality(faceWidth: frame.width, landmarks: pose, detection: confidence, chipLaplacianVariance: nil),
                    embedding: nil, rawBox: RawBox(rect))
    }

    /// `spareCore`: the ResNet may borrow an idle engine thread's core while no other job runs.
    private static func embed(_ engine: DlibEngine, _ image: Image, _ faces: inout [Face], mirror: Bool, spareCore: Bool,
                              _ timings: inout StageTimings) throws(FaceKitError) {
        guard !faces.isEmpty else { return }
        let unlocated = faces.indices.filter { faces[$0].landmarks.isEmpty }
        if !unlocated.isEmpty {
            let located = try landmarks(engine, image, unlocated.map { faces[$0].rawBox.rect }, &timings)
            for (index, points) in zip(unlocated, located) { faces[index].landmarks = points }
        }
        let boxes = faces.map(\.rawBox.rect)
        let result = try engine.embed(image, boxes: boxes, landmarks: faces.map(\.landmarks), mirror: mirror, spareCore: spareCore)
        timings.chip += result.timing.chip_ms
        timings.embed += result.timing.embed_ms
        for index in faces.indices {
            faces[index].embedding = result.embeddings[index]
            faces[index].quality = FaceQuality(faceWidth: faces[index].box.width, landmarks: faces[index].landmarks,
                                               detection: faces[index].quality.detection, chipLaplacianVariance: result.sharpness[index])
        }
    }
}

/// Faces embedded on an engine thread, with the thumbnails made beside them.
public struct EmbeddedFaces: Sendable {
    public let faces: [Face]
    public let timings: StageTimings
    /// One per face: a JPEG thumbnail, or nil.
    public let thumbnails: [Data?]
}
