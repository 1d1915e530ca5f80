import FaceKit
import Foundation

/// Test photos and models installed by `scripts/setup --fixtures` (sources and pins are in that script).
enum Fixtures {
    static let root: URL = {
        if let dir = ProcessInfo.processInfo.environment["FIXTURES_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent("Tests/Fixtures")
    }()

    static let models: ModelFiles = {
        let dir = ProcessInfo.processInfo.environment["MODELS_DIR"] ?? packageRoot.appendingPathComponent("models").path
        return ModelFiles(directory: dir)
    }()

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func photo(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }

    static func image(_ relative: String) throws -> Image {
        try Image(decoding: try photo(relative))
    }

    /// `dlib/johns/<person>/<file>.jpg`, sorted, by person.
    static func johns() throws -> [(person: String, files: [String])] {
        let dir = root.appendingPathComponent("dlib/johns")
        let people = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        return try people.map { person in
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(person).path)
                .filter { $0.hasSuffix(".jpg") }.sorted()
            return (person, files.map { "dlib/johns/\(person)/\($0)" })
        }
    }

    /// One engine for the whole test process (loading the ResNet takes ~0.3 s per thread).
    static let engine: FaceEngine = {
        do { return try FaceEngine(models: models, threads: 2) } catch { fatalError("cannot load models: \(error)") }
    }()

    /// The single face of a photo, embedded with the server's photo settings unless told otherwise.
    static func embedding(_ relative: String, options: DetectionOptions = .photo) async throws -> Embedding {
        let faces = try await engine.analyze(try image(relative), options: options)
        guard faces.count == 1, let embedding = faces[0].embedding else {
            throw FaceKitError(.invalidArgument, "\(relative): expected one face, found \(faces.count)")
        }
        return embedding
    }
}
