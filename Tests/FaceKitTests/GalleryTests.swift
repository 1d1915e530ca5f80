import FaceKit
import Testing

@Suite("Gallery search")
struct GalleryTests {
    @Test("top-k best-per-person equals a brute-force search")
    func matchesBruteForce() {
        var random = RandomEmbeddings(seed: 7)
        let entries = (0..<3000).map { (embeddingID: $0, personID: $0 % 400, embedding: random.next()) }
        let gallery = Gallery()
        gallery.replaceAll(entries)
        #expect(gallery.count == 3000)
        #expect(gallery.personCount == 400)
        for _ in 0..<20 {
            let query = random.next()
            var best: [Int: Float] = [:]
            for entry in entries {
                let d = entry.embedding.distance(to: query)
                best[entry.personID] = min(best[entry.personID] ?? .infinity, d)
            }
            let expected = best.sorted { $0.value < $1.value }.prefix(5)
            let found = gallery.search(query, topK: 5)
            #expect(found.map(\.personID) == expected.map(\.key))
            for (match, truth) in zip(found, expected) { #expect(abs(match.distance - truth.value) < 1e-5) }
        }
    }

    @Test("adding, removing an embedding and removing a person change the answer at once")
    func updates() {
        var random = RandomEmbeddings(seed: 11)
        let gallery = Gallery()
        let alice = random.next(), bob = random.next()
        gallery.add(embeddingID: 1, personID: 10, embedding: alice)
        gallery.add(embeddingID: 2, personID: 20, embedding: bob)
        gallery.add(embeddingID: 3, personID: 10, embedding: random.near(alice, distance: 0.3))
        #expect(gallery.search(alice, topK: 1) == [Gallery.Match(personID: 10, embeddingID: 1, distance: 0)])
        gallery.remove(embeddingID: 1)
        let afterRemoval = gallery.search(alice, topK: 2)
        #expect(afterRemoval.map(\.embeddingID) == [3, 2])
        #expect(abs(afterRemoval[0].distance - 0.3) < 1e-4)
        gallery.removePerson(10)
        #expect(gallery.count == 1)
        #expect(gallery.search(alice, topK: 3).map(\.personID) == [20])
    }

    @Test("confidence falls with distance and crosses the default thresholds together")
    func confidence() {
        let distances = stride(from: 0.0, through: 1.2, by: 0.05).map { MatchConfidence.confidence(distance: $0) }
        #expect(zip(distances, distances.dropFirst()).allSatisfy { $0 > $1 })
        #expect(MatchConfidence.confidence(distance: 0.6) >= 0.85)
        #expect(MatchConfidence.confidence(distance: 0.62) < 0.85)
        #expect(abs(MatchConfidence.confidence(distance: 0.66) - 0.5) < 1e-9)
    }
}
