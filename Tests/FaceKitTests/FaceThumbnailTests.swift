import FaceKit
import Foundation
import Testing

@Suite("Face thumbnails and a track's best look")
struct FaceThumbnailTests {
    @Test("a thumbnail is a square JPEG of the face at the size asked for, cheap to make")
    func thumbnail() async throws {
        let image = try Fixtures.image("face_recognition/obama.jpg")
        let face = try #require(try await Fixtures.engine.analyze(image, options: DetectionOptions(detector: .yunet, embed: false)).first)
        let settings = ThumbnailSettings(size: 112, quality: 80)
        let jpeg = try image.thumbnailJPEG(of: face.box, settings: settings)
        let decoded = try Image(decoding: jpeg)
        #expect(decoded.width == 112 && decoded.height == 112)
        #expect(jpeg.count > 1000 && jpeg.count < 12_000)
        // Crop, scale and encode of one face: well under a millisecond (a generous bound for a busy CI core).
        let clock = ContinuousClock()
        let elapsed = try clock.measure { for _ in 0..<50 { _ = try image.thumbnailJPEG(of: face.box, settings: settings) } }
        #expect(elapsed / 50 < .milliseconds(3), "one thumbnail took \(elapsed / 50)")

        // The engine makes them in the embedding's job, only above the floor given per face.
        let made = try await Fixtures.engine.embedTimed([face, face], in: image, thumbnails: settings, thumbnailAbove: [-.infinity, 2])
        #expect(made.faces.allSatisfy { $0.embedding != nil })
        #expect(made.thumbnails.count == 2 && made.thumbnails[0] != nil && made.thumbnails[1] == nil)
        let direct = try await Fixtures.engine.thumbnails(of: [face], in: image, settings: ThumbnailSettings(size: 64, quality: 70))
        #expect(try Image(decoding: try #require(direct.first ?? nil)).width == 64)
    }

    @Test("the region is a square around the face with a margin, kept inside the image")
    func region() throws {
        let image = try Image(rgb: [UInt8](repeating: 128, count: 200 * 100 * 3), width: 200, height: 100)
        let centred = try #require(image.thumbnailRegion(around: BoundingBox(x: 80, y: 30, width: 40, height: 40), margin: 0.2))
        #expect(centred.side == 56 && centred.x == 72 && centred.y == 22)
        // At the corner: shifted inside; larger than the image's height: clipped to it.
        let corner = try #require(image.thumbnailRegion(around: BoundingBox(x: -10, y: -5, width: 30, height: 30), margin: 0.2))
        #expect(corner.x == 0 && corner.y == 0 && corner.side == 42)
        let huge = try #require(image.thumbnailRegion(around: BoundingBox(x: 50, y: 0, width: 150, height: 150), margin: 0.2))
        #expect(huge.side == 100 && huge.y == 0 && huge.x + huge.side <= 200)
        #expect(image.thumbnailRegion(around: BoundingBox(x: 0, y: 0, width: 0, height: 10), margin: 0.2) == nil)
        let jpeg = try image.thumbnailJPEG(of: BoundingBox(x: 190, y: 90, width: 30, height: 30), settings: ThumbnailSettings(size: 32))
        #expect(try Image(decoding: jpeg).width == 32)
    }

    @Test("a track keeps its best-quality look; the event carries it; a new thumbnail is wanted only for a better look")
    func bestLook() throws {
        let tracker = FaceTracker()
        var random = RandomEmbeddings(seed: 11)
        let face = random.next()
        let unknown = Observation(personID: nil, distance: nil, confidence: 1)
        let box = BoundingBox(x: 10, y: 10, width: 100, height: 100)
        let id = tracker.assign([box], at: 0)[0].trackID
        #expect(tracker.thumbnailFloor(of: id) == -.infinity)
        let sharp = random.near(face, distance: 0.05)
        _ = tracker.record(trackID: id, embedding: sharp, observation: unknown, quality: 0.8, thumbnail: Data([1]), at: 0)
        #expect(tracker.thumbnailFloor(of: id) == 0.8)
        _ = tracker.assign([box], at: 0.1)
        let blurred = random.near(face, distance: 0.05)
        #expect(tracker.record(trackID: id, embedding: blurred, observation: unknown, quality: 0.5, thumbnail: nil, at: 0.1).event == nil)
        // Unknown settles on its third look.
        _ = tracker.assign([box], at: 0.15)
        let settled = tracker.record(trackID: id, embedding: random.near(face, distance: 0.05), observation: unknown, quality: 0.4,
                                     thumbnail: nil, at: 0.15)
        let event = try #require(settled.event)
        #expect(event.best == FaceTracker.BestFace(embedding: sharp, quality: 0.8, thumbnail: Data([1])))
        _ = tracker.assign([box], at: 0.2)
        let better = random.near(face, distance: 0.05)
        _ = tracker.record(trackID: id, embedding: better, observation: unknown, quality: 0.9, thumbnail: Data([2]), at: 0.2)
        #expect(tracker.bestFace(of: id)?.embedding == better && tracker.bestFace(of: id)?.thumbnail == Data([2]))

        // Without thumbnails the best is simply the highest quality.
        let plain = FaceTracker()
        let other = plain.assign([box], at: 0)[0].trackID
        _ = plain.record(trackID: other, embedding: face, observation: unknown, quality: 0.3, at: 0)
        _ = plain.assign([box], at: 0.1)
        _ = plain.record(trackID: other, embedding: sharp, observation: unknown, quality: 0.6, at: 0.1)
        _ = plain.assign([box], at: 0.15)
        let event2 = try #require(plain.record(trackID: other, embedding: blurred, observation: unknown, quality: 0.4, at: 0.15).event)
        #expect(event2.best?.embedding == sharp && event2.best?.quality == 0.6 && event2.best?.thumbnail == nil)
    }
}
