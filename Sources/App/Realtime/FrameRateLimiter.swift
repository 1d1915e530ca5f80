/// At most `rate` frames per second in the long run, with a burst of `burst` frames: a token
/// bucket holding two frames. A client sending at exactly the rate whose frames bunch up (network
/// jitter, a moment behind then catching up) is not throttled; one sending faster is, at once.
struct FrameRateLimiter {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: Double?

    init(rate: Double, burst: Double = 2) {
        self.rate = rate
        self.burst = burst
        tokens = burst
    }

    /// `now` in seconds (monotonic).
    mutating func admit(at now: Double) -> Bool {
        if let last { tokens = min(burst, tokens + max(0, now - last) * rate) }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
