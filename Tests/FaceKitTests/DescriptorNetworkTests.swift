import FaceKit
import Testing

@Suite("dlib's face-descriptor ResNet on FaceStream's own layers")
struct DescriptorNetworkTests {
    @Test("descriptors are within 1e-5 of dlib's own evaluation, alone and with the spare-core helper", arguments: [
        "face_recognition/obama.jpg", "face_recognition/biden.jpg", "dlib/faces/bald_guys.jpg", "dlib/faces/2008_004176.jpg",
    ])
    func matchesDlib(_ file: String) async throws {
        let image = try Fixtures.image(file)
        let faces = try await Fixtures.engine.analyze(image, options: DetectionOptions(detector: .yunet, embed: false))
        #expect(!faces.isEmpty, "\(file): no face")
        let difference = try await Fixtures.engine.descriptorDifference(faces, in: image)
        #expect(difference < 1e-5, "\(file), \(faces.count) faces: \(difference)")
    }
}
