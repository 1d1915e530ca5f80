import FaceKit

/// What every stream session of this server works with, taken from `AppConfig` once.
struct StreamSettings: Sendable {
    var maxFrameRate: Double
    var maxFrameBytes: Int
    var maxImagePixels: Int
    /// Seconds between background full-frame scans for new faces while faces are tracked.
    var discoveryInterval: Double
    var detection: DetectionOptions
    var tracker: TrackerConfiguration

    init(config: AppConfig, runtime: FaceRuntime) {
        maxFrameRate = config.maxFrameRate
        maxFrameBytes = config.maxFrameBytes
        maxImagePixels = config.maxImagePixels
        discoveryInterval = config.discoveryIntervalSeconds
        detection = DetectionOptions(embed: false)
        tracker = runtime.trackerConfiguration(config)
    }
}
