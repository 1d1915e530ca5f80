import FaceKit
import Foundation

/// Medians of each YuNet-path stage for one frame on one engine thread.
struct YuNetStageBenchmark {
    var faces = 0
    var decode = 0.0, detect = 0.0, spareCoreDetect = 0.0, landmarks = 0.0, chip = 0.0, embed = 0.0, mirrorEmbed = 0.0, analyze = 0.0

    /// `engine` has one thread; `pair` two, idle but for this benchmark, so its detections borrow
    /// the second core (the spare-core helper).
    static func measure(_ jpeg: Data, engine: FaceEngine, pair: FaceEngine, repetitions: Int) async throws(FaceKitError)
        -> YuNetStageBenchmark
    {
        var decode: [Double] = [], detect: [Double] = [], spareCoreDetect: [Double] = [], landmarks: [Double] = [], chip: [Double] = []
        var embed: [Double] = [], mirrorEmbed: [Double] = [], analyze: [Double] = []
        var result = YuNetStageBenchmark()
        // One untimed round first: OpenCV and dlib allocate their scratch buffers on first use.
        for round in 0...repetitions {
            let decoded = try await engine.decodeFrame(jpeg, maxPixels: EmbedCommand.maxPixels)
            let plain = try await engine.analyzeTimed(decoded.image, options: DetectionOptions(detector: .yunet, mirror: false))
            let clock = ContinuousClock.now
            let mirrored = try await engine.analyzeTimed(decoded.image, options: .photo)
            let analyzeMs = clock.millisecondsElapsed
            let borrowed = try await pair.analyzeTimed(decoded.image, options: DetectionOptions(detector: .yunet, embed: false))
            guard round > 0 else { continue }
            spareCoreDetect.append(borrowed.timings.detect)
            result.faces = plain.faces.count
            let faces = Double(max(1, plain.faces.count))
            decode.append(decoded.decodeMilliseconds)
            detect.append(plain.timings.detect)
            landmarks.append(plain.timings.landmarks / faces)
            chip.append(plain.timings.chip / faces)
            embed.append(plain.timings.embed / faces)
            mirrorEmbed.append(mirrored.timings.embed / faces)
            analyze.append(analyzeMs)
        }
        result.decode = Statistics.median(decode)
        result.detect = Statistics.median(detect)
        result.spareCoreDetect = Statistics.median(spareCoreDetect)
        result.landmarks = Statistics.median(landmarks)
        result.chip = Statistics.median(chip)
        result.embed = Statistics.median(embed)
        result.mirrorEmbed = Statistics.median(mirrorEmbed)
        result.analyze = Statistics.median(analyze)
        return result
    }

    var row: String {
        let f = Statistics.format
        let perFace = faces > 0 ? "\(f(landmarks)) | \(f(chip)) | \(f(embed)) | \(f(mirrorEmbed))" : "– | – | – | –"
        return "\(faces) | \(f(decode)) | \(f(detect)) | \(f(spareCoreDetect)) | \(perFace) | \(f(analyze))"
    }
}
