import CDlibFace
import Foundation

/// One set of dlib objects (detector, shape predictor, ResNet). Not thread-safe: dlib's networks
/// keep per-call scratch buffers, so each instance is owned by exactly one `EngineWorkerPool` thread.
final class DlibEngine {
    private let handle: OpaquePointer
    let hasCNN: Bool

    init(models: ModelFiles, loadCNN: Bool) throws(FaceKitError) {
        try models.validate(requireCNN: loadCNN)
        var result: OpaquePointer?
        try checked {
            dlibface_engine_new(models.shapePredictor, models.recognitionModel,
                                loadCNN ? models.cnnDetector : nil, &result, $0, $1)
        }
        handle = result!
        hasCNN = loadCNN
    }

    deinit { dlibface_engine_free(handle) }

    /// Detected boxes (raw dlib rects, best first).
    func detect(_ image: Image, upsample: Int, scale: Double, useCNN: Bool, maxFaces: Int) throws(FaceKitError) -> [dlibface_rect] {
        var boxes = [dlibface_rect](repeating: dlibface_rect(), count: maxFaces)
        var count: Int32 = 0
        try checked {
            dlibface_detect(handle, image.handle, Int32(upsample), scale, useCNN ? 1 : 0,
                            &boxes, Int32(maxFaces), &count, $0, $1)
        }
        return Array(boxes.prefix(min(Int(count), maxFaces)))
    }

    /// The best face in each region (nil where none), each region scaled for `expectedWidths`.
    func detect(_ image: Image, regions: [dlibface_rect], expectedWidths: [Double], adjustThreshold: Double) throws(FaceKitError) -> [dlibface_rect?] {
        guard !regions.isEmpty else { return [] }
        var found = [dlibface_rect](repeating: dlibface_rect(), count: regions.count)
        try checked {
            dlibface_detect_regions(handle, image.handle, regions, expectedWidths, Int32(regions.count), adjustThreshold, &found, $0, $1)
        }
        return found.map { $0.score.isFinite ? $0 : nil }
    }

    /// Five landmarks per box.
    func landmarks(_ image: Image, boxes: [dlibface_rect]) throws(FaceKitError) -> [[Point]] {
        guard !boxes.isEmpty else { return [] }
        var points = [Double](repeating: 0, count: boxes.count * 10)
        try checked { dlibface_landmarks(handle, image.handle, boxes, Int32(boxes.count), &points, $0, $1) }
        return (0..<boxes.count).map { face in
            (0..<5).map { Point(x: points[face * 10 + $0 * 2], y: points[face * 10 + $0 * 2 + 1]) }
        }
    }

    /// Descriptors and chip sharpness for faces given their boxes and landmarks, in one batch.
    func embed(_ image: Image, boxes: [dlibface_rect], landmarks: [[Point]]) throws(FaceKitError)
        -> (embeddings: [Embedding], sharpness: [Double], timing: dlibface_embed_timing)
    {
        var timing = dlibface_embed_timing()
        guard !boxes.isEmpty else { return ([], [], timing) }
        let points = landmarks.flatMap { $0.flatMap { [$0.x, $0.y] } }
        var descriptors = [Float](repeating: 0, count: boxes.count * Embedding.dimensions)
        var sharpness = [Double](repeating: 0, count: boxes.count)
        try checked {
            dlibface_embed(handle, image.handle, boxes, points, Int32(boxes.count), &descriptors,
                           &sharpness, &timing, $0, $1)
        }
        var embeddings: [Embedding] = []
        for face in 0..<boxes.count {
            let start = face * Embedding.dimensions
            embeddings.append(try Embedding(Array(descriptors[start..<start + Embedding.dimensions])))
        }
        return (embeddings, sharpness, timing)
    }
}
