import CDlibFace
import Foundation

/// A decoded 8-bit RGB image, upright (EXIF orientation applied).
///
/// `@unchecked Sendable`: the pixels are written once, in the initialiser, and only read after;
/// dlib reads them from whichever engine thread runs the job.
public final class Image: @unchecked Sendable {
    let handle: OpaquePointer

    /// Decodes JPEG or PNG bytes. Images above `maxPixels` are refused before decoding.
    public init(decoding bytes: some ContiguousBytes, maxPixels: Int = 40_000_000) throws(FaceKitError) {
        var result: OpaquePointer?
        var message = [CChar](repeating: 0, count: 512)
        let status = bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32 in
            let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return dlibface_image_decode(base, raw.count, Int64(maxPixels), &result, &message, 512)
        }
        if status != 0 { throw FaceKitError(status: status, message: message) }
        handle = result!
    }

    /// Wraps packed RGB rows (`width * height * 3` bytes).
    public init(rgb: [UInt8], width: Int, height: Int) throws(FaceKitError) {
        guard rgb.count == width * height * 3 else {
            throw FaceKitError(.invalidArgument, "expected \(width * height * 3) bytes of RGB, got \(rgb.count)")
        }
        var result: OpaquePointer?
        try checked { dlibface_image_from_rgb(rgb, Int32(width), Int32(height), &result, $0, $1) }
        handle = result!
    }

    private init(handle: OpaquePointer) { self.handle = handle }

    /// Takes ownership of an image the C shim made.
    convenience init(wrapping handle: OpaquePointer) { self.init(handle: handle) }

    deinit { dlibface_image_free(handle) }

    /// A copy scaled by `factor` (area averaging when shrinking), at least 1×1 pixel.
    public func scaled(by factor: Double) throws(FaceKitError) -> Image {
        let width = max(1, Int((Double(self.width) * factor).rounded())), height = max(1, Int((Double(self.height) * factor).rounded()))
        var result: OpaquePointer?
        try checked { dlibface_image_resized(handle, Int32(width), Int32(height), &result, $0, $1) }
        return Image(handle: result!)
    }

    public var width: Int { Int(dlibface_image_width(handle)) }
    public var height: Int { Int(dlibface_image_height(handle)) }

    /// A copy of the packed RGB pixels.
    public var rgbPixels: [UInt8] {
        let count = width * height * 3
        return Array(UnsafeBufferPointer(start: dlibface_image_pixels(handle), count: count))
    }

    /// Baseline JPEG bytes of this image.
    public func jpegData(quality: Int = 90) throws(FaceKitError) -> Data {
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        try checked { dlibface_image_encode_jpeg(handle, Int32(quality), &buffer, &length, $0, $1) }
        defer { dlibface_buffer_free(buffer) }
        return Data(bytes: buffer!, count: length)
    }
}
