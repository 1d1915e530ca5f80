import CDlibFace
import Foundation

/// Dedicated threads, each owning one `DlibEngine`, serving one bounded FIFO queue. dlib and
/// OpenCV calls block for milliseconds, so they never run on Swift's cooperative thread pool.
final class EngineWorkerPool: @unchecked Sendable {
    // @unchecked Sendable: `queue`, `continuations` and `stopped` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var queue = JobQueue()
    /// Jobs that continue work already started (a stream frame's embeddings after its detection):
    /// served before `queue`, so a frame once begun finishes instead of queueing twice.
    private var continuations = JobQueue()
    private var stopped = false
    let capacity: Int
    let threadCount: Int

    init(engines: [DlibEngine], capacity: Int) {
        self.capacity = capacity
        threadCount = engines.count
        for (index, engine) in engines.enumerated() {
            let owned = EngineOwnership(engine: engine)
            // The thread holds the pool strongly until `shutdown()`; engines live as long as their thread.
            let thread = Thread { self.work(owned.engine) }
            thread.name = "facekit-engine-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Whether a job may borrow an idle engine thread's core while it runs alone (the shim's
    /// spare-core helper, which steps back as soon as a second job starts). False with one engine
    /// thread: the helper would take a core the server was not given.
    var hasSpareCore: Bool { threadCount >= 2 }

    /// Jobs waiting (not yet running).
    var queueDepth: Int {
        condition.lock(); defer { condition.unlock() }
        return queue.count + continuations.count
    }

    /// Runs `body` on an engine thread; `continuing` jobs go ahead of the others. Throws
    /// `engine_overloaded` when the queue is full.
    func run<T: Sendable>(continuing: Bool = false,
                          _ body: @escaping @Sendable (DlibEngine) throws(FaceKitError) -> T) async throws(FaceKitError) -> T {
        let result: Result<T, FaceKitError> = await withCheckedContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopped, queue.count + continuations.count < capacity else {
                continuation.resume(returning: .failure(FaceKitError(.overloaded, "the face engine queue is full (\(capacity) jobs)")))
                return
            }
            let job: (DlibEngine) -> Void = { engine in
                do throws(FaceKitError) {
                    continuation.resume(returning: .success(try body(engine)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if continuing { continuations.append(job) } else { queue.append(job) }
            condition.signal()
        }
        return try result.get()
    }

    func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work(_ engine: DlibEngine) {
        condition.lock()
        while true {
            if let job = continuations.popFirst() ?? queue.popFirst() {
                condition.unlock()
                dlibface_job_started()
                job(engine)
                dlibface_job_ended()
                condition.lock()
            } else if stopped {
                condition.unlock()
                return
            } else {
                condition.wait()
            }
        }
    }
}

/// A FIFO of jobs that does not shift the array on every pop.
private struct JobQueue {
    private var items: [(DlibEngine) -> Void] = []
    private var head = 0

    var count: Int { items.count - head }

    mutating func append(_ job: @escaping (DlibEngine) -> Void) { items.append(job) }

    mutating func popFirst() -> ((DlibEngine) -> Void)? {
        guard head < items.count else { return nil }
        let job = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return job
    }
}

/// Moves a `DlibEngine` into the one thread that will own it.
private struct EngineOwnership: @unchecked Sendable {
    // @unchecked Sendable: the engine is handed over once and only ever used by that thread.
    let engine: DlibEngine
}
