import FaceKit
import Vapor

/// What every REST endpoint that takes a photo does first: enforce the upload limits, decode the
/// image (off Swift's cooperative pool: decoding is blocking C work), run the face engine and record
/// the stage timings and face counts in the metrics.
struct FaceAnalyzer: Sendable {
    let runtime: FaceRuntime
    let maxUploadBytes: Int
    let maxImagePixels: Int
    let threadPool: NIOThreadPool
    let metrics: FaceStreamMetrics
    /// The server's photo settings (detector, thresholds, mirror averaging).
    var detection: DetectionOptions

    /// 503 `engine_unavailable` when this server runs without the face engine.
    init(_ req: Request) throws {
        runtime = try req.requireFaceRuntime()
        maxUploadBytes = req.application.config.maxUploadBytes
        maxImagePixels = req.application.config.maxImagePixels
        threadPool = req.application.threadPool
        metrics = req.application.faceStreamMetrics
        detection = req.application.config.photoDetection
    }

    struct Analysis: Sendable {
        let image: Image
        let faces: [Face]
        /// Milliseconds per stage, decoding included.
        let timings: StageTimings
    }

    /// Decodes and analyses one image.
    /// - Throws: `FaceStreamError` 413 `payload_too_large` above MAX_UPLOAD_BYTES; `FaceKitError` for an
    ///   image that doesn't decode (`corrupt_image`, `unsupported_format`, `empty_image`), has too many
    ///   pixels (`image_too_large`), or when the engine is overloaded.
    func analyze(_ bytes: Data, options: DetectionOptions? = nil) async throws -> Analysis {
        let (image, decodeMilliseconds) = try await decode(bytes)
        var (faces, timings) = try await runtime.engine.analyzeTimed(image, options: options ?? detection)
        timings.decode = decodeMilliseconds
        return recorded(Analysis(image: image, faces: faces, timings: timings))
    }

    /// The whole image as one face (an image that is already a face crop), embedded when `embed`.
    func analyzeWholeImage(_ bytes: Data, embed: Bool) async throws -> Analysis {
        let (image, decodeMilliseconds) = try await decode(bytes)
        var (faces, timings) = ([Face.wholeImage(image)], StageTimings())
        if embed { (faces, timings) = try await runtime.engine.embedTimed(faces, in: image, mirror: detection.mirror) }
        timings.decode = decodeMilliseconds
        return recorded(Analysis(image: image, faces: faces, timings: timings))
    }

    /// Decodes off the cooperative pool, within the upload limits; returns the image and the milliseconds it took.
    private func decode(_ bytes: Data) async throws -> (Image, Double) {
        guard bytes.count <= maxUploadBytes else {
            throw FaceStreamError.payloadTooLarge("the image is \(bytes.count) bytes; the limit is \(maxUploadBytes) (MAX_UPLOAD_BYTES)")
        }
        let start = ContinuousClock.now
        let maxPixels = maxImagePixels
        let image = try await threadPool.runIfActive { try Image(decoding: bytes, maxPixels: maxPixels) }
        return (image, start.millisecondsElapsed)
    }

    private func recorded(_ analysis: Analysis) -> Analysis {
        metrics.recordFrame(timings: analysis.timings)
        metrics.recordFacesDetected(analysis.faces.count)
        return analysis
    }

    /// Analyses an image that must show exactly one face (enrolment, verification) and returns it.
    /// Only the two most confident faces are embedded: one more is enough to know there are several.
    /// - Throws: 422 `no_face` / `multiple_faces`, or what `analyze` throws.
    func singleFace(_ bytes: Data, what: String = "the image") async throws -> Face {
        var options = detection
        options.maxFaces = 2
        let analysis = try await analyze(bytes, options: options)
        switch analysis.faces.count {
        case 0: throw FaceStreamError.noFace("no face was found in \(what)")
        case 1: return analysis.faces[0]
        default: throw FaceStreamError.multipleFaces("\(what) shows more than one face; use a photo of one person alone")
        }
    }
}
