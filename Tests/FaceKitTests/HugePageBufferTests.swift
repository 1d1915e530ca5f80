import CFaceKernels
@testable import FaceKit
import Testing

@Suite("Huge-page row buffers")
struct HugePageBufferTests {
    static func address(_ buffer: borrowing HugePageBuffer<Float>) -> UInt {
        UInt(bitPattern: buffer.baseAddress)
    }

    @Test("growth past 2 MiB keeps every element, and the large buffer is 2 MiB aligned")
    func growth() {
        var buffer = HugePageBuffer<Float>()
        #expect(buffer.baseAddress == nil)
        #expect(buffer.count == 0)
        buffer.append(1)
        // A small buffer: heap memory, cache-line aligned, not a 2 MiB page.
        #expect(Self.address(buffer) % 64 == 0)
        #expect(buffer.capacity * 4 < 2 << 20)
        // 1.5M floats (6 MiB), appended in uneven pieces so growth happens mid-piece.
        var expected: [Float] = [1]
        var next: Float = 2
        while expected.count < 1_500_000 {
            let piece = (0..<(expected.count % 977 + 1)).map { i in next + Float(i) }
            next += Float(piece.count)
            buffer.append(contentsOf: piece)
            expected += piece
        }
        #expect(buffer.count == expected.count)
        #expect(buffer.capacity >= buffer.count)
        #expect(Self.address(buffer) % UInt(2 << 20) == 0)
        // Capacity fills the whole huge pages the allocation spans.
        #expect((buffer.capacity * 4) % (2 << 20) == 0)
        #expect(buffer.elements(from: 0, count: buffer.count) == expected)
        buffer.reserveCapacity(buffer.capacity + 1)
        #expect(Self.address(buffer) % UInt(2 << 20) == 0)
        #expect(buffer.elements(from: 0, count: buffer.count) == expected)
    }

    @Test("replace, copy, subscript and removeLast change exactly the named elements")
    func edits() {
        var buffer = HugePageBuffer<Int8>()
        let values = (0..<3_000_000).map { Int8(truncatingIfNeeded: $0 * 7) }
        buffer.append(contentsOf: values)
        var expected = values
        buffer.replace(from: 2_999_872, with: [Int8](repeating: -5, count: 128))
        for i in 2_999_872..<3_000_000 { expected[i] = -5 }
        buffer.copy(from: 128, to: 2_097_100, length: 128) // across the first 2 MiB boundary
        for i in 0..<128 { expected[2_097_100 + i] = expected[128 + i] }
        buffer[5] = 99
        expected[5] = 99
        buffer.removeLast(1000)
        expected.removeLast(1000)
        #expect(buffer[5] == 99)
        #expect(buffer.count == expected.count)
        #expect(buffer.elements(from: 0, count: buffer.count) == expected)
        buffer.append(contentsOf: [1, 2, 3])
        #expect(buffer.elements(from: expected.count, count: 3) == [1, 2, 3])
    }

    @Test("an index grown past 2 MiB per column, then thinned by removals, keeps every embedding")
    func indexContents() {
        // 20,000 rows: 2.4 MiB of codes, 9.8 MiB of exact rows: both columns on huge pages.
        var random = RandomEmbeddings(seed: 71)
        let embeddings = (0..<20_000).map { _ in random.next() }
        let index = EmbeddingIndex()
        for (id, e) in embeddings.enumerated().prefix(5000) { index.upsert(id: id, embedding: e) } // one at a time
        index.upsert(embeddings.enumerated().dropFirst(5000).map { (id: $0.offset, embedding: $0.element) })
        // Swap-removals from the front, the middle and the end, and replacements.
        var live = Dictionary(uniqueKeysWithValues: embeddings.enumerated().map { ($0.offset, $0.element) })
        for id in stride(from: 0, to: 20_000, by: 3) {
            #expect(index.remove(id: id))
            live[id] = nil
        }
        for id in stride(from: 1, to: 20_000, by: 301) where id % 3 != 0 {
            let replacement = random.next()
            index.upsert(id: id, embedding: replacement)
            live[id] = replacement
        }
        #expect(index.count == live.count)
        for (id, embedding) in live { #expect(index.embedding(of: id) == embedding) }
        for id in stride(from: 0, to: 20_000, by: 3) { #expect(index.embedding(of: id) == nil) }
        // Every live row is found as its own nearest neighbour, at distance 0.
        for (id, embedding) in live.prefix(200) {
            let found = index.nearest(to: embedding, limit: 1)
            #expect(found.map(\.id) == [id])
            #expect(found.first?.distance == 0)
        }
    }
}
