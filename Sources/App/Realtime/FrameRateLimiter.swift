/// At most `rate` frames per second on average. A token bucket holding one frame, which lets a
/// frame through when the bucket is at least 80 % full: a client sending exactly at the rate with
/// network jitter is not throttled, while the long-run rate still cannot exceed `rate`.
struct FrameRateLimiter {
    let rate: Double
    private var tokens: Double = 1
    private var last: Double?

    init(rate: Double) { self.rate = rate }

    /// `now` in seconds (monotonic).
    mutating func admit(at now: Double) -> Bool {
        if let last { tokens = min(1, tokens + (now - last) * rate) }
        last = now
        guard tokens >= 0.8 else { return false }
        tokens -= 1
        return true
    }
}
