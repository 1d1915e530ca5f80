import CoreMetrics
import Prometheus
import Vapor

extension Application {
    private struct RegistryKey: StorageKey {
        typealias Value = PrometheusCollectorRegistry
    }

    /// What `/metrics` exposes. One per application; `bootstrapMetrics(for:)` makes it the process's
    /// swift-metrics backend (Vapor's own `http_requests_total` etc. land here too).
    public var metricsRegistry: PrometheusCollectorRegistry {
        if let registry = storage[RegistryKey.self] { return registry }
        let registry = PrometheusCollectorRegistry()
        storage[RegistryKey.self] = registry
        return registry
    }
}

/// Call once per process, from the executable only: `MetricsSystem.bootstrap` is global and can't be
/// repeated, and tests build many applications.
public func bootstrapMetrics(for app: Application) {
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: app.metricsRegistry))
}
