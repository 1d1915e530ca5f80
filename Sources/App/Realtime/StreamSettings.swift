import FaceKit

/// What every stream session of this server works with, taken from `AppConfig` once.
struct StreamSettings: Sendable {
    var maxFrameRate: Double
    var maxFrameBytes: Int
    var maxImagePixels: Int
    /// Every frame is searched whole with these (YuNet by default: ~15 ms for 640×480).
    var detection: DetectionOptions
    var tracker: TrackerConfiguration
    /// How sightings' face thumbnails are made; nil: SIGHTING_THUMBNAILS is off.
    var thumbnails: ThumbnailSettings?

    init(config: AppConfig, runtime: FaceRuntime) {
        maxFrameRate = config.maxFrameRate
        maxFrameBytes = config.maxFrameBytes
        maxImagePixels = config.maxImagePixels
        detection = config.streamDetection
        tracker = runtime.trackerConfiguration(config)
        thumbnails = config.sightingThumbnails
    }
}
