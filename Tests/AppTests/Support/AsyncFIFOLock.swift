/// A lock for async tests that hands itself to waiters in arrival order, so nobody can barge in
/// between an unlock and the next waiter. Shared, named instances: `EngineTestLock`, `SharedDatabaseLock`.
actor AsyncFIFOLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Hands the lock straight to the next waiter.
    func unlock() {
        if waiters.isEmpty { held = false } else { waiters.removeFirst().resume() }
    }

    /// Runs `body` holding the lock (outside the actor: `body` runs where the caller does).
    nonisolated func exclusively<T>(_ body: () async throws -> T) async throws -> T {
        await lock()
        do {
            let result = try await body()
            await unlock()
            return result
        } catch {
            await unlock()
            throw error
        }
    }
}
