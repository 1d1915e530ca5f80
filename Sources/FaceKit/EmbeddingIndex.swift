import CFaceKernels

/// An exact in-memory nearest-neighbour index over 128-D embeddings (Euclidean distance), keyed by
/// an integer id: every row is scanned as int8 codes (a quarter of the Float32 bytes), and the
/// rows the int8 bound cannot exclude are re-ranked with exact Float32 distances (see
/// `QuantizedRows.scan`). Results equal an exhaustive Float32 search, ties broken by smaller id.
/// Many concurrent searches; changes are exclusive.
public final class EmbeddingIndex: @unchecked Sendable {
    // @unchecked Sendable: `rows`, `ids` and `rowOfID` are only touched while holding `lock`
    // (shared for reads and searches, exclusive for changes).
    private let lock = ReadWriteLock()
    private var rows = QuantizedRows()
    private var ids: [Int] = []
    private var rowOfID: [Int: Int] = [:]

    public init() {}

    public var count: Int { lock.reading { ids.count } }

    /// Bytes held per row, capacity slack aside: the scanned int8 codes with their scale, norm and
    /// residual, the exact Float32 row, the id and its id → row entry (a hash table at most 3/4 full).
    public static let bytesPerRow = QuantizedRows.bytesPerRow + MemoryLayout<Int>.size
        + MemoryLayout<(Int, Int)>.size * 4 / 3

    /// The scan kernel this CPU runs, for benchmark reports.
    public static var scanKernel: String { fk_int8_kernel_is_avx2() != 0 ? "int8 AVX2" : "int8 portable C" }

    /// Inserts, or replaces the embedding of an existing id.
    public func upsert(id: Int, embedding: Embedding) {
        lock.writing { upsertRow(id, embedding) }
    }

    public func upsert(_ entries: [(id: Int, embedding: Embedding)]) {
        lock.writing {
            rows.reserveCapacity(ids.count + entries.count)
            ids.reserveCapacity(ids.count + entries.count)
            for entry in entries { upsertRow(entry.id, entry.embedding) }
        }
    }

    @discardableResult
    public func remove(id: Int) -> Bool {
        lock.writing { removeRow(id) }
    }

    /// Removes several ids under one exclusive lock; returns how many were present.
    @discardableResult
    func remove(ids doomed: some Sequence<Int>) -> Int {
        lock.writing { doomed.reduce(0) { $0 + (removeRow($1) ? 1 : 0) } }
    }

    public func removeAll() {
        lock.writing {
            rows.removeAll()
            ids = []
            rowOfID = [:]
        }
    }

    public func contains(id: Int) -> Bool { lock.reading { rowOfID[id] != nil } }

    public func embedding(of id: Int) -> Embedding? {
        lock.reading { rowOfID[id].map { rows.embedding(row: $0) } }
    }

    /// Nearest first, at most `limit`, only `distance <= maxDistance`, only ids for which `filter` is true (nil: all).
    /// `filter` runs under the index's read lock (only for rows the int8 bound cannot exclude): it must not
    /// change this index.
    public func nearest(to query: Embedding, limit: Int, maxDistance: Float = .infinity,
                        where filter: (@Sendable (Int) -> Bool)? = nil) -> [(id: Int, distance: Float)] {
        guard limit > 0, maxDistance >= 0 else { return [] }
        var best = NearestIDs(limit: limit, maxDistance: maxDistance, filter: filter)
        scan(query, into: &best)
        return best.sorted
    }

    /// A search with a caller's result set (`nearest`'s top-k, the gallery's best-per-person).
    func scan<C: IDCollector>(_ query: Embedding, into collector: inout C) {
        lock.reading {
            ids.withUnsafeBufferPointer { ids in
                var byRow = ByRow(ids: ids, base: collector)
                rows.scan(query, into: &byRow)
                collector = byRow.base
            }
        }
    }

    private func upsertRow(_ id: Int, _ embedding: Embedding) {
        if let row = rowOfID[id] {
            rows.replace(row: row, with: embedding)
            return
        }
        rowOfID[id] = ids.count
        rows.append(embedding)
        ids.append(id)
    }

    /// Swap-remove: the last row moves into the hole.
    private func removeRow(_ id: Int) -> Bool {
        guard let row = rowOfID.removeValue(forKey: id) else { return false }
        rows.remove(row: row)
        let last = ids.removeLast()
        if row < ids.count {
            ids[row] = last
            rowOfID[last] = row
        }
        return true
    }
}

/// `RowCollector` in terms of ids (see there).
protocol IDCollector {
    var bound: Float { get }
    func admits(id: Int) -> Bool
    mutating func offer(id: Int, squared: Float)
}

private struct ByRow<Base: IDCollector>: RowCollector {
    let ids: UnsafeBufferPointer<Int>
    var base: Base

    var bound: Float { base.bound }
    func admits(row: Int) -> Bool { base.admits(id: ids[row]) }
    mutating func offer(row: Int, squared: Float) { base.offer(id: ids[row], squared: squared) }
}

/// The `limit` nearest admitted ids within `maxDistance`: a max-heap on (distance, id), so the
/// worst kept id is at the root and an id tying with it on distance wins by being smaller.
private struct NearestIDs: IDCollector {
    let limit: Int
    let maxDistance: Float
    let filter: (@Sendable (Int) -> Bool)?
    private var heap: [(id: Int, distance: Float)] = []

    init(limit: Int, maxDistance: Float, filter: (@Sendable (Int) -> Bool)?) {
        self.limit = limit
        self.maxDistance = maxDistance
        self.filter = filter
        heap.reserveCapacity(min(limit, 1024))
    }

    var bound: Float { heap.count < limit ? maxDistance : heap[0].distance }

    func admits(id: Int) -> Bool { filter?(id) ?? true }

    mutating func offer(id: Int, squared: Float) {
        let item = (id: id, distance: squared.squareRoot())
        guard item.distance <= maxDistance else { return }
        if heap.count < limit {
            heap.append(item)
            siftUp(heap.count - 1)
        } else if Self.before(item, heap[0]) {
            heap[0] = item
            siftDown(0)
        }
    }

    var sorted: [(id: Int, distance: Float)] { heap.sorted(by: Self.before) }

    private static func before(_ a: (id: Int, distance: Float), _ b: (id: Int, distance: Float)) -> Bool {
        a.distance < b.distance || (a.distance == b.distance && a.id < b.id)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[parent], heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var largest = parent
            if left < heap.count, Self.before(heap[largest], heap[left]) { largest = left }
            if right < heap.count, Self.before(heap[largest], heap[right]) { largest = right }
            guard largest != parent else { return }
            heap.swapAt(parent, largest)
            parent = largest
        }
    }
}
