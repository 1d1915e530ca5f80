import FaceKit
import Foundation
import Testing
@testable import FaceStreamTools

@Suite("facestream embed output")
struct EmbedOutputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var fixtures: URL {
        ProcessInfo.processInfo.environment["FIXTURES_DIR"].map(URL.init(fileURLWithPath:)) ?? root.appendingPathComponent("Tests/Fixtures")
    }
    static var models: ModelFiles {
        ModelFiles(directory: ProcessInfo.processInfo.environment["MODELS_DIR"] ?? root.appendingPathComponent("models").path)
    }

    @Test("numbers: integers stay integers, floats round-trip exactly, strings are escaped")
    func numbers() throws {
        #expect(FaceJSON.number(42.0) == "42")
        #expect(FaceJSON.number(-56.0) == "-56")
        #expect(FaceJSON.number(0.25) == "0.25")
        #expect(FaceJSON.number(Double.nan) == "null")
        for value: Float in [0.1, -0.0123456789, 1e-7, 3.4e38, -0.098765] {
            #expect(Float(FaceJSON.number(value)) == value)
        }
        let text = FaceJSON.string("a\"b\\c\nd\u{1}é")
        #expect(text == "\"a\\\"b\\\\c\\nd\\u0001é\"")
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(text)]".utf8)) as? [String]
        #expect(parsed == ["a\"b\\c\nd\u{1}é"])
    }

    @Test("lines come in argument order, failures carry a code, and real photos give 128 floats")
    func describeAll() async throws {
        let engine = try FaceEngine(models: Self.models, threads: 2)
        defer { engine.shutdown() }
        let corrupt = FileManager.default.temporaryDirectory.appendingPathComponent("facestream-corrupt-\(UUID()).jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).write(to: corrupt)
        defer { try? FileManager.default.removeItem(at: corrupt) }
        let files = [
            Self.fixtures.appendingPathComponent("face_recognition/obama.jpg").path,
            "/nonexistent/photo.jpg",
            Self.fixtures.appendingPathComponent("face_recognition/biden.jpg").path,
            corrupt.path,
            Self.fixtures.appendingPathComponent("dlib/faces/dogs.jpg").path,
        ]
        var lines: [String] = []
        let failed = await EmbedCommand.describeAll(files, engine: engine, options: DetectionOptions(), inFlight: 2) {
            lines.append($0)
        }
        #expect(failed)
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["file"] as? String } == files)

        let obama = try #require(objects[0]["faces"] as? [[String: Any]])
        #expect(obama.count == 1)
        #expect((obama[0]["embedding"] as? [Double])?.count == 128)
        #expect((obama[0]["bbox"] as? [Double])?.count == 4)
        #expect((obama[0]["landmarks"] as? [[Double]])?.count == 5)
        #expect(objects[0]["width"] as? Int == 910)
        #expect((objects[1]["error"] as? [String: String])?["code"] == "unreadable")
        #expect((objects[3]["error"] as? [String: String])?["code"] != nil)
        #expect((objects[4]["faces"] as? [Any])?.isEmpty == true)
    }

    @Test("the command parses its options and refuses bad ones")
    func parsing() throws {
        let command = try #require(try ToolsCommand.parseAsRoot(["embed", "--upsample", "2", "--threads", "1", "a.jpg", "b.png"]) as? EmbedCommand)
        #expect(command.upsample == 2)
        #expect(command.threads == 1)
        #expect(command.files == ["a.jpg", "b.png"])
        #expect(throws: (any Error).self) { try ToolsCommand.parseAsRoot(["embed"]) }
        #expect(throws: (any Error).self) { try ToolsCommand.parseAsRoot(["embed", "--upsample", "9", "a.jpg"]) }
        #expect(throws: (any Error).self) { try ToolsCommand.parseAsRoot(["bench-gallery", "--sizes", "10,x"]) }
    }
}
