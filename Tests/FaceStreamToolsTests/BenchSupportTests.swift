import Testing
@testable import FaceStreamTools

@Suite("benchmark helpers")
struct BenchSupportTests {
    @Test("resampling weights sum to one, shrinking and growing")
    func taps() {
        for (from, to) in [(910, 288), (100, 100), (3, 7), (1137, 360), (7, 3)] {
            let taps = RGBFrame.taps(from: from, to: to)
            #expect(taps.count == to)
            for tap in taps {
                #expect(abs(tap.weights.reduce(0, +) - 1) < 1e-5)
                #expect(tap.first >= 0 && tap.first + tap.weights.count <= from)
            }
        }
    }

    @Test("letterboxing keeps a flat colour flat and pads with black, centred")
    func letterbox() {
        let grey = RGBFrame(width: 91, height: 113, pixels: [UInt8](repeating: 200, count: 91 * 113 * 3))
        let frame = grey.letterboxed(width: 64, height: 36)
        #expect(frame.width == 64 && frame.height == 36)
        // 91×113 scaled by 36/113 is 29×36, centred: columns 17..<46 are the photo.
        func pixel(_ x: Int, _ y: Int) -> UInt8 { frame.pixels[(y * 64 + x) * 3] }
        #expect(pixel(0, 10) == 0 && pixel(16, 10) == 0 && pixel(46, 10) == 0)
        #expect(pixel(17, 0) == 200 && pixel(45, 35) == 200 && pixel(30, 18) == 200)
    }

    @Test("median and nearest-rank percentile")
    func statistics() {
        #expect(Statistics.median([3, 1, 2]) == 2)
        #expect(Statistics.median([4, 1, 3, 2]) == 2.5)
        #expect(Statistics.percentile(Array(1...100).map(Double.init), 95) == 95)
        #expect(Statistics.percentile([5], 95) == 5)
        #expect(BenchGalleryCommand.grouped(1_000_000) == "1,000,000")
        #expect(BenchGalleryCommand.grouped(999) == "999")
    }
}
