import FaceKit
import Foundation

/// Builds synthetic camera frames: photos scaled and placed on a plain background, JPEG-encoded
/// the way a browser client would send them.
struct FrameComposer {
    let width: Int
    let height: Int
    var background: (UInt8, UInt8, UInt8) = (96, 104, 112)

    struct Placement {
        let photo: Image
        let x: Int, y: Int, size: Int
    }

    func jpeg(_ placements: [Placement], quality: Int = 85) throws -> Data {
        var canvas = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: canvas.count, by: 3) {
            canvas[i] = background.0; canvas[i + 1] = background.1; canvas[i + 2] = background.2
        }
        for placement in placements { paste(placement, into: &canvas) }
        return try Image(rgb: canvas, width: width, height: height).jpegData(quality: quality)
    }

    /// Bilinear scaling of the photo to `size` pixels wide (aspect kept), clipped to the frame.
    private func paste(_ placement: Placement, into canvas: inout [UInt8]) {
        let source = placement.photo.rgbPixels
        let sw = placement.photo.width, sh = placement.photo.height
        let scale = Double(placement.size) / Double(sw)
        let dw = placement.size, dh = Int(Double(sh) * scale)
        for dy in 0..<dh {
            let y = placement.y + dy
            guard y >= 0 && y < height else { continue }
            let fy = min(Double(sh - 1), (Double(dy) + 0.5) / scale - 0.5)
            let y0 = max(0, Int(fy)), y1 = min(sh - 1, y0 + 1), wy = max(0, fy - Double(y0))
            for dx in 0..<dw {
                let x = placement.x + dx
                guard x >= 0 && x < width else { continue }
                let fx = min(Double(sw - 1), (Double(dx) + 0.5) / scale - 0.5)
                let x0 = max(0, Int(fx)), x1 = min(sw - 1, x0 + 1), wx = max(0, fx - Double(x0))
                for c in 0..<3 {
                    let top = Double(source[(y0 * sw + x0) * 3 + c]) * (1 - wx) + Double(source[(y0 * sw + x1) * 3 + c]) * wx
                    let bottom = Double(source[(y1 * sw + x0) * 3 + c]) * (1 - wx) + Double(source[(y1 * sw + x1) * 3 + c]) * wx
                    canvas[(y * width + x) * 3 + c] = UInt8(max(0, min(255, (top * (1 - wy) + bottom * wy).rounded())))
                }
            }
        }
    }
}
