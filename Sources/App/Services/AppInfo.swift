import Vapor

/// The version `/health` reports.
public enum FaceStreamVersion {
    public static let current = "0.1.0"
}

extension Application {
    private struct StartTimeKey: StorageKey {
        typealias Value = ContinuousClock.Instant
    }

    /// Set by `configure`; monotonic, so clock changes don't bend the uptime.
    var startTime: ContinuousClock.Instant {
        get { storage[StartTimeKey.self] ?? .now }
        set { storage[StartTimeKey.self] = newValue }
    }

    /// Whole seconds since `configure` ran.
    public var uptimeSeconds: Int {
        Int((ContinuousClock.now - startTime).components.seconds)
    }
}
