import FaceKit
import Foundation
import Testing

@Suite("YuNet detection and the HOG path beside it")
struct DetectorTests {
    static let detectOnly = DetectionOptions(detector: .yunet, embed: false)

    @Test("bald_guys.jpg: HOG finds its 24 faces, YuNet every one of them")
    func baldGuys() async throws {
        let image = try Fixtures.image("dlib/faces/bald_guys.jpg")
        let hog = try await Fixtures.engine.analyze(image, options: DetectionOptions(detector: .hog, embed: false))
        let yunet = try await Fixtures.engine.analyze(image, options: Self.detectOnly)
        #expect(hog.count == 24)
        let missed = hog.filter { face in !yunet.contains { $0.box.contains(face.box.center) } }
        #expect(missed.isEmpty, "HOG faces YuNet missed: \(missed.map(\.box.array))")
        #expect(yunet.count == 24)
        #expect(yunet.allSatisfy { $0.detector == .yunet && $0.landmarks.count == 5 && $0.detectorLandmarks?.count == 5 })
        #expect(yunet.allSatisfy { $0.score >= 0.8 && $0.score <= 1 })
    }

    static let photos: [String] = {
        var files = ["face_recognition/obama.jpg", "face_recognition/obama2.jpg", "face_recognition/obama3.jpg",
                     "face_recognition/biden.jpg", "face_recognition/32bit.png", "dlib/faces/bald_guys.jpg"]
        let faces = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent("dlib/faces").path)) ?? []
        files += faces.filter { $0.hasPrefix("20") && $0.hasSuffix(".jpg") }.sorted().map { "dlib/faces/\($0)" }
        files += ((try? Fixtures.johns()) ?? []).flatMap(\.files)
        return files
    }()

    /// The faces of the fixture photos are the ones the reference pipeline (HOG, automatic
    /// upsampling, as face_recognition runs it) finds at full size: 129 in 72 photos.
    @Test("every fixture face is found by YuNet at full size, 0.5× and 0.35×")
    func downscaled() async throws {
        #expect(Self.photos.count >= 70)
        var faces = 0
        for photo in Self.photos {
            let image = try Fixtures.image(photo)
            let truth = try await Fixtures.engine.analyze(image, options: DetectionOptions(detector: .hog, embed: false))
            faces += truth.count
            for factor in [1, 0.5, 0.35] {
                let scaled = factor == 1 ? image : try image.scaled(by: factor)
                let found = try await Fixtures.engine.analyze(scaled, options: Self.detectOnly)
                for face in truth {
                    let c = face.box.center
                    let center = (x: c.x * factor, y: c.y * factor)
                    #expect(found.contains { $0.box.contains(center) }, "\(photo) at \(factor)×: lost the face at \(face.box.array)")
                }
            }
        }
        #expect(faces >= 125)
    }

    @Test("the HOG path still gives face_recognition's box for obama.jpg")
    func hogBox() async throws {
        // face_recognition 1.3.0's own test: face_locations(obama.jpg) == [(142, 617, 409, 349)] (top, right, bottom, left).
        let faces = try await Fixtures.engine.analyze(try Fixtures.image("face_recognition/obama.jpg"),
                                                      options: DetectionOptions(detector: .hog, upsample: 1))
        #expect(faces.count == 1)
        #expect(faces.first?.box.array == [349, 142, 269, 268])
        #expect(faces.first?.detector == .hog && faces.first?.detectorLandmarks == nil)
    }

    @Test("YuNet and HOG paths embed the same face alike")
    func pathsAgree() async throws {
        for photo in ["face_recognition/obama.jpg", "face_recognition/biden.jpg", "dlib/johns/John_Simm/000288_00470387.jpg"] {
            let hog = try await Fixtures.embedding(photo, options: DetectionOptions(detector: .hog))
            let yunet = try await Fixtures.embedding(photo, options: DetectionOptions(detector: .yunet))
            #expect(hog.distance(to: yunet) < 0.25, "\(photo): \(hog.distance(to: yunet))")
        }
    }

    @Test("mirror averaging stays comparable with plain embeddings")
    func mirror() async throws {
        let plain = try await Fixtures.embedding("face_recognition/obama.jpg", options: DetectionOptions(mirror: false))
        let mirrored = try await Fixtures.embedding("face_recognition/obama.jpg", options: DetectionOptions(mirror: true))
        let distance = plain.distance(to: mirrored)
        #expect(distance > 0.001 && distance < 0.15, "\(distance)")
        let biden = try await Fixtures.embedding("face_recognition/biden.jpg", options: DetectionOptions(mirror: false))
        #expect(mirrored.distance(to: biden) > 0.6)
    }
}

extension BoundingBox {
    func contains(_ point: (x: Double, y: Double)) -> Bool {
        point.x >= x && point.x <= x + width && point.y >= y && point.y <= y + height
    }
}
