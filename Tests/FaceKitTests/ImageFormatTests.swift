import FaceKit
import Foundation
import Testing

@Suite("Images people send: 16-bit PNG, CMYK JPEG, GIF, WebP, a broken YuNet model")
struct ImageFormatTests {
    /// Mean absolute difference per channel value, 0...255.
    static func meanDifference(_ a: Image, _ b: Image) -> Double {
        let x = a.rgbPixels, y = b.rgbPixels
        guard x.count == y.count, !x.isEmpty else { return .infinity }
        var sum = 0
        for i in x.indices { sum += abs(Int(x[i]) - Int(y[i])) }
        return Double(sum) / Double(x.count)
    }

    @Test("16-bit RGB PNG and Adobe CMYK JPEG decode to the 8-bit photo's colours and person",
          arguments: [("derived/obama_rgb48.png", 2.0), ("derived/obama_cmyk.jpg", 6.0)])
    func sameColoursAndPerson(file: String, maxDifference: Double) async throws {
        let reference = try Fixtures.image("face_recognition/obama.jpg")
        let image = try Fixtures.image(file)
        #expect(image.width == reference.width && image.height == reference.height)
        let difference = Self.meanDifference(image, reference)
        #expect(difference < maxDifference, "mean |Δ| = \(difference)")
        let embedding = try await Fixtures.embedding(file)
        let original = try await Fixtures.embedding("face_recognition/obama.jpg")
        let biden = try await Fixtures.embedding("face_recognition/biden.jpg")
        #expect(embedding.distance(to: original) < 0.1)
        #expect(embedding.distance(to: biden) > 0.6)
    }

    @Test("GIF and WebP are refused as unsupported_format, naming the format",
          arguments: [("derived/obama.gif", "GIF"), ("derived/obama.webp", "WebP")])
    func refused(file: String, format: String) throws {
        do {
            _ = try Fixtures.image(file)
            Issue.record("\(file) decoded")
        } catch let error as FaceKitError {
            #expect(error.code == .unsupportedFormat)
            #expect(error.message.hasPrefix("\(format) images are not supported"))
        }
    }

    /// A model directory with the real dlib models and the given YuNet bytes (nil: no YuNet file).
    static func modelDirectory(yunet: Data?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facestream-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in [ModelFiles.shapePredictorName, ModelFiles.recognitionModelName] {
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(name),
                                                       withDestinationURL: URL(fileURLWithPath: Fixtures.models.directory).appendingPathComponent(name))
        }
        if let yunet { try yunet.write(to: dir.appendingPathComponent(ModelFiles.yunetDetectorName)) }
        return dir
    }

    @Test("a missing or corrupt YuNet model is a model_error naming the file",
          arguments: [nil, Data("not an onnx file".utf8), Data(repeating: 0x08, count: 4096)])
    func brokenModel(bytes: Data?) throws {
        let dir = try Self.modelDirectory(yunet: bytes)
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = ModelFiles(directory: dir.path)
        let error = Self.loadError(models, yunet: true)
        #expect(error?.code == .modelError)
        #expect(error?.message.contains(models.yunetDetector) == true, "\(String(describing: error))")
        // Without YuNet the HOG engine still loads from the same directory.
        #expect(Self.loadError(models, yunet: false) == nil)
    }

    static func loadError(_ models: ModelFiles, yunet: Bool) -> FaceKitError? {
        do throws(FaceKitError) {
            try FaceEngine(models: models, threads: 1, loadYuNet: yunet).shutdown()
            return nil
        } catch {
            return error
        }
    }
}
