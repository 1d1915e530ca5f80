import FaceKit

/// Deterministic pseudo-random embeddings (SplitMix64), scaled like dlib's (components ~±0.1).
struct RandomEmbeddings {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> Embedding {
        try! Embedding((0..<Embedding.dimensions).map { _ in Float(nextUnit() - 0.5) * 0.2 })
    }

    /// A copy moved by exactly `distance` in a random direction.
    mutating func near(_ base: Embedding, distance: Float) -> Embedding {
        let direction = (0..<Embedding.dimensions).map { _ in Float(nextUnit() - 0.5) }
        let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return try! Embedding(zip(base.values, direction).map { $0 + $1 / norm * distance })
    }

    private mutating func nextUnit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
