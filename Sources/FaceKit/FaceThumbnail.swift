import CDlibFace
import Foundation

/// How the small JPEG of a face that a sighting keeps is made: a square around the face box (with
/// some room around it), scaled to `size` × `size` pixels and encoded at JPEG `quality`. One costs
/// well under a millisecond (crop, resize and encode of ~112 px), so it is made only when a track's
/// best look at a face improves, or for a photo's faces when they are logged.
public struct ThumbnailSettings: Sendable, Equatable {
    /// Side of the square thumbnail in pixels.
    public var size: Int
    /// JPEG quality, 1…100.
    public var quality: Int
    /// Room around the face box on each side, as a fraction of the box's larger side.
    public var margin: Double

    public init(size: Int = 112, quality: Int = 80, margin: Double = 0.2) {
        self.size = size
        self.quality = quality
        self.margin = margin
    }
}

extension Image {
    /// The region `width` × `height` at (`x`, `y`), which must lie inside the image, scaled to
    /// `outputWidth` × `outputHeight` (area averaging when shrinking, bilinear when enlarging).
    public func cropped(x: Int, y: Int, width: Int, height: Int, outputWidth: Int, outputHeight: Int) throws(FaceKitError) -> Image {
        var result: OpaquePointer?
        try checked {
            dlibface_image_crop_resized(handle, Int32(x), Int32(y), Int32(width), Int32(height), Int32(outputWidth),
                                        Int32(outputHeight), &result, $0, $1)
        }
        return Image(wrapping: result!)
    }

    /// The square (within the image) around `box`, `settings.margin` larger on each side, clipped
    /// to the image's shorter side and shifted inside it; nil for an empty box.
    public func thumbnailRegion(around box: BoundingBox, margin: Double) -> (x: Int, y: Int, side: Int)? {
        guard box.width > 0, box.height > 0, width > 0, height > 0 else { return nil }
        let wanted = (max(box.width, box.height) * (1 + 2 * max(0, margin))).rounded()
        let side = max(1, min(Int(wanted), width, height))
        let center = box.center
        let x = min(max(0, Int((center.x - Double(side) / 2).rounded())), width - side)
        let y = min(max(0, Int((center.y - Double(side) / 2).rounded())), height - side)
        return (x, y, side)
    }

    /// A JPEG of the face in `box`: `settings.size` pixels square.
    public func thumbnailJPEG(of box: BoundingBox, settings: ThumbnailSettings) throws(FaceKitError) -> Data {
        guard let region = thumbnailRegion(around: box, margin: settings.margin) else {
            throw FaceKitError(.invalidArgument, "the face box is empty")
        }
        let size = max(1, settings.size)
        return try cropped(x: region.x, y: region.y, width: region.side, height: region.side, outputWidth: size, outputHeight: size)
            .jpegData(quality: settings.quality)
    }
}
