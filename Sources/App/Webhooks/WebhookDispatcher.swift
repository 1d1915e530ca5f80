import Foundation
import Vapor

/// Fans each sighting out to every configured webhook: encodes the event once and queues it on
/// each webhook's `WebhookDelivery`. Started and stopped with the face services; without
/// WEBHOOK_URLS it holds no deliveries and every call returns at once.
final class WebhookDispatcher: Sendable {
    let deliveries: [WebhookDelivery]
    private let logger: Logger

    init(deliveries: [WebhookDelivery], logger: Logger) {
        self.deliveries = deliveries
        self.logger = logger
    }

    convenience init(configuration: WebhookConfiguration, client: @autoclosure () -> HTTPClient,
                     metrics: FaceStreamMetrics?, logger: Logger) {
        guard !configuration.endpoints.isEmpty else {
            self.init(deliveries: [], logger: logger)
            return
        }
        let client = client()
        self.init(deliveries: configuration.endpoints.map { endpoint in
            let sender = WebhookSender(endpoint: endpoint, client: client, timeoutSeconds: configuration.timeoutSeconds, logger: logger)
            return WebhookDelivery(sender: sender, capacity: configuration.queueSize, metrics: metrics, logger: logger)
        }, logger: logger)
    }

    var isEnabled: Bool { !deliveries.isEmpty }

    /// Queues the event on every webhook; never waits for a delivery.
    func publish(_ event: @autoclosure () -> WebhookEvent) async {
        guard isEnabled else { return }
        let event = event()
        let body: Data
        do {
            body = try event.body()
        } catch {
            return logger.error("webhook event \(event.eventID) could not be encoded: \(String(reflecting: error))")
        }
        for delivery in deliveries {
            await delivery.enqueue(.init(eventID: event.eventID, body: body))
        }
    }

    func start() async {
        for delivery in deliveries { await delivery.start() }
    }

    /// Every webhook gets the same `grace` to deliver what is queued, all at once.
    func stop(grace: Duration = .seconds(2)) async {
        await withTaskGroup(of: Void.self) { group in
            for delivery in deliveries {
                group.addTask { await delivery.stop(grace: grace) }
            }
        }
    }
}

extension Application {
    private struct WebhookDispatcherKey: StorageKey {
        typealias Value = WebhookDispatcher
    }

    /// The dispatcher for `config.webhooks`, shared by every stream. The HTTP client
    /// (`http.client.shared`, shut down with the app) is only created when webhooks are configured.
    var webhooks: WebhookDispatcher {
        if let dispatcher = storage[WebhookDispatcherKey.self] { return dispatcher }
        let dispatcher = WebhookDispatcher(configuration: config.webhooks, client: self.http.client.shared,
                                           metrics: faceStreamMetrics, logger: logger)
        storage[WebhookDispatcherKey.self] = dispatcher
        return dispatcher
    }
}
