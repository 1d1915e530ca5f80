import CDlibFace
import Foundation

/// One set of detector, shape predictor and ResNet objects. Not thread-safe: dlib's networks and
/// YuNet's network keep per-call scratch buffers, so each instance is owned by exactly one
/// `EngineWorkerPool` thread.
final class DlibEngine {
    private let handle: OpaquePointer
    let hasCNN: Bool
    let hasYuNet: Bool

    init(models: ModelFiles, loadCNN: Bool, loadYuNet: Bool) throws(FaceKitError) {
        try models.validate(requireCNN: loadCNN, requireYuNet: loadYuNet)
        var result: OpaquePointer?
        try checked {
            dlibface_engine_new(models.shapePredictor, models.recognitionModel,
                                loadCNN ? models.cnnDetector : nil, loadYuNet ? models.yunetDetector : nil, &result, $0, $1)
        }
        handle = result!
        hasCNN = loadCNN
        hasYuNet = loadYuNet
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

    /// YuNet detections (tight boxes with YuNet's landmarks), best first. `spareCore`: the network
    /// may share its rows with the shim's spare-core helper thread (while it is free).
    func detectYuNet(_ image: Image, options: DetectionOptions, spareCore: Bool = false) throws(FaceKitError) -> [dlibface_detection] {
        var settings = dlibface_yunet_options(score_threshold: options.resolvedMinScore, nms_threshold: 0.3,
                                              min_face: options.minFaceSize, max_input_side: Int32(options.maxInputSide),
                                              min_input_side: Int32(options.minInputSide), spare_core: spareCore ? 1 : 0)
        var found = [dlibface_detection](repeating: dlibface_detection(), count: options.maxFaces)
        var count: Int32 = 0
        try checked { dlibface_detect_yunet(handle, image.handle, &settings, &found, Int32(options.maxFaces), &count, $0, $1) }
        return Array(found.prefix(min(Int(count), options.maxFaces)))
    }

    /// The largest difference between YuNet's outputs on FaceStream's kernels (their portable
    /// loops when `portable`) and OpenCV's cv::dnn on the same image.
    func yunetKernelDifference(_ image: Image, portable: Bool) throws(FaceKitError) -> Double {
        var difference = 0.0
        try checked { dlibface_yunet_compare(handle, image.handle, portable ? 1 : 0, &difference, $0, $1) }
        return difference
    }

    /// The largest difference between YuNet's outputs computed on this thread alone and with the
    /// rows shared with the spare-core helper thread.
    func yunetSplitDifference(_ image: Image) throws(FaceKitError) -> Double {
        var difference = 0.0
        try checked { dlibface_yunet_split_difference(handle, image.handle, &difference, $0, $1) }
        return difference
    }

    /// The largest difference between dlib's descriptors of these faces and FaceStream's evaluation
    /// of the same network, alone and with the spare-core helper.
    func descriptorDifference(_ image: Image, boxes: [dlibface_rect], landmarks: [[Point]]) throws(FaceKitError) -> Double {
        var difference = 0.0
        let points = landmarks.flatMap { $0.flatMap { [$0.x, $0.y] } }
        try checked { dlibface_descriptor_difference(handle, image.handle, boxes, points, Int32(boxes.count), &difference, $0, $1) }
        return difference
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

    /// Descriptors and chip sharpness for faces given their boxes and landmarks. `spareCore`: the
    /// ResNet may share its rows with the shim's spare-core helper thread (while it is free).
    func embed(_ image: Image, boxes: [dlibface_rect], landmarks: [[Point]], mirror: Bool, spareCore: Bool = false) throws(FaceKitError)
        -> (embeddings: [Embedding], sharpness: [Double], timing: dlibface_embed_timing)
    {
        var timing = dlibface_embed_timing()
        guard !boxes.isEmpty else { return ([], [], timing) }
        let points = landmarks.flatMap { $0.flatMap { [$0.x, $0.y] } }
        var descriptors = [Float](repeating: 0, count: boxes.count * Embedding.dimensions)
        var sharpness = [Double](repeating: 0, count: boxes.count)
        try checked {
            dlibface_embed(handle, image.handle, boxes, points, Int32(boxes.count), mirror ? 1 : 0, spareCore ? 1 : 0, &descriptors,
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
