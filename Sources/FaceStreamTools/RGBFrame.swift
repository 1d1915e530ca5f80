/// Packed 8-bit RGB pixels, for making benchmark frames of a given size from a photo.
struct RGBFrame: Equatable {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGB needs width × height × 3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Scaled to fit inside `width × height` (aspect ratio kept), centred on black: what a camera
    /// client sending a fixed frame size does with a photo of another shape.
    func letterboxed(width: Int, height: Int) -> RGBFrame {
        let scale = min(Double(width) / Double(self.width), Double(height) / Double(self.height))
        let fitWidth = min(width, max(1, Int((Double(self.width) * scale).rounded())))
        let fitHeight = min(height, max(1, Int((Double(self.height) * scale).rounded())))
        let fitted = resized(width: fitWidth, height: fitHeight)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let left = (width - fitWidth) / 2, top = (height - fitHeight) / 2
        for y in 0..<fitHeight {
            let from = y * fitWidth * 3, to = ((top + y) * width + left) * 3
            out.replaceSubrange(to..<to + fitWidth * 3, with: fitted.pixels[from..<from + fitWidth * 3])
        }
        return RGBFrame(width: width, height: height, pixels: out)
    }

    /// Resampled separably: area averaging where a side shrinks (no aliasing), linear
    /// interpolation where it grows.
    func resized(width: Int, height: Int) -> RGBFrame {
        let columns = Self.taps(from: self.width, to: width)
        let rows = Self.taps(from: self.height, to: height)
        // Horizontal pass into floats (self.height × width), then vertical into bytes.
        var wide = [Float](repeating: 0, count: self.height * width * 3)
        for y in 0..<self.height {
            for (x, tap) in columns.enumerated() {
                var r: Float = 0, g: Float = 0, b: Float = 0
                for (k, weight) in tap.weights.enumerated() {
                    let i = (y * self.width + tap.first + k) * 3
                    r += weight * Float(pixels[i]); g += weight * Float(pixels[i + 1]); b += weight * Float(pixels[i + 2])
                }
                let o = (y * width + x) * 3
                wide[o] = r; wide[o + 1] = g; wide[o + 2] = b
            }
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for (y, tap) in rows.enumerated() {
            for x in 0..<width {
                for c in 0..<3 {
                    var sum: Float = 0
                    for (k, weight) in tap.weights.enumerated() { sum += weight * wide[((tap.first + k) * width + x) * 3 + c] }
                    out[(y * width + x) * 3 + c] = UInt8(max(0, min(255, sum.rounded())))
                }
            }
        }
        return RGBFrame(width: width, height: height, pixels: out)
    }

    /// For each output position along one axis: the first source index and the weights (sum 1).
    static func taps(from source: Int, to target: Int) -> [(first: Int, weights: [Float])] {
        let step = Double(source) / Double(target)
        return (0..<target).map { i in
            if step >= 1 {
                // Shrinking: the output pixel covers [i·step, (i+1)·step) of the source.
                let start = Double(i) * step, end = min(Double(source), start + step)
                let first = Int(start), last = min(source - 1, Int((end - 1e-9).rounded(.down)))
                let weights = (first...last).map { j in
                    Float(min(end, Double(j + 1)) - max(start, Double(j)))
                }
                let total = weights.reduce(0, +)
                return (first, weights.map { $0 / total })
            }
            // Growing: linear between the two nearest source centres.
            let centre = (Double(i) + 0.5) * step - 0.5
            let first = max(0, min(source - 1, Int(centre.rounded(.down))))
            let second = min(source - 1, first + 1)
            let t = Float(max(0, min(1, centre - Double(first))))
            return second == first ? (first, [1]) : (first, [1 - t, t])
        }
    }
}
