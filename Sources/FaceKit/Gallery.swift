import Foundation

/// Every enrolled embedding in memory, as one contiguous Float32 matrix (128 floats a row),
/// searched exhaustively with SIMD. Readers share a lock; enrolment and deletion take it alone.
public final class Gallery: @unchecked Sendable {
    // @unchecked Sendable: `rows`, `embeddingIDs`, `personIDs` and `rowOfEmbedding` are only
    // touched while holding `lock` (shared for searches, exclusive for changes).
    private let lock = ReadWriteLock()
    private var rows: [Float] = []
    private var embeddingIDs: [Int] = []
    private var personIDs: [Int] = []
    private var rowOfEmbedding: [Int: Int] = [:]

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

    public var count: Int { lock.reading { embeddingIDs.count } }
    public var personCount: Int { lock.reading { Set(personIDs).count } }

    /// Replaces the whole content (start-up load).
    public func replaceAll(_ entries: [(embeddingID: Int, personID: Int, embedding: Embedding)]) {
        lock.writing {
            rows = []
            rows.reserveCapacity(entries.count * Embedding.dimensions)
            embeddingIDs = []
            personIDs = []
            rowOfEmbedding = [:]
            for entry in entries { appendRow(entry.embeddingID, entry.personID, entry.embedding) }
        }
    }

    public func add(embeddingID: Int, personID: Int, embedding: Embedding) {
        lock.writing {
            if rowOfEmbedding[embeddingID] != nil { removeRow(embeddingID) }
            appendRow(embeddingID, personID, embedding)
        }
    }

    public func remove(embeddingID: Int) {
        lock.writing { removeRow(embeddingID) }
    }

    /// Removes every embedding of a person (deleted or deactivated).
    public func removePerson(_ personID: Int) {
        lock.writing {
            let doomed = zip(embeddingIDs, personIDs).filter { $0.1 == personID }.map(\.0)
            for id in doomed { removeRow(id) }
        }
    }

    /// The `topK` nearest people (each person's nearest embedding), nearest first.
    public func search(_ query: Embedding, topK: Int = 3) -> [Match] {
        guard topK > 0 else { return [] }
        return lock.reading {
            var best = TopMatches(capacity: topK)
            rows.withUnsafeBufferPointer { matrix in
                query.values.withUnsafeBufferPointer { probe in
                    // Blocks of 256 rows: the kernel fills a small buffer (L1-resident), then the
                    // rare candidates go through the top-k list.
                    let block = 256
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { distances in
                        var start = 0
                        let total = embeddingIDs.count
                        while start < total {
                            let n = min(block, total - start)
                            squaredDistances(matrix.baseAddress! + start * Embedding.dimensions, count: n,
                                             query: probe.baseAddress!, into: distances.baseAddress!)
                            for i in 0..<n where distances[i] < best.worstSquared {
                                best.offer(personID: personIDs[start + i], embeddingID: embeddingIDs[start + i], squared: distances[i])
                            }
                            start += n
                        }
                    }
                }
            }
            return best.matches
        }
    }

    private func appendRow(_ embeddingID: Int, _ personID: Int, _ embedding: Embedding) {
        rowOfEmbedding[embeddingID] = embeddingIDs.count
        rows.append(contentsOf: embedding.values)
        embeddingIDs.append(embeddingID)
        personIDs.append(personID)
    }

    /// Swap-remove: the last row moves into the hole.
    private func removeRow(_ embeddingID: Int) {
        guard let row = rowOfEmbedding.removeValue(forKey: embeddingID) else { return }
        let last = embeddingIDs.count - 1
        if row != last {
            let d = Embedding.dimensions
            for i in 0..<d { rows[row * d + i] = rows[last * d + i] }
            embeddingIDs[row] = embeddingIDs[last]
            personIDs[row] = personIDs[last]
            rowOfEmbedding[embeddingIDs[row]] = row
        }
        rows.removeLast(Embedding.dimensions)
        embeddingIDs.removeLast()
        personIDs.removeLast()
    }
}
