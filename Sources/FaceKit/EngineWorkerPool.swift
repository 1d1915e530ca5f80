import CDlibFace
import Foundation

/// Dedicated threads, each owning one `DlibEngine`, in two lanes with bounded FIFO queues. dlib
/// calls block for milliseconds, so they never run on Swift's cooperative thread pool.
///
/// The urgent lane (one thread per core) serves frames and requests. The background lane serves
/// full-frame discovery scans of streams (~100 ms each) on its own threads at a lower CPU
/// priority (nice 10), so the scans use idle CPU and never delay a frame.
final class EngineWorkerPool: Sendable {
    private let urgent: EngineLane
    private let background: EngineLane?

    init(urgentEngines: [DlibEngine], backgroundEngines: [DlibEngine], capacity: Int) {
        urgent = EngineLane(name: "facekit-engine", engines: urgentEngines, capacity: capacity, nice: 0)
        background = backgroundEngines.isEmpty ? nil
            : EngineLane(name: "facekit-discovery", engines: backgroundEngines, capacity: capacity, nice: 10)
    }

    var threadCount: Int { urgent.threadCount }
    /// Jobs waiting (not yet running), both lanes.
    var queueDepth: Int { urgent.queueDepth + (background?.queueDepth ?? 0) }
    /// Jobs waiting or running, both lanes.
    var load: Int { urgent.load + (background?.load ?? 0) }

    /// Runs `body` on an engine thread of the chosen lane (background jobs fall back to the
    /// urgent lane when there is no background thread). Throws `engine_overloaded` when full.
    func run<T: Sendable>(background isBackground: Bool = false,
                          _ body: @escaping @Sendable (DlibEngine) throws(FaceKitError) -> T) async throws(FaceKitError) -> T {
        let lane = isBackground ? background ?? urgent : urgent
        return try await lane.run(body)
    }

    func shutdown() {
        urgent.shutdown()
        background?.shutdown()
    }
}

/// One queue and the threads that serve it.
final class EngineLane: @unchecked Sendable {
    // @unchecked Sendable: `queue`, `stopped` and `busy` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var queue = JobQueue()
    private var stopped = false
    private var busy = 0
    let capacity: Int
    let threadCount: Int

    init(name: String, engines: [DlibEngine], capacity: Int, nice: Int32) {
        self.capacity = capacity
        threadCount = engines.count
        for (index, engine) in engines.enumerated() {
            let owned = EngineOwnership(engine: engine)
            // The thread holds the lane strongly until `shutdown()`; engines live as long as their thread.
            let thread = Thread {
                if nice != 0 { dlibface_set_thread_nice(nice) }
                self.work(owned.engine)
            }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    var queueDepth: Int {
        condition.lock(); defer { condition.unlock() }
        return queue.count
    }

    var load: Int {
        condition.lock(); defer { condition.unlock() }
        return queue.count + busy
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (DlibEngine) throws(FaceKitError) -> T) async throws(FaceKitError) -> T {
        let result: Result<T, FaceKitError> = await withCheckedContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopped, queue.count < capacity else {
                continuation.resume(returning: .failure(FaceKitError(.overloaded, "the face engine queue is full (\(capacity) jobs)")))
                return
            }
            queue.append { engine in
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
        condition.lock()
        while true {
            if let job = queue.popFirst() {
                busy += 1
                condition.unlock()
                job(engine)
                condition.lock()
                busy -= 1
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
