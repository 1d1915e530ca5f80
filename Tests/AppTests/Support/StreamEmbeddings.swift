import FaceKit
import Foundation

/// Embeddings of fixture photos as a stream makes them: the photo composed into a 640×480 frame,
/// detected with the stream's options and embedded without mirror averaging (STREAM_EMBED_MIRROR=false).
enum StreamEmbeddings {
    static let people = ["John_Salley", "John_Savage", "John_Schneider", "John_Shimkus", "John_Simm"]

    struct Look: Sendable {
        let person: String
        let photo: String
        let embedding: Embedding
        let quality: Double
    }

    /// Every photo of every john, each composed at `size` px at a fixed spot.
    static func johns(size: Int = 200) async throws -> [Look] {
        let composer = FrameComposer(width: 640, height: 480)
        var looks: [Look] = []
        for person in people {
            for photo in try FaceFixtures.johns(person) {
                let jpeg = try composer.jpeg([.init(photo: try FaceFixtures.image(photo), x: 200, y: 100, size: size)])
                let detection = try await FaceFixtures.engine.detectFrame(jpeg, maxPixels: 40_000_000, options: .stream)
                guard detection.faces.count == 1 else { throw TestSetupError("\(photo): \(detection.faces.count) faces in the frame") }
                let face = try await FaceFixtures.engine.embed(detection.faces, in: detection.image, mirror: false)[0]
                guard let embedding = face.embedding else { throw TestSetupError("\(photo): no embedding") }
                looks.append(Look(person: person, photo: photo, embedding: embedding, quality: face.quality.score))
            }
        }
        return looks
    }
}
