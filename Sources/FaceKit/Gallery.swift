import Foundation

/// Every enrolled embedding in memory, in an `EmbeddingIndex` (int8 scan, exact Float32 re-rank)
/// keyed by embedding id, with each embedding's person. Readers share a lock; enrolment and
/// deletion take it alone.
public final class Gallery: @unchecked Sendable {
    // @unchecked Sendable: `personOfEmbedding` is only touched while holding `lock` (shared for
    // searches, exclusive for changes), and `index` (itself thread-safe) only changes under the
    // exclusive lock, so a search sees the two in step.
    private let lock = ReadWriteLock()
    private let index = EmbeddingIndex()
    private var personOfEmbedding: [Int: Int] = [:]

    public init() {}

    /// The best match of one person.
    public struct Match: Sendable, Equatable {
        public let personID: Int
        public let embeddingID: Int
        public let distance: Float

        public init(personID: Int, embeddingID: Int, distance: Float) {
            self.personID = personID
            self.embeddingID = embeddingID
            self.distance = distance
        }
    }

    public var count: Int { lock.reading { personOfEmbedding.count } }
    public var personCount: Int { lock.reading { Set(personOfEmbedding.values).count } }

    /// Replaces the whole content (start-up load).
    public func replaceAll(_ entries: [(embeddingID: Int, personID: Int, embedding: Embedding)]) {
        lock.writing {
            index.removeAll()
            index.upsert(entries.map { (id: $0.embeddingID, embedding: $0.embedding) })
            personOfEmbedding = Dictionary(entries.map { ($0.embeddingID, $0.personID) }, uniquingKeysWith: { $1 })
        }
    }

    public func add(embeddingID: Int, personID: Int, embedding: Embedding) {
        lock.writing {
            index.upsert(id: embeddingID, embedding: embedding)
            personOfEmbedding[embeddingID] = personID
        }
    }

    public func remove(embeddingID: Int) {
        lock.writing {
            index.remove(id: embeddingID)
            personOfEmbedding[embeddingID] = nil
        }
    }

    /// Removes every embedding of a person (deleted or deactivated).
    public func removePerson(_ personID: Int) {
        lock.writing {
            let doomed = personOfEmbedding.compactMap { $0.value == personID ? $0.key : nil }
            index.remove(ids: doomed)
            for id in doomed { personOfEmbedding[id] = nil }
        }
    }

    /// The `topK` nearest people (each person's nearest embedding), nearest first.
    public func search(_ query: Embedding, topK: Int = 3) -> [Match] {
        guard topK > 0 else { return [] }
        return lock.reading {
            var best = TopMatches(capacity: topK, personOfEmbedding: personOfEmbedding)
            index.scan(query, into: &best)
            return best.matches
        }
    }
}
