/// The query as eight 16-lane vectors, compared against rows of the gallery matrix.
struct SIMDRow {
    private let lanes: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
                        SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)

    init(_ values: UnsafePointer<Float>) {
        let raw = UnsafeRawPointer(values)
        func lane(_ i: Int) -> SIMD16<Float> { raw.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Float>.self) }
        lanes = (lane(0), lane(1), lane(2), lane(3), lane(4), lane(5), lane(6), lane(7))
    }

    @inline(__always)
    func squaredDistance(to row: UnsafePointer<Float>) -> Float {
        let raw = UnsafeRawPointer(row)
        @inline(__always) func part(_ i: Int, _ q: SIMD16<Float>) -> SIMD16<Float> {
            let d = raw.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Float>.self) - q
            return d * d
        }
        var sum = part(0, lanes.0) + part(1, lanes.1)
        sum += part(2, lanes.2) + part(3, lanes.3)
        sum += part(4, lanes.4) + part(5, lanes.5)
        sum += part(6, lanes.6) + part(7, lanes.7)
        return sum.sum()
    }
}

/// The k best distinct people seen so far (k is small: a linear list beats a heap).
struct TopMatches {
    let capacity: Int
    private var items: [(personID: Int, embeddingID: Int, squared: Float)] = []

    init(capacity: Int) { self.capacity = capacity }

    /// Rows at or beyond this squared distance cannot enter the list.
    var worstSquared: Float { items.count < capacity ? .infinity : items[items.count - 1].squared }

    mutating func offer(personID: Int, embeddingID: Int, squared: Float) {
        if let existing = items.firstIndex(where: { $0.personID == personID }) {
            guard squared < items[existing].squared else { return }
            items.remove(at: existing)
        } else if items.count == capacity {
            items.removeLast()
        }
        let at = items.firstIndex { $0.squared > squared } ?? items.count
        items.insert((personID, embeddingID, squared), at: at)
    }

    var matches: [Gallery.Match] {
        items.map { Gallery.Match(personID: $0.personID, embeddingID: $0.embeddingID, distance: $0.squared.squareRoot()) }
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
