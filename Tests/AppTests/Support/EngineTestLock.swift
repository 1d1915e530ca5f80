/// Tests that keep the face engine busy take turns, across suites (Swift Testing runs suites in
/// parallel, and on a 2-core machine two engine-heavy tests at once starve each other — and any
/// timing-sensitive stream test beside them). Take it outside `withApp`, so it is always acquired
/// before `SharedDatabaseLock`.
actor EngineTestLock {
    static let shared = EngineTestLock()

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

    /// Runs `body` holding the lock.
    static func exclusively<T>(_ body: () async throws -> T) async throws -> T {
        await shared.lock()
        do {
            let result = try await body()
            await shared.unlock()
            return result
        } catch {
            await shared.unlock()
            throw error
        }
    }
}
