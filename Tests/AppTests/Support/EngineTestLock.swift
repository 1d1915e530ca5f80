/// Tests that keep the face engine busy take turns, across suites (Swift Testing runs suites in
/// parallel, and on a 2-core machine two engine-heavy tests at once starve each other — and any
/// timing-sensitive stream test beside them). Take it outside `withApp`, so it is always acquired
/// before `SharedDatabaseLock`.
enum EngineTestLock {
    static let shared = AsyncFIFOLock()

    /// Runs `body` holding the lock.
    static func exclusively<T>(_ body: () async throws -> T) async throws -> T {
        try await shared.exclusively(body)
    }
}
