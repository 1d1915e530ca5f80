import ArgumentParser
import FaceKit
import Foundation

/// `facestream bench-accuracy --lfw DIR`: face verification accuracy on LFW pairs at the server's
/// settings, counting a pair wrong when either image yields no face.
struct BenchAccuracyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-accuracy",
        abstract: "Verification accuracy on LFW pairs (pairs.txt + images/): at 0.6, leave-one-fold-out, faces not found.",
        discussion: """
            Every image the pairs use is embedded with the server's photo settings (or the options given). \
            Where an image shows several faces, LFW's subject is the largest face whose box holds the image \
            centre (else the face nearest the centre). A pair with an image without a face counts as wrong. Prints the accuracy at \
            --threshold, the accuracy with each fold's threshold chosen on the other folds, the images \
            without a face, and the distance distributions.
            """
    )

    @Option(help: ArgumentHelp("The dev set directory, with pairs.txt and images/NAME/NAME_NNNN.jpg.", valueName: "dir"))
    var lfw: String

    @Option(help: "Face detector: yunet (default), hog or mmod.")
    var detector: FaceDetectorKind = DetectionOptions.photo.detector

    @Flag(inversion: .prefixedNo, help: "Average each embedding with its mirror image's (the server's photo default).")
    var mirror = DetectionOptions.photo.mirror

    @Option(help: "Smallest detector score kept (default: the detector's own).")
    var minScore: Double?

    @Option(help: "The match threshold to report accuracy at.")
    var threshold = 0.6

    @Option(help: "Engine threads (default: one per core).")
    var threads: Int?

    @OptionGroup var engineOptions: EngineOptions

    mutating func run() async throws {
        let root = URL(fileURLWithPath: lfw)
        let pairs = try LFWPairs(contentsOf: root.appendingPathComponent("pairs.txt"))
        var options = DetectionOptions.photo
        options.detector = detector
        options.mirror = mirror
        options.minScore = minScore
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let engine: FaceEngine
        do throws(FaceKitError) {
            engine = try FaceEngine(models: ModelFiles(directory: engineOptions.modelDirectory), threads: threadCount,
                                    queueCapacity: threadCount * 4, loadCNN: detector == .mmod,
                                    loadYuNet: detector == .yunet)
        } catch {
            throw ToolError(error.description)
        }
        defer { engine.shutdown() }

        let images = pairs.images
        let clock = ContinuousClock.now
        let embeddings = try await Self.embedAll(images, root: root.appendingPathComponent("images"), engine: engine,
                                                 options: options, inFlight: threadCount * 2)
        let seconds = clock.millisecondsElapsed / 1000
        let scored = pairs.pairs.map { pair -> (distance: Double?, same: Bool) in
            guard let a = embeddings[pair.first] ?? nil, let b = embeddings[pair.second] ?? nil else { return (nil, pair.same) }
            return (Double(a.distance(to: b)), pair.same)
        }
        let report = AccuracyReport(pairs: pairs, scored: scored, threshold: threshold)
        let missing = images.filter { (embeddings[$0] ?? nil) == nil }
        Output.line("## facestream bench-accuracy")
        Output.line("")
        Output.line("\(pairs.pairs.count) pairs in \(pairs.folds) folds, \(images.count) images; detector \(detector.rawValue), " +
                    "mirror \(mirror ? "on" : "off"), min score \(options.resolvedMinScore); \(String(format: "%.0f", seconds)) s on \(threadCount) threads.")
        Output.line("")
        Output.lines(report.summary(missing: missing.count))
        Output.line("")
        Output.line("Images without a face (their pairs count as wrong): \(missing.isEmpty ? "none" : missing.joined(separator: ", "))")
        Output.line("")
        Output.lines(report.distributions())
        Output.line("")
        Output.lines(report.similarities())
    }

    /// The embedding of the face nearest the centre of each image; nil where no face was found.
    static func embedAll(_ images: [String], root: URL, engine: FaceEngine, options: DetectionOptions,
                         inFlight: Int) async throws -> [String: Embedding?] {
        try await withThrowingTaskGroup(of: (String, Embedding?).self) { group in
            var results: [String: Embedding?] = [:]
            var next = 0
            func submit() {
                let name = images[next]
                next += 1
                group.addTask {
                    let url = root.appendingPathComponent(name)
                    guard let bytes = try? Data(contentsOf: url) else { throw ToolError("cannot read \(url.path)") }
                    do throws(FaceKitError) {
                        let image = try await engine.decodeFrame(bytes, maxPixels: EmbedCommand.maxPixels).image
                        let faces = try await engine.analyze(image, options: options)
                        return (name, central(faces, width: image.width, height: image.height)?.embedding)
                    } catch {
                        throw ToolError("\(name): \(error.description)")
                    }
                }
            }
            while next < min(images.count, inFlight) { submit() }
            while let (name, embedding) = try await group.next() {
                results[name] = embedding
                if next < images.count { submit() }
            }
            return results
        }
    }

    /// LFW's subject: the largest face whose box holds the image centre, else the face nearest it.
    static func central(_ faces: [Face], width: Int, height: Int) -> Face? {
        let cx = Double(width) / 2, cy = Double(height) / 2
        let holding = faces.filter { $0.box.x <= cx && cx <= $0.box.x + $0.box.width && $0.box.y <= cy && cy <= $0.box.y + $0.box.height }
        if let largest = holding.max(by: { $0.box.area < $1.box.area }) { return largest }
        return faces.min { hypot($0.box.center.x - cx, $0.box.center.y - cy) < hypot($1.box.center.x - cx, $1.box.center.y - cy) }
    }
}

/// The figures of one accuracy run.
struct AccuracyReport {
    let pairs: LFWPairs
    let scored: [(distance: Double?, same: Bool)]
    let threshold: Double

    func summary(missing: Int) -> [String] {
        let atThreshold = VerificationScore.accuracy(scored, threshold: threshold)
        var foldAccuracies: [Double] = [], thresholds: [Double] = []
        for fold in 0..<pairs.folds {
            let test = scored.indices.filter { pairs.pairs[$0].fold == fold }.map { scored[$0] }
            let train = scored.indices.filter { pairs.pairs[$0].fold != fold }.map { scored[$0] }
            let chosen = VerificationScore.bestThreshold(train)
            thresholds.append(chosen)
            foldAccuracies.append(VerificationScore.accuracy(test, threshold: chosen))
        }
        let mean = foldAccuracies.reduce(0, +) / Double(max(1, foldAccuracies.count))
        let spread = (foldAccuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(1, foldAccuracies.count))).squareRoot()
        return [
            "| measure | value |",
            "|---|---:|",
            "| accuracy at \(threshold) | \(String(format: "%.4f", atThreshold)) |",
            "| accuracy, leave-one-fold-out threshold | \(String(format: "%.4f ± %.4f", mean, spread)) |",
            "| thresholds chosen per fold | \(thresholds.map { String(format: "%.3f", $0) }.joined(separator: ", ")) |",
            "| images without a face | \(missing) |",
            "| pairs lost to them | \(scored.filter { $0.distance == nil }.count) |",
        ]
    }

    /// How the CompreFace API's similarity (`MatchSimilarity`, midpoint at the threshold) sorts the
    /// pairs at the integrations' default thresholds: Double Take's match 0.6, Viseron's 0.5.
    func similarities() -> [String] {
        let scale = MatchSimilarity(midpoint: threshold)
        let same = scored.filter(\.same).compactMap(\.distance).map(scale.similarity)
        let other = scored.filter { !$0.same }.compactMap(\.distance).map(scale.similarity)
        func share(_ values: [Double], _ test: (Double) -> Bool) -> String {
            let count = values.filter(test).count
            return "\(count)/\(values.count) (\(String(format: "%.2f", 100 * Double(count) / Double(max(1, values.count))))%)"
        }
        return [
            "| CompreFace similarity (midpoint \(threshold)) | same person | different people |", "|---|---:|---:|",
            "| ≥ 0.6 (Double Take's match) | \(share(same) { $0 >= 0.6 }) | \(share(other) { $0 >= 0.6 }) |",
            "| ≥ 0.5 (Viseron's match) | \(share(same) { $0 >= 0.5 }) | \(share(other) { $0 >= 0.5 }) |",
        ]
    }

    /// Percentiles of the same-person and different-person distances, and a histogram.
    func distributions() -> [String] {
        let same = scored.filter(\.same).compactMap(\.distance), other = scored.filter { !$0.same }.compactMap(\.distance)
        func row(_ label: String, _ values: [Double]) -> String {
            let cells = [0.0, 5, 50, 95, 100].map { p in
                String(format: "%.3f", p == 0 ? (values.min() ?? 0) : Statistics.percentile(values, p))
            }
            return "| \(label) | \(values.count) | \(cells.joined(separator: " | ")) |"
        }
        var lines = ["| distances | pairs | min | p5 | median | p95 | max |", "|---|---:|---:|---:|---:|---:|---:|",
                     row("same person", same), row("different people", other), "",
                     "| distance | same person | different people |", "|---|---:|---:|"]
        for bin in stride(from: 0.0, to: 1.2, by: 0.1) {
            let inBin = { (value: Double) in value >= bin && (value < bin + 0.1 || bin >= 1.1) }
            lines.append("| \(String(format: "%.1f–%.1f", bin, bin + 0.1)) | \(same.filter(inBin).count) | \(other.filter(inBin).count) |")
        }
        return lines
    }
}
