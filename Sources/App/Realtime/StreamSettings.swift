import FaceKit

/// What every stream session of this server works with, taken from `AppConfig` once.
struct StreamSettings: Sendable {
    var maxFrameRate: Double
    var maxFrameBytes: Int
    var maxImagePixels: Int
    /// Seconds between background full-frame scans for new faces.
    var discoveryInterval: Double
    /// A frame arriving this long after the stream's previous frame is scanned whole in the frame
    /// path (the first frame always is): a slow client's frame is answered from the frame itself.
    var staleScanAfter = 2.0
    /// Full scans: automatic upsampling (faces down to ~40 px in 640×480 frames).
    var detection: DetectionOptions
    /// The quick scan of a cut: no upsampling, faces ≥ 80 px, ~4× cheaper.
    var quickDetection = DetectionOptions(upsample: 0, embed: false)
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
