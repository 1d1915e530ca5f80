import Foundation
import NIOCore
import Vapor

/// One webhook's queue and delivery loop. Events go out one at a time, in order; a failed event
/// stays at the head and is retried with exponential back-off. The queue is bounded: past
/// `capacity` the oldest event is dropped (and counted), so a dead endpoint costs bounded memory
/// and never slows the streams, whose only contact is `enqueue` (O(1), no I/O).
actor WebhookDelivery {
    struct Pending: Sendable {
        let eventID: String
        let body: Data
    }

    /// Seconds before the first retry, doubled after each further failure up to `maximum`.
    struct Backoff: Sendable {
        var initial = 0.5
        var maximum = 30.0
    }

    let endpoint: WebhookConfiguration.Endpoint
    private let sender: WebhookSender
    private let capacity: Int
    private let backoff: Backoff
    private let metrics: FaceStreamMetrics?
    private let logger: Logger
    private var queue = CircularBuffer<Pending>()
    private var loop: Task<Void, Never>?
    private var ring: AsyncStream<Void>.Continuation?
    private var failureStreak = 0
    private var droppedSinceDelivery = 0
    private(set) var delivered = 0
    private(set) var failedAttempts = 0
    private(set) var dropped = 0

    init(sender: WebhookSender, capacity: Int, backoff: Backoff = Backoff(), metrics: FaceStreamMetrics?, logger: Logger) {
        self.endpoint = sender.endpoint
        self.sender = sender
        self.capacity = capacity
        self.backoff = backoff
        self.metrics = metrics
        self.logger = logger
    }

    var pendingCount: Int { queue.count }

    func enqueue(_ event: Pending) {
        if queue.count >= capacity {
            queue.removeFirst()
            dropped += 1
            metrics?.recordWebhook(.dropped, webhook: endpoint.index)
            if droppedSinceDelivery == 0 {
                logger.warning("\(endpoint.displayName): queue full (\(capacity) events); dropping the oldest until deliveries succeed again")
            }
            droppedSinceDelivery += 1
        }
        queue.append(event)
        ring?.yield()
    }

    func start() {
        guard loop == nil else { return }
        let (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.ring = ring
        if !queue.isEmpty { ring.yield() }
        loop = Task { [weak self] in await self?.run(doorbell) }
    }

    /// Lets the loop deliver what is queued for at most `grace`, then cancels it (an attempt in
    /// flight is abandoned). Events still queued are logged and stay in memory.
    func stop(grace: Duration = .seconds(2)) async {
        guard let loop else { return }
        self.loop = nil
        ring?.finish()  // the loop ends once the queue is empty
        ring = nil
        let timer = Task {
            try? await Task.sleep(for: grace)
            loop.cancel()
        }
        await loop.value
        timer.cancel()
        if !queue.isEmpty {
            logger.warning("\(endpoint.displayName): events not delivered at shutdown: \(queue.count)")
        }
    }

    private func run(_ doorbell: AsyncStream<Void>) async {
        var delay = backoff.initial
        for await _ in doorbell {
            while !Task.isCancelled, let head = queue.first {
                switch await sender.send(eventID: head.eventID, body: head.body) {
                case .delivered:
                    // Unless the queue overflowed meanwhile and dropped this very event.
                    if queue.first?.eventID == head.eventID { queue.removeFirst() }
                    succeeded()
                    delay = backoff.initial
                case .failed(let reason):
                    failed(reason, retryIn: delay)
                    try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                    delay = min(backoff.maximum, delay * 2)
                }
            }
        }
    }

    private func succeeded() {
        delivered += 1
        metrics?.recordWebhook(.delivered, webhook: endpoint.index)
        if failureStreak > 0 {
            logger.notice("\(endpoint.displayName): delivering again after \(failureStreak) failed attempts")
        }
        failureStreak = 0
        droppedSinceDelivery = 0
    }

    private func failed(_ reason: String, retryIn delay: Double) {
        failedAttempts += 1
        metrics?.recordWebhook(.failed, webhook: endpoint.index)
        // One warning per outage; its retries, and an attempt cut off by shutdown, only at debug level.
        let level: Logger.Level = failureStreak == 0 && !Task.isCancelled ? .warning : .debug
        logger.log(level: level, "\(endpoint.displayName): delivery failed (\(reason)); events queued: \(queue.count), retrying in \(delay) s")
        failureStreak += 1
    }
}
