import FaceKit
import Vapor

/// Everything FaceStream reads from its environment, parsed and validated once at start-up.
/// Other parts read `app.config`; nothing else should call `Environment.get`.
public struct AppConfig: Sendable {
    public var database: DatabaseTarget
    public var debug: Bool
    /// Frames per second a WebSocket client may send; extra frames are dropped.
    public var maxFrameRate: Double
    /// When a face is somebody: FACE_MATCH_THRESHOLD (largest distance) and FACE_CONFIDENCE_THRESHOLD
    /// (smallest confidence). Every surface that names faces uses this one value.
    public var matchRule: MatchRule
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var modelsDirectory: String
    /// Swagger UI's files for `/docs` (installed by scripts/setup), so the page needs no internet.
    public var docsAssetsDirectory: String
    public var maxUploadBytes: Int
    public var maxFrameBytes: Int
    public var maxImagePixels: Int
    /// Lets `serve` migrate PostgreSQL itself (SQLite is always migrated on `serve`).
    public var autoMigrate: Bool
    /// `nil`: a key is generated into `$DATA_DIR/admin_api_key` at first start.
    public var adminAPIKey: String?
    public var logRetentionDays: Int?
    public var engineThreads: Int
    public var minEnrollQuality: Double
    /// Concurrent WebSocket sessions.
    public var maxConnections: Int
    public var wsIdleTimeoutSeconds: Double
    /// Seconds between the server's WebSocket pings; a stream whose client has answered none by
    /// the next one is closed (a vanished peer, or one that never completes a close handshake).
    public var wsPingSeconds: Double
    public var trackTTLSeconds: Double
    public var reembedIntervalFrames: Int
    /// The face detector for photos and streams (DETECTOR: yunet, hog or mmod).
    public var detector: FaceDetectorKind
    /// Smallest detector score kept; nil: the detector's default (YuNet 0.6, HOG/MMOD 0).
    public var minDetectionScore: Double?
    /// Smallest face kept, box side in pixels.
    public var minFaceSize: Double
    /// Photos (REST, enrolment): embeddings averaged with the mirror image's.
    public var mirrorEmbeddings: Bool
    /// Streams: the same for the tracks' embeddings.
    public var streamMirrorEmbeddings: Bool
    /// Streams (YuNet): frames are detected at most this large (longest side); detection costs
    /// grow with the pixels, and a stream detects every frame.
    public var streamMaxInputSide: Int
    /// When set, `/metrics` requires it.
    public var metricsAPIKey: String?
    /// How often (seconds) this node checks whether other nodes changed the enrolled faces and reloads
    /// its gallery if so; 0 turns it off. A safety net on PostgreSQL, where changes arrive within a
    /// second by notification (`GalleryChangeListener`): default 60 there, 0 on SQLite (one node).
    public var gallerySyncSeconds: Double
    /// The first wait before the gallery change listener reconnects (doubled per failure, up to 30 s).
    /// Not read from the environment; tests lengthen it to change data while a node is disconnected.
    public var galleryListenerRetryDelay: Duration = .milliseconds(250)
    /// Where sightings are posted as signed JSON events (WEBHOOK_*); empty: nowhere.
    public var webhooks: WebhookConfiguration
    /// How each sighting's face thumbnail is made (SIGHTING_THUMBNAIL_SIZE, SIGHTING_THUMBNAIL_QUALITY);
    /// nil: SIGHTING_THUMBNAILS=false, sightings keep the face's embedding but no picture of it.
    public var sightingThumbnails: ThumbnailSettings?
    /// Sightings kept in memory while the database is down (SIGHTING_QUEUE_ROWS); more go to a
    /// spill file in `dataDirectory` until it is back.
    public var sightingQueueRows: Int
    /// How unknown sightings are grouped into people to name (UNKNOWN_*).
    public var unknowns: UnknownClusterSettings
    /// Not an environment variable: tests and model-free commands (`migrate`, `keys`) turn it off
    /// so the app starts without the dlib models.
    public var loadFaceEngine: Bool = true
}

extension AppConfig {
    public static let minimumAPIKeyLength = 16

    /// Parses a whole environment. Takes a dictionary, not the process, so tests pass literals.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let env = EnvironmentReader(values: environment)
        let dataDirectory = env.string("DATA_DIR", default: "./data")
        self.dataDirectory = dataDirectory
        self.database = try DatabaseTarget.parse(env.raw("DATABASE_URL"), dataDirectory: dataDirectory)
        self.debug = try env.bool("DEBUG", default: false)
        self.maxFrameRate = try env.double("MAX_FRAME_RATE", default: 5, lower: 0, lowerExclusive: true, upper: 1000)
        self.matchRule = MatchRule(
            maxDistance: try env.double("FACE_MATCH_THRESHOLD", default: MatchRule.standard.maxDistance, lower: 0, lowerExclusive: true, upper: 2),
            minConfidence: try env.double("FACE_CONFIDENCE_THRESHOLD", default: MatchRule.standard.minConfidence, lower: 0, upper: 1))
        self.host = env.string("HOST", default: "0.0.0.0")
        self.port = try env.int("PORT", default: 8000, in: 1...65535)
        self.modelsDirectory = env.string("MODELS_DIR", default: "./models")
        self.docsAssetsDirectory = env.string("DOCS_ASSETS_DIR", default: "./swagger-ui")
        self.maxUploadBytes = try env.int("MAX_UPLOAD_BYTES", default: 10 * 1024 * 1024, in: 1...(1 << 30))
        self.maxFrameBytes = try env.int("MAX_FRAME_BYTES", default: 2 * 1024 * 1024, in: 1...(1 << 30))
        self.maxImagePixels = try env.int("MAX_IMAGE_PIXELS", default: 40_000_000, in: 1...1_000_000_000)
        self.autoMigrate = try env.bool("AUTO_MIGRATE", default: false)
        self.adminAPIKey = try env.secret("ADMIN_API_KEY", minLength: Self.minimumAPIKeyLength)
        self.logRetentionDays = try env.optionalInt("LOG_RETENTION_DAYS", in: 1...Int.max)
        self.engineThreads = try env.int("ENGINE_THREADS", default: System.coreCount, in: 1...1024)
        self.minEnrollQuality = try env.double("MIN_ENROLL_QUALITY", default: 0.4, lower: 0, upper: 1)
        self.maxConnections = try env.int("MAX_CONNECTIONS", default: 64, in: 1...Int.max)
        self.wsIdleTimeoutSeconds = try env.double("WS_IDLE_TIMEOUT_SECONDS", default: 60, lower: 0, lowerExclusive: true)
        self.wsPingSeconds = try env.double("WS_PING_SECONDS", default: 20, lower: 0.1, upper: 3600)
        self.trackTTLSeconds = try env.double("TRACK_TTL_SECONDS", default: 1.0, lower: 0, lowerExclusive: true)
        self.reembedIntervalFrames = try env.int("REEMBED_INTERVAL_FRAMES", default: 10, in: 1...Int.max)
        self.metricsAPIKey = try env.secret("METRICS_API_KEY", minLength: 1)
        self.detector = try env.choice("DETECTOR", default: FaceDetectorKind.yunet)
        self.minDetectionScore = try env.optionalDouble("MIN_DETECTION_SCORE", lower: detector == .yunet ? 0 : -10,
                                                        upper: detector == .yunet ? 1 : 10)
        self.minFaceSize = try env.double("MIN_FACE_SIZE", default: 0, lower: 0, upper: 10_000)
        self.mirrorEmbeddings = try env.bool("EMBED_MIRROR", default: DetectionOptions.photo.mirror)
        self.streamMirrorEmbeddings = try env.bool("STREAM_EMBED_MIRROR", default: DetectionOptions.stream.mirror)
        self.streamMaxInputSide = try env.int("STREAM_MAX_INPUT_SIDE", default: DetectionOptions.stream.maxInputSide, in: 160...4096)
        self.gallerySyncSeconds = try env.double("GALLERY_SYNC_SECONDS", default: database.isSQLite ? 0 : 60, lower: 0, upper: 86_400)
        self.webhooks = try WebhookConfiguration(env)
        let thumbnailSize = try env.int("SIGHTING_THUMBNAIL_SIZE", default: 112, in: 16...512)
        let thumbnailQuality = try env.int("SIGHTING_THUMBNAIL_QUALITY", default: 80, in: 1...100)
        self.sightingThumbnails = try env.bool("SIGHTING_THUMBNAILS", default: true)
            ? ThumbnailSettings(size: thumbnailSize, quality: thumbnailQuality) : nil
        self.sightingQueueRows = try env.int("SIGHTING_QUEUE_ROWS", default: 100_000, in: 1...100_000_000)
        self.unknowns = try UnknownClusterSettings(env)
    }

    /// The process environment. Call after `Application.make`, which has already loaded `.env`.
    public static func fromProcessEnvironment() throws(ConfigurationError) -> AppConfig {
        try AppConfig(environment: ProcessInfo.processInfo.environment)
    }
}

extension AppConfig {
    /// How photos are analysed (REST recognition, detection, enrolment, verification).
    public var photoDetection: DetectionOptions { configured(.photo, mirror: mirrorEmbeddings) }

    /// How stream frames are searched for faces (embedding happens per track, with `mirror`).
    public var streamDetection: DetectionOptions {
        var options = configured(.stream, mirror: streamMirrorEmbeddings)
        options.maxInputSide = streamMaxInputSide
        return options
    }

    /// `base` with the detector settings both kinds of input share.
    private func configured(_ base: DetectionOptions, mirror: Bool) -> DetectionOptions {
        var options = base
        options.detector = detector
        options.minScore = minDetectionScore
        options.minFaceSize = minFaceSize
        options.mirror = mirror
        return options
    }
}

extension Application {
    private struct ConfigKey: StorageKey {
        typealias Value = AppConfig
    }

    /// The configuration `configure` loaded. Reading it before `configure` is a programming error.
    public var config: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else {
                fatalError("app.config read before configure(_:) stored it")
            }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }
}
