import ArgumentParser
import FaceKit
import Foundation

/// `facestream embed IMAGE...`: one JSON line per image, in argument order.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print the faces of image files as JSON lines: bbox, score, landmarks, quality, embedding.",
        discussion: """
            Prints one JSON object per image, in argument order: file, width, height and faces; each face \
            has bbox [x, y, w, h] (dlib's inclusive box, which may reach past the image edge), score, five \
            landmarks [x, y], quality (0–1) and embedding (128 floats).

            A file that cannot be read or decoded prints {"file", "error": {"code", "message"}} instead, \
            and the exit status is 1.
            """
    )

    @Option(help: "Face detector: yunet (the server's default), hog (dlib's, as face_recognition uses it) or mmod (dlib's CNN, slow).")
    var detector: FaceDetectorKind = .yunet

    @Option(help: "HOG/MMOD: times the image is doubled before detection (default: automatic from the image size).")
    var upsample: Int?

    @Option(help: "Smallest detector score kept (default: the detector's own, YuNet 0.8, HOG 0).")
    var minScore: Double?

    @Flag(inversion: .prefixedNo, help: "Average each embedding with its mirror image's (the server's REST default).")
    var mirror = DetectionOptions.photo.mirror

    @OptionGroup var engineOptions: EngineOptions

    @Option(help: "Engine threads (default: one per core).")
    var threads: Int?

    @Argument(help: ArgumentHelp("Image files (JPEG or PNG).", valueName: "image"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one image file") }
        if let upsample, !(0...4).contains(upsample) { throw ValidationError("--upsample must be 0…4") }
        if let minScore, !minScore.isFinite { throw ValidationError("--min-score must be a number") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    mutating func run() async throws {
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        // Two files per engine thread in flight keeps every thread busy while results are printed.
        let inFlight = max(1, threadCount) * 2
        let engine: FaceEngine
        do throws(FaceKitError) {
            // No discovery lane: every job here is urgent, and it would load one more copy of the models.
            engine = try FaceEngine(models: ModelFiles(directory: engineOptions.modelDirectory), threads: threadCount,
                                    queueCapacity: inFlight, loadCNN: detector == .mmod,
                                    loadYuNet: detector == .yunet)
        } catch {
            throw ToolError(error.description)
        }
        defer { engine.shutdown() }
        var options = DetectionOptions.photo
        options.detector = detector
        options.upsample = upsample
        options.minScore = minScore
        options.mirror = mirror
        let failed = await Self.describeAll(files, engine: engine, options: options, inFlight: inFlight) { Output.line($0) }
        if failed { throw ExitCode.failure }
    }

    /// Describes `files` with at most `inFlight` at once and hands each line to `emit` in input
    /// order as soon as it and all before it are done. Returns whether any file failed.
    static func describeAll(_ files: [String], engine: FaceEngine, options: DetectionOptions, inFlight: Int,
                            emit: (String) -> Void) async -> Bool {
        await withTaskGroup(of: (index: Int, line: String, ok: Bool).self) { group in
            var submitted = 0, completed = 0, emitted = 0, failed = false
            var done: [Int: (line: String, ok: Bool)] = [:]
            func submitMore() {
                // Also bounded by the next line to print, so one slow file can't pile up finished lines.
                while submitted < files.count, submitted - completed < inFlight, submitted - emitted < inFlight * 4 {
                    let index = submitted, file = files[index]
                    group.addTask {
                        let (line, ok) = await describe(file, engine: engine, options: options)
                        return (index, line, ok)
                    }
                    submitted += 1
                }
            }
            submitMore()
            while let result = await group.next() {
                completed += 1
                done[result.index] = (result.line, result.ok)
                while let ready = done.removeValue(forKey: emitted) {
                    emit(ready.line)
                    if !ready.ok { failed = true }
                    emitted += 1
                }
                submitMore()
            }
            return failed
        }
    }

    /// One image's JSON line and whether it succeeded. Decoding, detection and embedding all run
    /// on the engine's threads.
    static func describe(_ file: String, engine: FaceEngine, options: DetectionOptions) async -> (String, Bool) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            return (FaceJSON.failure(file: file, code: "unreadable", message: readFailure(file, error)), false)
        }
        do throws(FaceKitError) {
            // Decoding on an engine thread keeps the cooperative pool free.
            let image = try await engine.decodeFrame(bytes, maxPixels: maxPixels).image
            let faces = try await engine.analyze(image, options: options)
            return (FaceJSON.image(file: file, width: image.width, height: image.height, faces: faces), true)
        } catch {
            return (FaceJSON.failure(file: file, code: error.code.rawValue, message: error.message), false)
        }
    }

    /// FaceKit's default decoding limit.
    static let maxPixels = 40_000_000

    private static func readFailure(_ file: String, _ error: any Error) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "is a directory" }
        return "cannot read the file (\(error.localizedDescription))"
    }
}
