import ArgumentParser
import FaceKit
import Foundation

/// `facestream bench-alignment PHOTO...`: how close the YuNet path's embeddings are to the HOG
/// path's on the same faces, and how YuNet's boxes relate to HOG's (the calibration of
/// `ShapePredictorBox`).
struct BenchAlignmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-alignment",
        abstract: "Compare YuNet-path and HOG-path embeddings of the same faces; fit HOG boxes from YuNet boxes.",
        discussion: """
            Each photo is analysed twice: HOG (automatic upsampling, as face_recognition does) and YuNet. \
            Faces are paired when the HOG box's centre lies inside the YuNet box and they are each other's \
            nearest. Prints the medians of the HOG box's centre and side in YuNet box units, and the \
            distance between the two paths' embeddings (no mirror averaging).
            """
    )

    @OptionGroup var engineOptions: EngineOptions

    @Argument(help: ArgumentHelp("Photos (JPEG or PNG).", valueName: "photo"))
    var photos: [String]

    mutating func run() async throws {
        let engine: FaceEngine
        do throws(FaceKitError) {
            engine = try FaceEngine(models: ModelFiles(directory: engineOptions.modelDirectory), threads: 1)
        } catch {
            throw ToolError(error.description)
        }
        defer { engine.shutdown() }
        var centerX: [Double] = [], centerY: [Double] = [], side: [Double] = [], distances: [Double] = []
        var hogFaces = 0, yunetFaces = 0
        for photo in photos {
            guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: photo)) else { throw ToolError("cannot read \(photo)") }
            do throws(FaceKitError) {
                let image = try await engine.decodeFrame(bytes, maxPixels: EmbedCommand.maxPixels).image
                let hog = try await engine.analyze(image, options: DetectionOptions(detector: .hog))
                let yunet = try await engine.analyze(image, options: DetectionOptions(detector: .yunet))
                hogFaces += hog.count
                yunetFaces += yunet.count
                for (h, y) in Self.pairs(hog, yunet) {
                    centerX.append((h.box.center.x - y.box.x) / y.box.width)
                    centerY.append((h.box.center.y - y.box.y) / y.box.height)
                    side.append(h.box.width / y.box.width)
                    if let a = h.embedding, let b = y.embedding { distances.append(Double(a.distance(to: b))) }
                }
            } catch {
                throw ToolError("\(photo): \(error.description)")
            }
        }
        let f = { (value: Double) in String(format: "%.3f", value) }
        Output.lines([
            "## facestream bench-alignment", "",
            "\(photos.count) photos: HOG found \(hogFaces) faces, YuNet \(yunetFaces); \(distances.count) faces paired.", "",
            "| HOG box in YuNet box units | median | p5 | p95 |", "|---|---:|---:|---:|",
            "| centre x (from left, × width) | \(f(Statistics.median(centerX))) | \(f(Statistics.percentile(centerX, 5))) | \(f(Statistics.percentile(centerX, 95))) |",
            "| centre y (from top, × height) | \(f(Statistics.median(centerY))) | \(f(Statistics.percentile(centerY, 5))) | \(f(Statistics.percentile(centerY, 95))) |",
            "| side (× width) | \(f(Statistics.median(side))) | \(f(Statistics.percentile(side, 5))) | \(f(Statistics.percentile(side, 95))) |", "",
            "| YuNet-path vs HOG-path embedding distance | median | p95 | max |", "|---|---:|---:|---:|",
            "| same face | \(f(Statistics.median(distances))) | \(f(Statistics.percentile(distances, 95))) | \(f(distances.max() ?? 0)) |",
        ])
    }

    /// HOG and YuNet faces that are each other's nearest, with the HOG centre inside the YuNet box.
    static func pairs(_ hog: [Face], _ yunet: [Face]) -> [(Face, Face)] {
        func gap(_ a: Face, _ b: Face) -> Double { hypot(a.box.center.x - b.box.center.x, a.box.center.y - b.box.center.y) }
        return hog.compactMap { h -> (Face, Face)? in
            guard let y = yunet.min(by: { gap(h, $0) < gap(h, $1) }),
                  hog.min(by: { gap($0, y) < gap($1, y) })?.box == h.box else { return nil }
            let c = h.box.center
            guard c.x >= y.box.x, c.x <= y.box.x + y.box.width, c.y >= y.box.y, c.y <= y.box.y + y.box.height else { return nil }
            return (h, y)
        }
    }
}
