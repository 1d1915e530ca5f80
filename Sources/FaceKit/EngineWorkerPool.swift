import Foundation

/// Dedicated threads, each owning one `DlibEngine`, fed from one bounded FIFO queue. dlib calls
/// block for milliseconds, so they never run on Swift's cooperative thread pool.
final class EngineWorkerPool: @unchecked Sendable {
    // @unchecked Sendable: all mutable state (`jobs`, `stopped`, `busy`) is guarded by `condition`.
    private typealias Job = (DlibEngine) -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var stopped = false
    private var busy = 0
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

    /// Jobs waiting (not yet running).
    var queueDepth: Int {
        condition.lock(); defer { condition.unlock() }
        return jobs.count - head
    }

    /// Jobs waiting or running.
    var load: Int {
        condition.lock(); defer { condition.unlock() }
        return jobs.count - head + busy
    }

    /// Runs `body` on an engine thread. Throws `engine_overloaded` when the queue is full.
    func run<T: Sendable>(_ body: @escaping @Sendable (DlibEngine) throws(FaceKitError) -> T) async throws(FaceKitError) -> T {
        let result: Result<T, FaceKitError> = await withCheckedContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopped, jobs.count - head < capacity else {
                continuation.resume(returning: .failure(FaceKitError(.overloaded, "the face engine queue is full (\(capacity) jobs)")))
                return
            }
            jobs.append { engine in
                do throws(FaceKitError) {
                    continuation.resume(returning: .success(try body(engine)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
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
        while true {
            condition.lock()
            while head == jobs.count && !stopped { condition.wait() }
            if head == jobs.count && stopped {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 64 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            busy += 1
            condition.unlock()
            job(engine)
            condition.lock()
            busy -= 1
            condition.unlock()
        }
    }
}

/// Moves a `DlibEngine` into the one thread that will own it.
private struct EngineOwnership: @unchecked Sendable {
    // @unchecked Sendable: the engine is handed over once and only ever used by that thread.
    let engine: DlibEngine
}
