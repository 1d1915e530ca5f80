import CFaceKernels

/// A growable array of plain values in memory from `fk_aligned_alloc`: 64-byte aligned, and from
/// 2 MiB on 2 MiB aligned and advised as transparent huge pages, because a scan over a million rows
/// streams 128 MiB and 4 KiB pages make that TLB- and prefetch-bound (see aligned_memory.c).
///
/// Noncopyable, so exactly one owner frees the memory, once, with the size it was allocated with;
/// a copy that shared the pointer could neither free it nor grow it safely. Not synchronised: the
/// owner (an `EmbeddingIndex`, under its lock) serialises changes against reads.
struct HugePageBuffer<Element: BitwiseCopyable>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>?
    private(set) var count = 0
    private(set) var capacity = 0
    /// What `base` was allocated with, as fk_aligned_free needs it back.
    private var allocatedBytes = 0

    init() {}

    deinit { fk_aligned_free(base, allocatedBytes) }

    /// The first element; nil while nothing was ever allocated.
    var baseAddress: UnsafePointer<Element>? { base.map { UnsafePointer($0) } }

    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "HugePageBuffer index out of range")
            return base![index]
        }
        set {
            precondition(index >= 0 && index < count, "HugePageBuffer index out of range")
            base![index] = newValue
        }
    }

    /// Room for at least `minimumCapacity` elements; keeps the contents.
    mutating func reserveCapacity(_ minimumCapacity: Int) {
        guard minimumCapacity > capacity else { return }
        let stride = MemoryLayout<Element>.stride
        // Whatever fk_aligned_alloc rounds up to (whole huge pages from 2 MiB on) is capacity too.
        let bytes = fk_aligned_size(minimumCapacity * stride)
        guard let raw = fk_aligned_alloc(bytes) else { fatalError("out of memory for \(bytes) bytes of rows") }
        let grown = raw.bindMemory(to: Element.self, capacity: bytes / stride)
        if let base, count > 0 { grown.initialize(from: base, count: count) }
        fk_aligned_free(base, allocatedBytes)
        base = grown
        allocatedBytes = bytes
        capacity = bytes / stride
    }

    mutating func append(_ element: Element) {
        growIfNeeded(for: 1)
        (base! + count).initialize(to: element)
        count += 1
    }

    mutating func append(contentsOf elements: [Element]) {
        guard !elements.isEmpty else { return }
        growIfNeeded(for: elements.count)
        elements.withUnsafeBufferPointer { (base! + count).update(from: $0.baseAddress!, count: $0.count) }
        count += elements.count
    }

    /// Overwrites `elements.count` elements from `start` (all within `count`).
    mutating func replace(from start: Int, with elements: [Element]) {
        precondition(start >= 0 && start + elements.count <= count, "HugePageBuffer range out of bounds")
        guard !elements.isEmpty else { return }
        elements.withUnsafeBufferPointer { (base! + start).update(from: $0.baseAddress!, count: $0.count) }
    }

    /// Copies `length` elements from `source` to `destination` (both ranges within `count`).
    mutating func copy(from source: Int, to destination: Int, length: Int) {
        precondition(source >= 0 && destination >= 0 && length >= 0
            && source + length <= count && destination + length <= count, "HugePageBuffer range out of bounds")
        guard length > 0, source != destination else { return }
        (base! + destination).update(from: base! + source, count: length)
    }

    /// Drops the last `n` elements (the memory stays reserved).
    mutating func removeLast(_ n: Int = 1) {
        precondition(n >= 0 && n <= count, "HugePageBuffer has fewer than \(n) elements")
        count -= n
    }

    /// `count` elements from `start`, copied out.
    func elements(from start: Int, count length: Int) -> [Element] {
        precondition(start >= 0 && length >= 0 && start + length <= count, "HugePageBuffer range out of bounds")
        guard length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: base! + start, count: length))
    }

    /// Doubling growth: amortised O(1) appends, one copy of the contents per doubling.
    private mutating func growIfNeeded(for extra: Int) {
        let needed = count + extra
        if needed > capacity { reserveCapacity(max(needed, capacity * 2, 64)) }
    }
}

// Sendable: the buffer owns its memory alone (noncopyable), so sending it moves that ownership; it
// holds plain values (BitwiseCopyable) and no references.
extension HugePageBuffer: @unchecked Sendable {}
