import FaceKit
import Testing

@Suite("YuNet's network on FaceStream's own kernels")
struct YuNetKernelTests {
    /// Photos at sizes that exercise the padding to the stride, rows that are not a multiple of the
    /// 1x1 kernel's 6-pixel blocks, a tiny image and a group photo.
    static let photos: [(file: String, scale: Double)] = [
        ("face_recognition/obama.jpg", 1), ("dlib/faces/bald_guys.jpg", 1),
        ("face_recognition/biden.jpg", 0.37), ("face_recognition/32bit.png", 0.13),
    ]

    @Test("every output (scores, boxes, landmarks) is within 1e-3 of cv::dnn's, on the AVX2 and on the portable loops")
    func matchesOpenCV() async throws {
        for photo in Self.photos {
            let image = try Fixtures.image(photo.file).scaled(by: photo.scale)
            for portable in [false, true] {
                let difference = try await Fixtures.engine.yunetKernelDifference(image, portable: portable)
                #expect(difference < 1e-3, "\(photo.file) at \(image.width)x\(image.height), portable \(portable): \(difference)")
            }
        }
    }

    @Test("sharing every layer's rows with the spare-core helper thread gives exactly the outputs of one thread")
    func splitRowsAreExact() async throws {
        for photo in Self.photos {
            let image = try Fixtures.image(photo.file).scaled(by: photo.scale)
            let difference = try await Fixtures.engine.yunetSplitDifference(image)
            #expect(difference == 0, "\(photo.file) at \(image.width)x\(image.height): \(difference)")
        }
    }
}
