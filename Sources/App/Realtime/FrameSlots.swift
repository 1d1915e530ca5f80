import NIOConcurrencyHelpers

/// How many stream frames may be in the face engine at once, across all connections. A frame that
/// finds no free slot is dropped (`throttled`, `engine_busy`) instead of queued: under overload the
/// answered frames stay fast and the rest are refused at once, never answered late.
final class FrameSlots: Sendable {
    let limit: Int
    private let used = NIOLockedValueBox(0)

    init(limit: Int) { self.limit = max(1, limit) }

    /// Frames in the engine now (each holder counts itself).
    var inUse: Int { used.withLockedValue { $0 } }

    func tryAcquire() -> Bool {
        used.withLockedValue { used in
            guard used < limit else { return false }
            used += 1
            return true
        }
    }

    func release() { used.withLockedValue { $0 -= 1 } }
}
