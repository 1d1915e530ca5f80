import CFaceKernels

/// The rows of an `EmbeddingIndex`: each embedding twice, as int8 codes for the scan and as exact
/// Float32 for the re-rank. Not synchronised: the owner holds a lock.
///
/// Row r is approximated by `scales[r] * codes[r]` with a per-row scale (the row's largest
/// |component| / 127; per row rather than fixed because it costs 4 bytes and adapts to any
/// magnitude). `norms[r]` is the approximation's squared norm and `residuals[r]` an upper bound
/// of its distance to the exact row. Per row: 128 + 3 × 4 bytes scanned, 512 bytes re-ranked.
/// Each column is a `HugePageBuffer` (2 MiB pages once large), so the rows are noncopyable too:
/// the index owns them alone.
struct QuantizedRows: ~Copyable {
    private(set) var count = 0
    private var codes = HugePageBuffer<Int8>()
    private var scales = HugePageBuffer<Float>()
    private var norms = HugePageBuffer<Float>()
    private var residuals = HugePageBuffer<Float>()
    private var exact = HugePageBuffer<Float>()

    /// Rows the kernel scans per call at most: the collector's bound is refreshed between calls, so
    /// a bound that is still loose (early in the scan) lets through at most this many rows' worth of
    /// candidates before it tightens (1 MiB of codes, 1/128 of a 1M-row scan).
    static let rowsPerCall = 8192

    /// Candidates gathered per kernel call at most (more: the kernel stops, they are re-ranked, and
    /// it resumes with the tightened bound).
    static let candidateCapacity = 64

    /// Bytes held per row (capacity aside): codes, scale, norm, residual, exact Float32 row.
    static let bytesPerRow = Embedding.dimensions + 3 * MemoryLayout<Float>.size
        + Embedding.dimensions * MemoryLayout<Float>.size

    init() {}

    mutating func reserveCapacity(_ rows: Int) {
        codes.reserveCapacity(rows * Embedding.dimensions)
        exact.reserveCapacity(rows * Embedding.dimensions)
        scales.reserveCapacity(rows)
        norms.reserveCapacity(rows)
        residuals.reserveCapacity(rows)
    }

    mutating func append(_ embedding: Embedding) {
        let code = Quantized(embedding.values)
        codes.append(contentsOf: code.codes)
        scales.append(code.scale)
        norms.append(code.norm)
        residuals.append(code.residual)
        exact.append(contentsOf: embedding.values)
        count += 1
    }

    mutating func replace(row: Int, with embedding: Embedding) {
        let code = Quantized(embedding.values)
        let d = Embedding.dimensions
        codes.replace(from: row * d, with: code.codes)
        exact.replace(from: row * d, with: embedding.values)
        scales[row] = code.scale
        norms[row] = code.norm
        residuals[row] = code.residual
    }

    /// Swap-remove: the last row moves into `row` (the caller re-points the moved row's id).
    mutating func remove(row: Int) {
        let last = count - 1
        let d = Embedding.dimensions
        if row != last {
            codes.copy(from: last * d, to: row * d, length: d)
            exact.copy(from: last * d, to: row * d, length: d)
            scales[row] = scales[last]
            norms[row] = norms[last]
            residuals[row] = residuals[last]
        }
        codes.removeLast(d)
        exact.removeLast(d)
        scales.removeLast()
        norms.removeLast()
        residuals.removeLast()
        count -= 1
    }

    mutating func removeAll() { self = QuantizedRows() }

    func embedding(row: Int) -> Embedding {
        let d = Embedding.dimensions
        // Stored from a valid Embedding: 128 finite floats.
        return try! Embedding(exact.elements(from: row * d, count: d))
    }

    /// Offers `collector` every row that may be within `collector.bound` of `query`, with its exact
    /// squared Float32 distance, in row order.
    ///
    /// The exactness rule: the kernel gives, for every row, a certified lower bound of its exact
    /// distance (int8 distance − row residual − query residual − rounding slack; see
    /// fk_int8_lower_bounds). A row whose lower bound exceeds the collector's current bound (its
    /// k-th best exact distance, or maxDistance) cannot enter the result, so skipping it is safe;
    /// every other row is re-ranked exactly. The shortlist is therefore not a fixed size: it is
    /// exactly the rows the bound cannot exclude, so it widens by itself when the bound is loose
    /// (a filter that rejects most rows, a far query) and never needs a fallback pass. Rows are
    /// admitted (`collector.admits`) before their exact distance is computed.
    ///
    /// The kernel compares the bounds itself and hands back only the passing rows (fk_int8_candidates),
    /// so the 1M-row loop runs in C; the bound it compares with is refreshed every `rowsPerCall` rows
    /// and whenever `candidateCapacity` candidates were gathered. A candidate gathered under an older
    /// bound is checked again against the current one before its re-rank.
    func scan<C: RowCollector>(_ query: Embedding, into collector: inout C) {
        guard count > 0, let codes = codes.baseAddress, let scales = scales.baseAddress,
              let norms = norms.baseAddress, let residuals = residuals.baseAddress, let exact = exact.baseAddress
        else { return }
        let probe = Quantized(query.values)
        // The query's own residual, plus 1e-5 for the Float32 rounding of the exact distance
        // (~1e-7 relative) and of the bound's last subtractions.
        let slack = probe.residual + 1e-5
        let d = Embedding.dimensions
        var rows = fk_int8_rows(codes: codes, scales: scales, norms: norms, residuals: residuals)
        let capacity = Self.candidateCapacity
        probe.codes.withUnsafeBufferPointer { probeCodes in
        query.values.withUnsafeBufferPointer { queryValues in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { candidates in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { lowers in
            var squared: Float = 0
            var start = 0
            while start < count {
                let end = min(count, start + Self.rowsPerCall)
                var next = end
                let found = fk_int8_candidates(&rows, start, end, probeCodes.baseAddress!, probe.scale, probe.norm,
                                               slack, collector.bound, candidates.baseAddress!, lowers.baseAddress!,
                                               capacity, &next)
                for i in 0..<found where !(lowers[i] > collector.bound) {
                    let row = candidates[i]
                    guard collector.admits(row: row) else { continue }
                    squaredDistances(exact + row * d, count: 1, query: queryValues.baseAddress!, into: &squared)
                    collector.offer(row: row, squared: squared)
                }
                start = next
            }
        }}}}
    }
}

/// What a scan fills: a result set with a distance bound that only shrinks as rows are offered.
protocol RowCollector {
    /// Rows farther than this (exact distance) cannot enter; rows at it still may (ties).
    var bound: Float { get }
    /// Whether a row is wanted at all (a filter), asked before its exact distance is computed.
    func admits(row: Int) -> Bool
    mutating func offer(row: Int, squared: Float)
}

/// An embedding as int8 codes with a scale: value ≈ scale × code.
struct Quantized {
    var codes: [Int8]
    let scale: Float
    /// Squared norm of the approximation.
    let norm: Float
    /// An upper bound of |value − scale × code| (Euclidean), rounded up.
    let residual: Float

    init(_ values: [Float]) {
        var largest: Float = 0
        for v in values { largest = max(largest, abs(v)) }
        let scale = largest / 127
        var codes = [Int8](repeating: 0, count: values.count)
        var codeSquares = 0, residualSquares = 0.0
        if scale > 0 {
            for (i, v) in values.enumerated() {
                let code = Int8(max(-127, min(127, (v / scale).rounded())))
                codes[i] = code
                codeSquares += Int(code) * Int(code)
                let error = Double(v) - Double(scale) * Double(code)
                residualSquares += error * error
            }
        }
        self.codes = codes
        self.scale = scale
        // Σ code² ≤ 128 × 127² < 2²⁴ is exact in Float32; one rounding for the product.
        norm = Float(Double(scale) * Double(scale) * Double(codeSquares))
        // Computed in Double, then pushed up past Float32 rounding.
        residual = Float(residualSquares.squareRoot() * (1 + 1e-6)).nextUp
    }
}

/// Squared distances from `query` to `count` consecutive 128-float rows, written to `out`.
/// A separate, non-inlined kernel: on its own LLVM keeps it in packed SIMD registers (inlined into
/// the search loop next to the top-k bookkeeping, it was scalarised: 128 subss + 128 mulss a row).
@inline(never)
func squaredDistances(_ rows: UnsafePointer<Float>, count: Int, query: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
    let q = UnsafeRawPointer(query)
    let q0 = q.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self)
    let q1 = q.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
    let q2 = q.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
    let q3 = q.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
    let q4 = q.loadUnaligned(fromByteOffset: 256, as: SIMD16<Float>.self)
    let q5 = q.loadUnaligned(fromByteOffset: 320, as: SIMD16<Float>.self)
    let q6 = q.loadUnaligned(fromByteOffset: 384, as: SIMD16<Float>.self)
    let q7 = q.loadUnaligned(fromByteOffset: 448, as: SIMD16<Float>.self)
    for index in 0..<count {
        let r = UnsafeRawPointer(rows + index * 128)
        let d0 = r.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self) - q0
        let d1 = r.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self) - q1
        let d2 = r.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self) - q2
        let d3 = r.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self) - q3
        let d4 = r.loadUnaligned(fromByteOffset: 256, as: SIMD16<Float>.self) - q4
        let d5 = r.loadUnaligned(fromByteOffset: 320, as: SIMD16<Float>.self) - q5
        let d6 = r.loadUnaligned(fromByteOffset: 384, as: SIMD16<Float>.self) - q6
        let d7 = r.loadUnaligned(fromByteOffset: 448, as: SIMD16<Float>.self) - q7
        let sum = (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3) + (d4 * d4 + d5 * d5) + (d6 * d6 + d7 * d7)
        // A halving tree, not `sum()`: SIMD's sum() is an ordered lane-by-lane reduction.
        let s8 = sum.lowHalf + sum.highHalf
        let s4 = s8.lowHalf + s8.highHalf
        let s2 = s4.lowHalf + s4.highHalf
        out[index] = s2.x + s2.y
    }
}
