import Foundation

/// Every enrolled embedding in memory, in an `EmbeddingIndex` (int8 scan, exact Float32 re-rank)
/// keyed by embedding id, with each embedding's person. Readers share a lock; enrolment and
/// deletion take it alone.
public final class Gallery: @unchecked Sendable {
    // @unchecked Sendable: `personOfEmbedding` and `embeddingsOfPerson` are only touched while
    // holding `lock` (shared for searches, exclusive for changes), and `index` (itself thread-safe)
    // only changes under the exclusive lock, so a search sees them in step.
    private let lock = ReadWriteLock()
    private let index = EmbeddingIndex()
    private var personOfEmbedding: [Int: Int] = [:]
    /// The inverse of `personOfEmbedding`: a person's changes (removal, replacement) cost their own
    /// embeddings, not a walk over the whole gallery.
    private var embeddingsOfPerson: [Int: Set<Int>] = [:]

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
    public var personCount: Int { lock.reading { embeddingsOfPerson.count } }

    /// Replaces the whole content (start-up load).
    public func replaceAll(_ entries: [(embeddingID: Int, personID: Int, embedding: Embedding)]) {
        lock.writing {
            index.removeAll()
            index.upsert(entries.map { (id: $0.embeddingID, embedding: $0.embedding) })
            personOfEmbedding = Dictionary(entries.map { ($0.embeddingID, $0.personID) }, uniquingKeysWith: { $1 })
            embeddingsOfPerson = [:]
            for (embeddingID, personID) in personOfEmbedding { embeddingsOfPerson[personID, default: []].insert(embeddingID) }
        }
    }

    public func add(embeddingID: Int, personID: Int, embedding: Embedding) {
        lock.writing {
            index.upsert(id: embeddingID, embedding: embedding)
            assign(embeddingID, to: personID)
        }
    }

    public func remove(embeddingID: Int) {
        lock.writing {
            index.remove(id: embeddingID)
            assign(embeddingID, to: nil)
        }
    }

    /// Removes every embedding of a person (deleted or deactivated).
    public func removePerson(_ personID: Int) {
        lock.writing { dropPerson(personID) }
    }

    /// Makes `entries` the person's whole content in one step (what another node's change to them
    /// left in the database): a search sees the old embeddings or the new ones, never neither.
    /// An embedding that belonged to someone else (merged) changes hands.
    public func replacePerson(_ personID: Int, with entries: [(embeddingID: Int, embedding: Embedding)]) {
        lock.writing {
            dropPerson(personID)
            index.upsert(entries.map { (id: $0.embeddingID, embedding: $0.embedding) })
            for entry in entries { assign(entry.embeddingID, to: personID) }
        }
    }

    /// The embedding ids the gallery holds for a person.
    public func embeddingIDs(of personID: Int) -> Set<Int> {
        lock.reading { embeddingsOfPerson[personID] ?? [] }
    }

    /// Call holding the exclusive lock.
    private func dropPerson(_ personID: Int) {
        guard let doomed = embeddingsOfPerson.removeValue(forKey: personID) else { return }
        index.remove(ids: doomed)
        for id in doomed { personOfEmbedding[id] = nil }
    }

    /// Moves one embedding to `personID` (nil: out of the gallery) in both maps. Call holding the exclusive lock.
    private func assign(_ embeddingID: Int, to personID: Int?) {
        if let previous = personOfEmbedding[embeddingID] {
            embeddingsOfPerson[previous]?.remove(embeddingID)
            if embeddingsOfPerson[previous]?.isEmpty == true { embeddingsOfPerson[previous] = nil }
        }
        personOfEmbedding[embeddingID] = personID
        if let personID { embeddingsOfPerson[personID, default: []].insert(embeddingID) }
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
