@testable import App
import AsyncHTTPClient
import Foundation
import Prometheus
import Testing
import Vapor

/// One webhook's queue and loop against real HTTP receivers on 127.0.0.1 (and ports where nothing
/// listens), with a short back-off so retries happen within the test.
@Suite("Webhook delivery", .serialized)
struct WebhookDeliveryTests {
    /// AsyncHTTPClient's process-wide client: needs no shutdown, so a failing test can't leak one.
    let client = HTTPClient.shared
    let registry = PrometheusCollectorRegistry()

    func delivery(to url: String, secret: String? = nil, capacity: Int = 10, timeout: Double = 5) -> WebhookDelivery {
        let logger = Logger(label: "webhook-test")
        let sender = WebhookSender(endpoint: .init(index: 1, url: url, secret: secret), client: client, timeoutSeconds: timeout, logger: logger)
        return WebhookDelivery(sender: sender, capacity: capacity, backoff: .init(initial: 0.05, maximum: 0.2),
                               metrics: FaceStreamMetrics(registry: registry), logger: logger)
    }

    func event(_ id: String) -> WebhookDelivery.Pending {
        .init(eventID: id, body: Data("{\"event_id\":\"\(id)\"}".utf8))
    }

    /// `facestream_webhook_deliveries_total{webhook="1",outcome=…}` as exposed on /metrics.
    func counter(_ outcome: String) -> Int? {
        let line = registry.emitToString().split(separator: "\n")
            .first { $0.hasPrefix("facestream_webhook_deliveries_total{") && $0.contains("outcome=\"\(outcome)\"") && $0.contains("webhook=\"1\"") }
        return line.flatMap { $0.split(separator: " ").last.flatMap { Int($0) } }
    }

    @Test("queue size 3, five events while the endpoint does not answer: the three newest are delivered, in order, two dropped")
    func overflowDropsTheOldest() async throws {
        // A listener that never accepts holds the port while the endpoint is down: each attempt ends
        // at the request's deadline (1 s here). A port merely found free and released could be given
        // to another test's server meanwhile (seen under load: that server received these events).
        let silent = try SilentTCPListener()
        let port = silent.port
        let delivery = delivery(to: "http://127.0.0.1:\(port)/hook", capacity: 3, timeout: 1)
        await delivery.start()
        for id in 1...5 { await delivery.enqueue(event("e\(id)")) }
        // Give the loop a moment against the closed port (retrying is covered by `retriesInOrder`;
        // a busy test machine may not get to an attempt in that time, which changes nothing below).
        try? await waitUntil(timeout: 3, "a failed attempt") { await delivery.failedAttempts >= 1 }
        #expect(await delivery.dropped == 2)
        #expect(await delivery.pendingCount == 3)
        #expect(await delivery.delivered == 0)

        silent.close()
        let receiver = try await WebhookReceiver.start(port: port)
        // Generous: backoff may have grown to its cap (0.2 s here), and a loaded machine is slow.
        let requests = try await receiver.waitForRequests(3, timeout: 60)
        try await waitUntil(timeout: 60, "the queue to empty") { await delivery.pendingCount == 0 }
        #expect(requests.map(\.eventID) == ["e3", "e4", "e5"])
        #expect(requests.map(\.body) == ["e3", "e4", "e5"].map { event($0).body })
        #expect(await delivery.delivered == 3)
        #expect(counter("dropped") == 2 && counter("delivered") == 3)
        await delivery.stop()
        #expect(receiver.requests.count == 3)
        await receiver.stop()
    }

    @Test("a non-2xx answer is retried with the event kept at the head: order is preserved, nothing is lost")
    func retriesInOrder() async throws {
        let receiver = try await WebhookReceiver.start(statuses: [.serviceUnavailable, .internalServerError])
        let delivery = delivery(to: receiver.url, secret: "s3cret")
        await delivery.start()
        await delivery.enqueue(event("a"))
        await delivery.enqueue(event("b"))
        let requests = try await receiver.waitForRequests(4)
        try await waitUntil(timeout: 10, "two deliveries") { await delivery.delivered == 2 }
        #expect(requests.map(\.eventID) == ["a", "a", "a", "b"])
        #expect(await delivery.failedAttempts == 2)
        #expect(requests.allSatisfy { WebhookSigner.isValid($0.signature ?? "", body: $0.body, secret: "s3cret") })
        #expect(requests.allSatisfy { $0.headers.first(name: "Content-Type") == "application/json" })
        await delivery.stop()
        #expect(receiver.requests.count == 4)
        await receiver.stop()
    }

    @Test("a redirect is a failed attempt: the app's HTTP client doesn't turn the POST into a GET")
    func redirectIsNotADelivery() async throws {
        let receiver = try await WebhookReceiver.start()
        try await withApp { app in
            let sender = WebhookSender(endpoint: .init(index: 1, url: receiver.movedURL, secret: nil), client: app.http.client.shared,
                                       timeoutSeconds: 5, logger: app.logger)
            let outcome = await sender.send(eventID: "r", body: Data("{}".utf8))
            #expect(outcome != .delivered, "\(outcome)")
        }
        #expect(receiver.redirectedGets == 0 && receiver.requests.isEmpty)
        await receiver.stop()
    }

    @Test("stop delivers what is queued before it returns")
    func stopDrainsTheQueue() async throws {
        let receiver = try await WebhookReceiver.start()
        let delivery = delivery(to: receiver.url)
        for id in 1...3 { await delivery.enqueue(event("q\(id)")) }
        await delivery.start()
        await delivery.stop(grace: .seconds(5))
        #expect(receiver.requests.map(\.eventID) == ["q1", "q2", "q3"])
        #expect(await delivery.pendingCount == 0)
        await receiver.stop()
    }

    @Test("stop against an endpoint that never answers returns after the grace period, not the request timeout")
    func stopIsBounded() async throws {
        let silent = try SilentTCPListener()
        defer { silent.close() }
        let timeout = 30.0
        let delivery = delivery(to: "http://127.0.0.1:\(silent.port)/hook", timeout: timeout)
        await delivery.enqueue(event("stuck"))
        await delivery.start()
        try await Task.sleep(for: .milliseconds(200))  // the attempt is in flight
        let started = ContinuousClock.now
        await delivery.stop(grace: .milliseconds(300))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(timeout / 10), "\(elapsed)")
        #expect(await delivery.pendingCount == 1)
        #expect(await delivery.delivered == 0)
    }
}
