import FaceKit
import Prometheus
import Vapor

/// FaceStream's own metrics, written straight into the application's Prometheus registry (not through
/// the global swift-metrics backend, which only the executable bootstraps), so every app — tests
/// included — exposes them on `/metrics`. The names are part of the operator contract: keep them stable.
///
/// - `facestream_http_requests_total{method,route,status}` · `facestream_http_request_duration_seconds{method,route}`
/// - `facestream_faces_detected_total` · `facestream_recognitions_total{result="known|unknown"}`
/// - `facestream_gallery_embeddings` · `facestream_engine_queue_depth`
/// - `facestream_stage_duration_seconds{stage="decode|detect|landmarks|align|embed"}`
/// - `facestream_stream_frames_total{result="processed|error"}` · `facestream_stream_frames_throttled_total{reason}`
/// - `facestream_open_streams`
/// - `facestream_webhook_deliveries_total{webhook,outcome="delivered|failed|dropped"}`
public final class FaceStreamMetrics: Sendable {
    static let requestBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map(FaceStreamMetrics.seconds)
    static let stageBuckets: [Duration] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1].map(FaceStreamMetrics.seconds)

    private let registry: PrometheusCollectorRegistry
    private let facesDetected: Counter
    private let recognitionsKnown: Counter
    private let recognitionsUnknown: Counter
    private let galleryEmbeddings: Gauge
    private let engineQueueDepth: Gauge
    private let streamFramesProcessed: Counter
    private let streamFramesErrored: Counter
    private let openStreams: Gauge

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        facesDetected = registry.makeCounter(descriptor: Self.name("faces_detected_total", "Faces found in analysed images and frames."))
        let recognitions = Self.name("recognitions_total", "Faces identified, by outcome.")
        recognitionsKnown = registry.makeCounter(descriptor: recognitions, labels: [("result", "known")])
        recognitionsUnknown = registry.makeCounter(descriptor: recognitions, labels: [("result", "unknown")])
        galleryEmbeddings = registry.makeGauge(descriptor: Self.name("gallery_embeddings", "Embeddings in this node's in-memory gallery."))
        engineQueueDepth = registry.makeGauge(descriptor: Self.name("engine_queue_depth", "Face engine jobs waiting for a thread."))
        let frames = Self.name("stream_frames_total", "WebSocket frames answered with a result or an error.")
        streamFramesProcessed = registry.makeCounter(descriptor: frames, labels: [("result", "processed")])
        streamFramesErrored = registry.makeCounter(descriptor: frames, labels: [("result", "error")])
        openStreams = registry.makeGauge(descriptor: Self.name("open_streams", "Open /ws/recognize connections on this node."))
    }

    public func recordStreamFrame(processed: Bool) {
        (processed ? streamFramesProcessed : streamFramesErrored).increment()
    }

    /// A frame answered `throttled`; `reason` is the message's (`rate_limit`, `superseded`, `shutting_down`).
    public func recordStreamFrameThrottled(reason: String) {
        registry.makeCounter(descriptor: Self.name("stream_frames_throttled_total", "WebSocket frames not processed, by reason."),
                             labels: [("reason", reason)]).increment()
    }

    public enum WebhookOutcome: String, Sendable {
        /// An event the endpoint answered 2xx; `failed`: an attempt that didn't (the event is retried);
        /// `dropped`: an event pushed out of a full queue.
        case delivered, failed, dropped
    }

    /// `webhook` is the endpoint's 1-based position in WEBHOOK_URLS (URLs may carry tokens).
    public func recordWebhook(_ outcome: WebhookOutcome, webhook: Int) {
        registry.makeCounter(descriptor: Self.name("webhook_deliveries_total", "Webhook events delivered or dropped and attempts failed, by webhook."),
                             labels: [("webhook", String(webhook)), ("outcome", outcome.rawValue)]).increment()
    }

    public func setOpenStreams(_ count: Int) {
        openStreams.set(Double(count))
    }

    /// One finished HTTP request. `route` is the route's pattern (`/api/users/:id`), never the raw path.
    public func recordRequest(method: String, route: String, status: UInt, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.name("http_requests_total", "HTTP requests by method, route pattern and status."),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration_seconds", "HTTP request latency by method and route pattern."),
            labels: [("method", method), ("route", route)], buckets: Self.requestBuckets
        ).record(duration)
    }

    /// Stage latencies of one analysed image or frame; stages that did not run (0 ms) are left out.
    public func recordFrame(timings: StageTimings) {
        let stages = [("decode", timings.decode), ("detect", timings.detect), ("landmarks", timings.landmarks),
                      ("align", timings.chip), ("embed", timings.embed)]
        for (stage, milliseconds) in stages where milliseconds > 0 {
            registry.makeDurationHistogram(
                descriptor: Self.name("stage_duration_seconds", "Face engine time per pipeline stage."),
                labels: [("stage", stage)], buckets: Self.stageBuckets
            ).record(.nanoseconds(Int64(milliseconds * 1_000_000)))
        }
    }

    public func recordFacesDetected(_ count: Int) {
        if count > 0 { facesDetected.increment(by: Int64(count)) }
    }

    public func recordRecognition(known: Bool) {
        (known ? recognitionsKnown : recognitionsUnknown).increment()
    }

    public func setGallerySize(_ embeddings: Int) {
        galleryEmbeddings.set(Double(embeddings))
    }

    public func setEngineQueueDepth(_ jobs: Int) {
        engineQueueDepth.set(Double(jobs))
    }

    /// Gauges that are cheaper to read when scraped than to keep current: called by `/metrics`.
    func sample(_ runtime: FaceRuntime?) {
        guard let runtime else { return }
        setGallerySize(runtime.gallery.count)
        setEngineQueueDepth(runtime.engine.queueDepth)
    }

    private static func name(_ metric: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "facestream", metricName: metric, unitName: "", helpText: help)
    }

    private static func seconds(_ value: Double) -> Duration {
        .nanoseconds(Int64(value * 1_000_000_000))
    }
}

extension Application {
    private struct FaceStreamMetricsKey: StorageKey {
        typealias Value = FaceStreamMetrics
    }

    /// Created with the app's registry on first use (`configure` touches it once, before requests run).
    public var faceStreamMetrics: FaceStreamMetrics {
        if let metrics = storage[FaceStreamMetricsKey.self] { return metrics }
        let metrics = FaceStreamMetrics(registry: metricsRegistry)
        storage[FaceStreamMetricsKey.self] = metrics
        return metrics
    }
}
