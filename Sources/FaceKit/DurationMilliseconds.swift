extension Duration {
    /// The duration in milliseconds, fractions kept (timings, latencies).
    public var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    /// The duration in seconds, fractions kept.
    public var inSeconds: Double { inMilliseconds / 1000 }
}

extension ContinuousClock.Instant {
    /// Milliseconds from this instant until now.
    public var millisecondsElapsed: Double { (ContinuousClock.now - self).inMilliseconds }
}
