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

    @Test("frames are shrunk for the stream's 480 px as OpenCV's INTER_AREA would, within its rounding to 8 bits")
    func areaDownscaleMatchesOpenCV() throws {
        // 640x360 -> 480x270 (the stream's default), a 2:1 and an odd, uneven one (two to three source pixels a side).
        let image = try Fixtures.image("face_recognition/obama.jpg").scaled(by: 0.5)
        for (width, height) in [(image.width * 3 / 4, image.height * 3 / 4), (image.width / 2, image.height / 2),
                                (image.width * 2 / 5 + 1, image.height * 3 / 7)] {
            let difference = try FaceEngine.yunetAreaDifference(image, width: width, height: height)
            #expect(difference <= 0.51, "\(image.width)x\(image.height) -> \(width)x\(height): \(difference)")
        }
        #expect(throws: FaceKitError.self) { try FaceEngine.yunetAreaDifference(image, width: image.width + 1, height: 10) }
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
