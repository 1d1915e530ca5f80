@testable import App
import FaceKit
import Foundation

/// Real models and photos for tests that need the face engine (installed by
/// `scripts/setup --fixtures`; `MODELS_DIR` / `FIXTURES_DIR` may point elsewhere).
enum FaceFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let root: URL = ProcessInfo.processInfo.environment["FIXTURES_DIR"].map { URL(fileURLWithPath: $0) }
        ?? packageRoot.appendingPathComponent("Tests/Fixtures")

    static let modelsDirectory: String = ProcessInfo.processInfo.environment["MODELS_DIR"]
        ?? packageRoot.appendingPathComponent("models").path

    /// One engine for the whole test process: loading the ResNet per test would dominate the run.
    static let engine: FaceEngine = {
        do { return try FaceEngine(models: ModelFiles(directory: modelsDirectory), threads: 2, queueCapacity: 256) } catch {
            fatalError("cannot load the dlib models from \(modelsDirectory): \(error) — run scripts/setup --fixtures")
        }
    }()

    static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }

    static func image(_ relative: String) throws -> Image {
        try Image(decoding: try data(relative))
    }

    /// The sorted photo paths of one of dlib's johns, e.g. `johns("John_Salley")`.
    static func johns(_ person: String) throws -> [String] {
        let dir = root.appendingPathComponent("dlib/johns/\(person)")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jpg") }.sorted()
            .map { "dlib/johns/\(person)/\($0)" }
    }

    /// The embedding of the single face in a photo.
    static func embedding(_ relative: String) async throws -> Embedding {
        let faces = try await engine.analyze(try image(relative))
        guard faces.count == 1, let embedding = faces[0].embedding else {
            throw TestSetupError("\(relative): expected exactly one face, found \(faces.count)")
        }
        return embedding
    }
}
