import ArgumentParser
import FaceKit
import Foundation

/// `facestream bench-engine`: milliseconds per stage and faces per second, as a Markdown table.
struct BenchEngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-engine",
        abstract: "Benchmark the face engine: ms per stage (YuNet and HOG) from 640×360 to 1920×1080, faces/s on 1 and 2 threads, recall on downscaled photos.",
        discussion: """
            The photo is letterboxed to each frame size and encoded as JPEG (quality 90). Stage times are
            medians over --repeat runs on one engine thread ("detect, spare core": on an idle two-thread engine,
            whose detection borrows the second core); per-face stages are divided by the face count.
            YuNet rows use the server's defaults (mirror-averaged embeddings for photos); HOG rows show
            upsample 0 and 1. Throughput runs decode + detect + landmarks + embedding (no mirror, as a
            stream does) for 2 × --repeat frames, two frames in flight per engine thread. Recall: the faces
            HOG finds in the fixture photos at full size, looked for at full size, 0.5× and 0.35×.
            """
    )

    @OptionGroup var engineOptions: EngineOptions

    @Option(name: .customLong("repeat"), help: "Runs per measurement; the median is reported.")
    var repetitions = 20

    @Option(help: "The photo to make the frames from.")
    var image = "Tests/Fixtures/face_recognition/obama.jpg"

    @Option(help: ArgumentHelp("Fixture photo directory for the recall table (empty: skip it).", valueName: "dir"))
    var recallPhotos = "Tests/Fixtures"

    static let sizes = [(width: 640, height: 360), (width: 640, height: 480), (width: 1280, height: 720), (width: 1920, height: 1080)]

    func validate() throws {
        if repetitions < 1 { throw ValidationError("--repeat must be at least 1") }
    }

    mutating func run() async throws {
        let models = ModelFiles(directory: engineOptions.modelDirectory)
        let single: FaceEngine, pair: FaceEngine
        do throws(FaceKitError) {
            // No discovery lane: these engines only get urgent jobs, and "1 thread" means one.
            single = try FaceEngine(models: models, threads: 1)
            pair = try FaceEngine(models: models, threads: 2)
        } catch {
            throw ToolError(error.description)
        }
        defer { single.shutdown(); pair.shutdown() }

        let frames = try await Self.frames(from: image, engine: single)
        Output.line(Self.header(photo: image, repetitions: repetitions))
        Output.line("YuNet (the default), server photo settings:")
        Output.line("")
        Output.line("| frame | faces | decode | detect | detect, spare core | landmarks / face | chip / face | embed / face | embed, mirror / face | analyze |")
        Output.line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for frame in frames {
            let stages = try await YuNetStageBenchmark.measure(frame.jpeg, engine: single, pair: pair, repetitions: repetitions)
            Output.line("| \(frame.label) | \(stages.row) |")
        }
        Output.line("")
        Output.line("HOG (dlib, as face_recognition runs it):")
        Output.line("")
        Output.line("| frame | faces (up 0 / up 1) | decode | detect, up 0 | detect, up 1 | landmarks / face | chip / face | embed / face | analyze, up 1 |")
        Output.line("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for frame in frames {
            let stages = try await StageBenchmark.measure(frame.jpeg, engine: single, repetitions: repetitions)
            Output.line("| \(frame.label) | \(stages.row) |")
        }

        Output.line("")
        Output.line("Throughput: decode + detect + landmarks + embedding (no mirror), \(repetitions * 2) frames, 2 in flight per thread.")
        Output.line("")
        Output.line("| frame | detector | 1 thread: frames/s | faces/s | 2 threads: frames/s | faces/s | speed-up |")
        Output.line("|---|---|---:|---:|---:|---:|---:|")
        for frame in frames {
            for detector in [FaceDetectorKind.yunet, .hog] {
                let options = DetectionOptions(detector: detector, mirror: false)
                let one = try await Throughput.measure(frame.jpeg, engine: single, options: options, frames: repetitions * 2)
                let two = try await Throughput.measure(frame.jpeg, engine: pair, options: options, frames: repetitions * 2)
                let speedup = one.facesPerSecond > 0 ? String(format: "%.2f×", two.facesPerSecond / one.facesPerSecond) : "–"
                let label = detector == .hog ? "hog, up \(DetectionOptions.automaticUpsample(width: frame.width, height: frame.height))" : "yunet"
                Output.line("| \(frame.label) | \(label) | \(one.framesText) | \(one.facesText) | \(two.framesText) | \(two.facesText) | \(speedup) |")
            }
        }
        if !recallPhotos.isEmpty {
            Output.line("")
            Output.lines(try await RecallBenchmark.table(photos: RecallBenchmark.fixturePhotos(in: recallPhotos), engine: pair))
        }
    }

    /// The photo letterboxed to every benchmark size, as JPEG bytes.
    static func frames(from path: String, engine: FaceEngine) async throws -> [(label: String, width: Int, height: Int, jpeg: Data)] {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ToolError("cannot read \(path): \(error.localizedDescription)")
        }
        do throws(FaceKitError) {
            let photo = try await engine.decodeFrame(bytes, maxPixels: EmbedCommand.maxPixels).image
            let source = RGBFrame(width: photo.width, height: photo.height, pixels: photo.rgbPixels)
            return try sizes.map { size throws(FaceKitError) in
                let frame = source.letterboxed(width: size.width, height: size.height)
                let jpeg = try Image(rgb: frame.pixels, width: frame.width, height: frame.height).jpegData(quality: 90)
                return ("\(size.width)×\(size.height)", size.width, size.height, jpeg)
            }
        } catch {
            throw ToolError("\(path): \(error.description)")
        }
    }

    static func header(photo: String, repetitions: Int) -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return """
            ## facestream bench-engine

            `\(URL(fileURLWithPath: photo).lastPathComponent)` letterboxed to each size (JPEG q90). \(cpuName()), \
            \(cores) core\(cores == 1 ? "" : "s"). Milliseconds, median of \(repetitions) runs on one engine thread.

            """
    }

    /// The CPU's model name from /proc/cpuinfo (Linux), or a placeholder.
    static func cpuName() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let name = line.split(separator: ":", maxSplits: 1).last
        else { return "CPU unknown" }
        return name.trimmingCharacters(in: .whitespaces)
    }
}

/// Medians of each stage for one frame on one engine thread.
struct StageBenchmark {
    var facesUpsample0 = 0, facesUpsample1 = 0
    var decode = 0.0, detect0 = 0.0, detect1 = 0.0, landmarks = 0.0, chip = 0.0, embed = 0.0, analyze = 0.0

    static func measure(_ jpeg: Data, engine: FaceEngine, repetitions: Int) async throws(FaceKitError) -> StageBenchmark {
        var decode: [Double] = [], detect0: [Double] = [], detect1: [Double] = [], analyze: [Double] = []
        var landmarks: [Double] = [], chip: [Double] = [], embed: [Double] = []
        var result = StageBenchmark()
        // One untimed round first: dlib allocates its scratch buffers on first use.
        for round in 0...repetitions {
            // Decoded on an engine thread, as the server does it.
            let decoded = try await engine.decodeFrame(jpeg, maxPixels: EmbedCommand.maxPixels)
            let up0 = try await engine.analyzeTimed(decoded.image, options: DetectionOptions(detector: .hog, upsample: 0, embed: false))
            let clock = ContinuousClock.now
            let up1 = try await engine.analyzeTimed(decoded.image, options: DetectionOptions(detector: .hog, upsample: 1))
            let analyzeMs = clock.millisecondsElapsed
            guard round > 0 else { continue }
            result.facesUpsample0 = up0.faces.count
            result.facesUpsample1 = up1.faces.count
            decode.append(decoded.decodeMilliseconds)
            detect0.append(up0.timings.detect)
            detect1.append(up1.timings.detect)
            analyze.append(analyzeMs)
            let faces = Double(max(1, up1.faces.count))
            landmarks.append(up1.timings.landmarks / faces)
            chip.append(up1.timings.chip / faces)
            embed.append(up1.timings.embed / faces)
        }
        result.decode = Statistics.median(decode)
        result.detect0 = Statistics.median(detect0)
        result.detect1 = Statistics.median(detect1)
        result.landmarks = Statistics.median(landmarks)
        result.chip = Statistics.median(chip)
        result.embed = Statistics.median(embed)
        result.analyze = Statistics.median(analyze)
        return result
    }

    var row: String {
        let f = Statistics.format
        let perFace = facesUpsample1 > 0 ? "\(f(landmarks)) | \(f(chip)) | \(f(embed))" : "– | – | –"
        return "\(facesUpsample0) / \(facesUpsample1) | \(f(decode)) | \(f(detect0)) | \(f(detect1)) | \(perFace) | \(f(analyze))"
    }
}

/// Frames and faces per second through the whole pipeline with many frames in flight.
struct Throughput {
    var framesPerSecond = 0.0, facesPerSecond = 0.0

    var framesText: String { String(format: "%.1f", framesPerSecond) }
    var facesText: String { String(format: "%.1f", facesPerSecond) }

    static func measure(_ jpeg: Data, engine: FaceEngine, options: DetectionOptions, frames: Int) async throws -> Throughput {
        let inFlight = engine.threadCount * 2
        _ = try await run(jpeg, engine: engine, options: options, frames: inFlight, inFlight: inFlight) // warm every thread
        let clock = ContinuousClock.now
        let faces = try await run(jpeg, engine: engine, options: options, frames: frames, inFlight: inFlight)
        let seconds = clock.millisecondsElapsed / 1000
        return Throughput(framesPerSecond: Double(frames) / seconds, facesPerSecond: Double(faces) / seconds)
    }

    /// Runs `frames` analyses, at most `inFlight` at once; returns the faces found in all.
    private static func run(_ jpeg: Data, engine: FaceEngine, options: DetectionOptions, frames: Int, inFlight: Int) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            var submitted = 0, faces = 0
            func submit() {
                group.addTask {
                    let image = try await engine.decodeFrame(jpeg, maxPixels: EmbedCommand.maxPixels).image
                    return try await engine.analyze(image, options: options).count
                }
                submitted += 1
            }
            while submitted < min(frames, inFlight) { submit() }
            while let count = try await group.next() {
                faces += count
                if submitted < frames { submit() }
            }
            return faces
        }
    }
}
