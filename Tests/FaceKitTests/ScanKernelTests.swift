import CFaceKernels
@testable import FaceKit
import Testing

/// fk_int8_candidates: the AVX2 and portable kernels agree, bounds are the lower bounds'
/// comparison, and a full gather buffer resumes where it stopped.
@Suite("int8 candidate kernel")
struct ScanKernelTests {
    /// Quantised rows in the flat layout the kernel reads.
    struct Rows {
        let codes: [Int8], scales: [Float], norms: [Float], residuals: [Float]
        let count: Int

        init(_ embeddings: [Embedding]) {
            let quantized = embeddings.map { Quantized($0.values) }
            codes = quantized.flatMap(\.codes)
            scales = quantized.map(\.scale)
            norms = quantized.map(\.norm)
            residuals = quantized.map(\.residual)
            count = embeddings.count
        }

        /// Every lower bound, from the portable kernel.
        func lowerBounds(_ probe: Quantized, slack: Float) -> [Float] {
            var out = [Float](repeating: 0, count: count)
            fk_int8_lower_bounds_portable(codes, scales, norms, residuals, count, probe.codes, probe.scale, probe.norm,
                                          slack, &out)
            return out
        }

        typealias Kernel = @Sendable (UnsafePointer<fk_int8_rows>, Int, Int, UnsafePointer<Int8>, Float, Float, Float, Float,
                            UnsafeMutablePointer<Int>, UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Int>) -> Int

        /// All candidates of [start, end), calling `kernel` with `capacity` until it finishes, and how
        /// many calls that took; checks each call's contract on the way.
        func candidates(_ kernel: Kernel, _ probe: Quantized, slack: Float, bound: Float, start: Int, end: Int,
                        capacity: Int) -> (rows: [Int], bounds: [Float], calls: Int) {
            var rows: [Int] = [], bounds: [Float] = []
            var calls = 0
            codes.withUnsafeBufferPointer { c in
            scales.withUnsafeBufferPointer { s in
            norms.withUnsafeBufferPointer { n in
            residuals.withUnsafeBufferPointer { r in
            probe.codes.withUnsafeBufferPointer { q in
                var table = fk_int8_rows(codes: c.baseAddress, scales: s.baseAddress, norms: n.baseAddress,
                                         residuals: r.baseAddress)
                var outRows = [Int](repeating: -1, count: capacity + 1)
                var outBounds = [Float](repeating: .nan, count: capacity + 1)
                var at = start
                while at < end {
                    var next = -1
                    let found = kernel(&table, at, end, q.baseAddress!, probe.scale, probe.norm, slack, bound, &outRows,
                                       &outBounds, capacity, &next)
                    calls += 1
                    #expect(found >= 0 && found <= capacity)
                    #expect(outRows[capacity] == -1, "wrote past the capacity")
                    #expect(next > at && next <= end)
                    if next < end { #expect(found == capacity, "stopped early with room left") }
                    rows += outRows.prefix(found)
                    bounds += outBounds.prefix(found)
                    at = next
                }
            }}}}}
            return (rows, bounds, calls)
        }
    }

    static let avx2: Rows.Kernel = { fk_int8_candidates($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) }
    static let portable: Rows.Kernel = { fk_int8_candidates_portable($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) }

    static func data() -> (rows: Rows, queries: [Quantized]) {
        var random = RandomEmbeddings(seed: 81)
        var embeddings = (0..<3001).map { _ in random.next() }
        // Near-duplicates of the first queries, so some bounds fall below any threshold.
        let queries = (0..<6).map { _ in random.next() }
        for query in queries { embeddings[embeddings.count / 2] = random.near(query, distance: 0.01) }
        embeddings += queries.map { random.near($0, distance: 0.05) }
        return (Rows(embeddings), queries.map { Quantized($0.values) })
    }

    @Test("AVX2 and portable kernels return the same rows and bounds: the rows whose lower bound passes")
    func agreement() {
        let (rows, queries) = Self.data()
        for probe in queries {
            let slack = probe.residual + 1e-5
            let lower = rows.lowerBounds(probe, slack: slack)
            // Bounds around the low end of the distribution (a few rows pass) up to everything passing.
            let sorted = lower.sorted()
            for bound in [-1, sorted[0], sorted[3], sorted[40], sorted[700], Float.infinity] {
                for (start, end) in [(0, rows.count), (5, 1234), (17, 18), (3000, rows.count), (8, 8)] {
                    let expected = (start..<end).filter { !(lower[$0] > bound) }
                    let fast = rows.candidates(Self.avx2, probe, slack: slack, bound: bound, start: start, end: end,
                                               capacity: 4096)
                    let plain = rows.candidates(Self.portable, probe, slack: slack, bound: bound, start: start, end: end,
                                                capacity: 4096)
                    #expect(fast.rows == expected, "bound \(bound), rows \(start)..<\(end)")
                    #expect(plain.rows == expected, "bound \(bound), rows \(start)..<\(end)")
                    #expect(fast.bounds == expected.map { lower[$0] })
                    #expect(plain.bounds == fast.bounds)
                }
            }
            // The lower bounds themselves, bit for bit.
            var fast = [Float](repeating: 0, count: rows.count)
            fk_int8_lower_bounds(rows.codes, rows.scales, rows.norms, rows.residuals, rows.count, probe.codes,
                                 probe.scale, probe.norm, slack, &fast)
            #expect(fast == lower)
        }
    }

    @Test("a full gather buffer stops at the first row that does not fit, and resuming loses nothing")
    func overflow() {
        let (rows, queries) = Self.data()
        let probe = queries[0]
        let slack = probe.residual + 1e-5
        let lower = rows.lowerBounds(probe, slack: slack)
        let bound = lower.sorted()[500]
        let expected = (0..<rows.count).filter { !(lower[$0] > bound) }
        #expect(expected.count > 500)
        for kernel in [Self.avx2, Self.portable] {
            for capacity in [1, 3, 8, 64, 501] {
                let got = rows.candidates(kernel, probe, slack: slack, bound: bound, start: 0, end: rows.count,
                                          capacity: capacity)
                #expect(got.rows == expected, "capacity \(capacity)")
                // One call per full buffer; the call taking the last candidates also finishes the range.
                #expect(got.calls == (expected.count + capacity - 1) / capacity, "capacity \(capacity)")
            }
            // Everything passes: every row, in order, 7 at a time.
            let all = rows.candidates(kernel, probe, slack: slack, bound: .infinity, start: 0, end: rows.count, capacity: 7)
            #expect(all.rows == Array(0..<rows.count))
        }
    }

    @Test("overflowing magnitudes (a NaN in the bound's arithmetic) make a candidate, on both kernels")
    func overflowingMagnitudes() {
        let huge = try! Embedding([Float](repeating: 3e38, count: Embedding.dimensions))
        var random = RandomEmbeddings(seed: 91)
        let rows = Rows([random.next(), huge, random.next()])
        let probe = Quantized(huge.values)
        let fast = rows.candidates(Self.avx2, probe, slack: probe.residual + 1e-5, bound: 0, start: 0, end: 3, capacity: 8)
        let plain = rows.candidates(Self.portable, probe, slack: probe.residual + 1e-5, bound: 0, start: 0, end: 3,
                                    capacity: 8)
        #expect(fast.rows.contains(1))
        #expect(fast.rows == plain.rows)
    }
}
