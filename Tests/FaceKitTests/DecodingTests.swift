import FaceKit
import Foundation
import Testing

@Suite("Decoding untrusted bytes")
struct DecodingTests {
    @Test("empty input") func empty() {
        #expect(throws: FaceKitError.self) { try Image(decoding: Data()) }
        #expect(code { try Image(decoding: Data()) } == .emptyInput)
    }

    @Test("not an image") func notAnImage() {
        #expect(code { try Image(decoding: Data("hello, this is text".utf8)) } == .unsupportedFormat)
    }

    @Test("corrupt JPEG body") func corruptJPEG() throws {
        var bytes = [UInt8](try Fixtures.photo("face_recognition/obama.jpg"))
        for i in stride(from: 200, to: bytes.count - 2, by: 7) { bytes[i] = 0xFF }
        #expect(code { try Image(decoding: bytes) } == .corruptImage)
    }

    @Test("truncated JPEG and PNG") func truncated() throws {
        let jpeg = try Fixtures.photo("face_recognition/obama.jpg")
        #expect(code { try Image(decoding: jpeg.prefix(jpeg.count / 2)) } == .corruptImage)
        let png = try Fixtures.photo("face_recognition/32bit.png")
        #expect(code { try Image(decoding: png.prefix(png.count / 2)) } == .corruptImage)
        #expect(code { try Image(decoding: png.prefix(20)) } == .corruptImage)
    }

    @Test("images over the pixel limit are refused before decoding") func tooLarge() throws {
        let jpeg = try Fixtures.photo("face_recognition/obama.jpg")
        let image = try Image(decoding: jpeg)
        #expect(code { try Image(decoding: jpeg, maxPixels: image.width * image.height - 1) } == .imageTooLarge)
        // A PNG header claiming 100000 x 100000 pixels with no data behind it.
        var header: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        header += [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        #expect(code { try Image(decoding: header) } == .imageTooLarge || code { try Image(decoding: header) } == .corruptImage)
    }

    @Test("EXIF orientation 6 turns the image upright") func exifOrientation() throws {
        // 4x2 image, left half red, right half blue, encoded, then tagged "rotate 90° clockwise".
        var rgb: [UInt8] = []
        for _ in 0..<16 { for x in 0..<32 { rgb += x < 16 ? [250, 0, 0] : [0, 0, 250] } }
        let plain = try Image(rgb: rgb, width: 32, height: 16).jpegData(quality: 95)
        let tagged = Self.insertingOrientation(6, into: plain)
        let upright = try Image(decoding: tagged)
        #expect(upright.width == 16 && upright.height == 32)
        let pixels = upright.rgbPixels
        // After a clockwise turn the original left (red) half is on top.
        #expect(pixels[0] > 200 && pixels[2] < 50)
        #expect(pixels[(31 * 16) * 3 + 2] > 200 && pixels[(31 * 16) * 3] < 50)
    }

    /// A JPEG with an APP1 Exif segment (big-endian TIFF, one IFD entry: Orientation) after SOI.
    static func insertingOrientation(_ value: UInt8, into jpeg: Data) -> Data {
        let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, value, 0, 0, 0, 0, 0, 0]
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Data(jpeg.prefix(2)) + Data(segment) + Data(jpeg.dropFirst(2))
    }

    private func code(_ body: () throws -> Image) -> FaceKitError.Code? {
        do { _ = try body(); return nil } catch let error as FaceKitError { return error.code } catch { return nil }
    }
}
