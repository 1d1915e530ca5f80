import NIOConcurrencyHelpers

/// One long-running task owned by a lifecycle handler: started at boot, cancelled and awaited at
/// shutdown so it never outlives the application (and its database pools).
final class BackgroundTask: Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func start(_ body: @escaping @Sendable () async -> Void) {
        task.withLockedValue { current in
            current?.cancel()
            current = Task { await body() }
        }
    }

    func stop() async {
        let running = task.withLockedValue { current in
            defer { current = nil }
            return current
        }
        running?.cancel()
        await running?.value
    }
}
