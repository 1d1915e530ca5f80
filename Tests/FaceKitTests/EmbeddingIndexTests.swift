import CFaceKernels
import Dispatch
@testable import FaceKit
import Foundation
import Testing

@Suite("Embedding index")
struct EmbeddingIndexTests {
    /// The exhaustive Float32 search the index must equal: every entry, same kernel, same tie order
    /// (distance, then id). Truth for a query is a prefix of this, after any filter.
    static func ranked(_ entries: [(id: Int, embedding: Embedding)], _ query: Embedding) -> [(id: Int, distance: Float)] {
        var all: [(id: Int, distance: Float)] = []
        all.reserveCapacity(entries.count)
        var squared: Float = 0
        query.values.withUnsafeBufferPointer { q in
            for entry in entries {
                entry.embedding.values.withUnsafeBufferPointer { squaredDistances($0.baseAddress!, count: 1, query: q.baseAddress!, into: &squared) }
                all.append((entry.id, squared.squareRoot()))
            }
        }
        all.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
        return all
    }

    static func bruteForce(_ entries: [(id: Int, embedding: Embedding)], _ query: Embedding, limit: Int,
                           maxDistance: Float = .infinity, where filter: ((Int) -> Bool)? = nil) -> [(id: Int, distance: Float)] {
        truth(ranked(entries, query), limit: limit, maxDistance: maxDistance, where: filter)
    }

    static func truth(_ ranked: [(id: Int, distance: Float)], limit: Int, maxDistance: Float = .infinity,
                      where filter: ((Int) -> Bool)? = nil) -> [(id: Int, distance: Float)] {
        Array(ranked.lazy.filter { $0.distance <= maxDistance && (filter?($0.id) ?? true) }.prefix(limit))
    }

    static func expectSame(_ found: [(id: Int, distance: Float)], _ truth: [(id: Int, distance: Float)],
                           _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(found.map(\.id) == truth.map(\.id), "\(comment)", sourceLocation: sourceLocation)
        #expect(found.map(\.distance) == truth.map(\.distance), "\(comment)", sourceLocation: sourceLocation)
    }

    /// Unit vectors, uniformly on the sphere (normalised Gaussians).
    static func unitVectors(_ count: Int, seed: UInt64) -> [Embedding] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in unit((0..<Embedding.dimensions).map { _ in random.gaussian() }) }
    }

    static func unit(_ values: [Float]) -> Embedding {
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return try! Embedding(values.map { $0 / norm })
    }

    /// `base` moved by `distance` in a random direction.
    static func near(_ base: Embedding, distance: Float, _ random: inout SeededRandom) -> Embedding {
        let direction = unit((0..<Embedding.dimensions).map { _ in random.gaussian() })
        return try! Embedding(zip(base.values, direction.values).map { $0 + $1 * distance })
    }

    @Test("int8 lower bounds never exceed the exact distance, on both kernels")
    func lowerBounds() {
        var random = SeededRandom(seed: 3)
        let rows = Self.unitVectors(2000, seed: 4) + (0..<500).map { _ in
            try! Embedding((0..<Embedding.dimensions).map { _ in Float(random.unit() - 0.5) * Float(random.unit()) * 40 })
        }
        let codes = rows.map { Quantized($0.values) }
        let flatCodes = codes.flatMap(\.codes)
        let scales = codes.map(\.scale), norms = codes.map(\.norm), residuals = codes.map(\.residual)
        for query in Self.unitVectors(20, seed: 5) + [rows[7], rows[2100], Self.near(rows[9], distance: 1e-3, &random)] {
            let probe = Quantized(query.values)
            var fast = [Float](repeating: 0, count: rows.count), portable = fast
            fk_int8_lower_bounds(flatCodes, scales, norms, residuals, rows.count, probe.codes, probe.scale, probe.norm,
                                 probe.residual + 1e-5, &fast)
            fk_int8_lower_bounds_portable(flatCodes, scales, norms, residuals, rows.count, probe.codes, probe.scale,
                                          probe.norm, probe.residual + 1e-5, &portable)
            #expect(fast == portable)
            for (row, (code, bound)) in zip(rows, zip(codes, fast)) {
                let exact = row.distance(to: query)
                #expect(bound <= exact)
                // And as tight as the triangle inequality allows.
                #expect(exact - bound <= 2 * (code.residual + probe.residual) + 1e-4)
            }
        }
    }

    @Test("random unit vectors and near-duplicates: top-k equals an exact Float32 search")
    func randomExactness() {
        var random = SeededRandom(seed: 9)
        var embeddings = Self.unitVectors(20_000, seed: 10)
        // Near-duplicates closer than the int8 error, and exact duplicates (ties broken by id).
        for i in 0..<2000 { embeddings.append(Self.near(embeddings[i], distance: Float(random.unit()) * 0.02, &random)) }
        for i in 0..<200 { embeddings.append(embeddings[i * 3]) }
        let entries = embeddings.enumerated().map { (id: $0.offset * 7 + 1, embedding: $0.element) }
        let index = EmbeddingIndex()
        index.upsert(entries)
        #expect(index.count == entries.count)
        let queries = Self.unitVectors(30, seed: 11) + (0..<30).map { embeddings[$0 * 5] }
            + (0..<30).map { Self.near(embeddings[$0], distance: 0.01, &random) }
        for (n, query) in queries.enumerated() {
            let ranked = Self.ranked(entries, query)
            for limit in [1, 10, 100] {
                Self.expectSame(index.nearest(to: query, limit: limit), Self.truth(ranked, limit: limit),
                                "query \(n), limit \(limit)")
            }
        }
        // The float distances agree with Embedding.distance too.
        let query = queries[40]
        for match in index.nearest(to: query, limit: 20) {
            #expect(abs(match.distance - index.embedding(of: match.id)!.distance(to: query)) < 1e-6)
        }
    }

    @Test("real dlib embeddings (the johns, bald_guys) and variations of them: top-k equals an exact search")
    func realExactness() async throws {
        var real: [Embedding] = []
        for (_, files) in try Fixtures.johns() {
            for file in files { real.append(try await Fixtures.embedding(file)) }
        }
        let crowd = try await Fixtures.engine.analyze(try Fixtures.image("dlib/faces/bald_guys.jpg"), options: .photo)
        real += crowd.compactMap(\.embedding)
        #expect(real.count == 79)
        // dlib components stay well within ±0.5.
        #expect(real.allSatisfy { $0.values.allSatisfy { abs($0) < 0.5 } })
        // Many sightings of the same faces: each real face moved by 0.05-0.5 (same-person spread),
        // plus every real embedding itself.
        var random = SeededRandom(seed: 21)
        var embeddings = real
        for i in 0..<8000 {
            embeddings.append(Self.near(real[i % real.count], distance: 0.05 + Float(random.unit()) * 0.45, &random))
        }
        let entries = embeddings.enumerated().map { (id: $0.offset, embedding: $0.element) }
        let index = EmbeddingIndex()
        index.upsert(entries)
        for (n, query) in real.enumerated() {
            let ranked = Self.ranked(entries, query)
            for limit in [1, 5, 50] {
                Self.expectSame(index.nearest(to: query, limit: limit), Self.truth(ranked, limit: limit),
                                "face \(n), limit \(limit)")
            }
            Self.expectSame(index.nearest(to: query, limit: 1000, maxDistance: 0.6),
                            Self.truth(ranked, limit: 1000, maxDistance: 0.6), "face \(n) within 0.6")
        }
        // The gallery on the same data: one person per fixture face.
        let gallery = Gallery()
        gallery.replaceAll(entries.map { (embeddingID: $0.id, personID: $0.id % real.count, embedding: $0.embedding) })
        for query in real.prefix(20) {
            var best: [Int: (embeddingID: Int, distance: Float)] = [:]
            for match in Self.ranked(entries, query) where best[match.id % real.count] == nil {
                best[match.id % real.count] = (match.id, match.distance)
            }
            let expected = best.sorted { $0.value.distance < $1.value.distance }.prefix(5)
            let found = gallery.search(query, topK: 5)
            #expect(found.map(\.personID) == expected.map(\.key))
            #expect(found.map(\.embeddingID) == expected.map(\.value.embeddingID))
            #expect(found.map(\.distance) == expected.map(\.value.distance))
        }
    }

    @Test("a filter keeping 1% of rows still returns the best passing rows")
    func sparseFilter() {
        let embeddings = Self.unitVectors(30_000, seed: 31)
        let entries = embeddings.enumerated().map { (id: $0.offset, embedding: $0.element) }
        let index = EmbeddingIndex()
        index.upsert(entries)
        let keep: @Sendable (Int) -> Bool = { $0 % 100 == 42 }
        for (n, query) in Self.unitVectors(20, seed: 32).enumerated() {
            let found = index.nearest(to: query, limit: 10, where: keep)
            #expect(found.count == 10)
            #expect(found.allSatisfy { keep($0.id) })
            Self.expectSame(found, Self.bruteForce(entries, query, limit: 10, where: keep), "query \(n)")
        }
        // A filter nothing passes; a filter only the farthest rows pass.
        #expect(index.nearest(to: embeddings[0], limit: 5, where: { _ in false }).isEmpty)
        let far = Self.ranked(entries, embeddings[0]).suffix(3).map(\.id)
        let farSet = Set(far)
        Self.expectSame(index.nearest(to: embeddings[0], limit: 5, where: { farSet.contains($0) }),
                        Self.bruteForce(entries, embeddings[0], limit: 5, where: { farSet.contains($0) }))
    }

    @Test("maxDistance keeps only rows within it, inclusive")
    func maxDistance() {
        var random = SeededRandom(seed: 41)
        let base = Self.unitVectors(1, seed: 42)[0]
        var entries = [(id: 0, embedding: base)]
        for id in 1...2000 { entries.append((id, Self.near(base, distance: Float(id) / 1000, &random))) }
        let index = EmbeddingIndex()
        index.upsert(entries)
        let found = index.nearest(to: base, limit: 10_000, maxDistance: 0.5)
        Self.expectSame(found, Self.bruteForce(entries, base, limit: 10_000, maxDistance: 0.5))
        #expect(found.count >= 499 && found.count <= 501)
        #expect(found.allSatisfy { $0.distance <= 0.5 })
        let exactly = found.last!.distance
        #expect(index.nearest(to: base, limit: 10_000, maxDistance: exactly).count == found.count)
        #expect(index.nearest(to: base, limit: 3, maxDistance: 0).map(\.id) == [0])
        #expect(index.nearest(to: base, limit: 3, maxDistance: -1).isEmpty)
        #expect(index.nearest(to: base, limit: 0).isEmpty)
    }

    @Test("upsert replaces, remove swaps the last row in, removeAll empties")
    func changes() {
        let vectors = Self.unitVectors(10, seed: 51)
        let index = EmbeddingIndex()
        #expect(index.nearest(to: vectors[0], limit: 3).isEmpty)
        index.upsert((0..<5).map { (id: $0 * 10, embedding: vectors[$0]) })
        #expect(index.count == 5)
        #expect(index.nearest(to: vectors[2], limit: 1).map(\.id) == [20])

        index.upsert(id: 20, embedding: vectors[7])
        #expect(index.count == 5)
        #expect(index.embedding(of: 20) == vectors[7])
        #expect(index.nearest(to: vectors[7], limit: 1).map(\.id) == [20])
        #expect(index.nearest(to: vectors[7], limit: 1)[0].distance == 0)
        #expect(index.nearest(to: vectors[2], limit: 1).map(\.id) != [20])

        #expect(index.remove(id: 0)) // the last row (id 40) moves into row 0
        #expect(!index.remove(id: 0))
        #expect(!index.contains(id: 0))
        #expect(index.count == 4)
        #expect(index.embedding(of: 40) == vectors[4])
        #expect(index.nearest(to: vectors[4], limit: 1).map(\.id) == [40])
        #expect(index.nearest(to: vectors[0], limit: 10).map(\.id).sorted() == [10, 20, 30, 40])
        #expect(index.remove(id: 40)) // now the last row itself
        #expect(index.nearest(to: vectors[4], limit: 10).count == 3)

        index.removeAll()
        #expect(index.count == 0)
        #expect(!index.contains(id: 10))
        #expect(index.embedding(of: 10) == nil)
        #expect(index.nearest(to: vectors[1], limit: 3).isEmpty)
        index.upsert(id: 5, embedding: vectors[5])
        #expect(index.nearest(to: vectors[5], limit: 3).map(\.id) == [5])
    }

    @Test("parallel searches during upserts and removals see the stable rows unchanged")
    func concurrency() async {
        let stable = Self.unitVectors(5000, seed: 61).enumerated().map { (id: $0.offset, embedding: $0.element) }
        // Churned rows live far away (norm 3): never nearer than a stable row to a unit query.
        let churn = Self.unitVectors(2000, seed: 62).map { try! Embedding($0.values.map { $0 * 3 }) }
        let index = EmbeddingIndex()
        index.upsert(stable)
        let queries = Self.unitVectors(16, seed: 63)
        let expected = queries.map { Self.bruteForce(stable, $0, limit: 10) }
        let failures = await withTaskGroup(of: Int.self) { group in
            group.addTask {
                for round in 0..<5 {
                    for (i, e) in churn.enumerated() { index.upsert(id: 100_000 + i, embedding: e) }
                    index.upsert(churn.enumerated().map { (id: 200_000 + $0.offset + round, embedding: $0.element) })
                    for i in churn.indices { index.remove(id: 100_000 + i) }
                    for i in churn.indices { index.remove(id: 200_000 + i + round) }
                }
                return 0
            }
            for reader in 0..<3 {
                group.addTask {
                    var failures = 0
                    for pass in 0..<40 {
                        let q = (reader * 7 + pass) % queries.count
                        let found = index.nearest(to: queries[q], limit: 10)
                        if found.map(\.id) != expected[q].map(\.id) || found.map(\.distance) != expected[q].map(\.distance) {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
        #expect(index.count == stable.count)
        for (q, query) in queries.enumerated() { Self.expectSame(index.nearest(to: query, limit: 10), expected[q]) }
    }
}

/// SplitMix64 with uniform and Gaussian draws.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    /// Box-Muller.
    mutating func gaussian() -> Float {
        let u = max(unit(), 1e-300), v = unit()
        return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
    }
}
