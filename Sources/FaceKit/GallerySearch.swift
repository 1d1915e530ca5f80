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
