@testable import App
import FaceKit
import Testing

@Suite("Configuration parsing")
struct ConfigurationTests {
    @Test func defaultsMatchTheDocumentation() throws {
        let config = try AppConfig(environment: ["DATA_DIR": "/srv/fs"])
        #expect(config.database == .sqliteFile(path: "/srv/fs/facestream.sqlite"))
        #expect(config.debug == false)
        #expect(config.maxFrameRate == 5)
        #expect(config.matchRule.maxDistance == 0.6)
        #expect(config.matchRule.minConfidence == 0.85)
        #expect(config.host == "0.0.0.0")
        #expect(config.port == 8000)
        #expect(config.modelsDirectory == "./models")
        #expect(config.maxUploadBytes == 10 * 1024 * 1024)
        #expect(config.maxFrameBytes == 2 * 1024 * 1024)
        #expect(config.maxImagePixels == 40_000_000)
        #expect(config.autoMigrate == false)
        #expect(config.adminAPIKey == nil)
        #expect(config.logRetentionDays == nil)
        #expect(config.engineThreads >= 1)
        #expect(config.minEnrollQuality == 0.4)
        #expect(config.maxConnections == 64)
        #expect(config.wsIdleTimeoutSeconds == 60)
        #expect(config.wsPingSeconds == 20)
        #expect(config.trackTTLSeconds == 1.0)
        #expect(config.reembedIntervalFrames == 10)
        #expect(config.metricsAPIKey == nil)
        #expect(config.loadFaceEngine == true)
        #expect(try AppConfig(environment: [:]).dataDirectory == "./data")
    }

    @Test func sightingThumbnails() throws {
        #expect(try AppConfig(environment: [:]).sightingThumbnails == ThumbnailSettings(size: 112, quality: 80))
        let custom = try AppConfig(environment: ["SIGHTING_THUMBNAIL_SIZE": "64", "SIGHTING_THUMBNAIL_QUALITY": "95"])
        #expect(custom.sightingThumbnails == ThumbnailSettings(size: 64, quality: 95))
        #expect(try AppConfig(environment: ["SIGHTING_THUMBNAILS": "false", "SIGHTING_THUMBNAIL_SIZE": "64"]).sightingThumbnails == nil)
        for (name, value) in [("SIGHTING_THUMBNAIL_SIZE", "8"), ("SIGHTING_THUMBNAIL_SIZE", "1000"), ("SIGHTING_THUMBNAIL_QUALITY", "0"),
                              ("SIGHTING_THUMBNAIL_QUALITY", "101"), ("SIGHTING_THUMBNAILS", "maybe")] {
            #expect(throws: ConfigurationError.self, "\(name)=\(value)") { try AppConfig(environment: [name: value]) }
        }
    }

    @Test func sightingQueueRows() throws {
        #expect(try AppConfig(environment: [:]).sightingQueueRows == 100_000)
        #expect(try AppConfig(environment: ["SIGHTING_QUEUE_ROWS": "50"]).sightingQueueRows == 50)
        for value in ["0", "-1", "many"] {
            #expect(throws: ConfigurationError.self, "SIGHTING_QUEUE_ROWS=\(value)") { try AppConfig(environment: ["SIGHTING_QUEUE_ROWS": value]) }
        }
    }

    @Test func everyVariableIsRead() throws {
        let config = try AppConfig(environment: [
            "DATABASE_URL": "postgresql://fs:pw@db.internal:6432/faces", "DEBUG": "yes", "MAX_FRAME_RATE": "12.5",
            "FACE_MATCH_THRESHOLD": "0.45", "FACE_CONFIDENCE_THRESHOLD": "1", "HOST": "127.0.0.1", "PORT": "65535",
            "DATA_DIR": "/var/lib/fs", "MODELS_DIR": "/opt/models", "MAX_UPLOAD_BYTES": "1000", "MAX_FRAME_BYTES": "2000",
            "MAX_IMAGE_PIXELS": "3000", "AUTO_MIGRATE": "1", "ADMIN_API_KEY": "0123456789abcdef", "LOG_RETENTION_DAYS": "30",
            "ENGINE_THREADS": "3", "MIN_ENROLL_QUALITY": "0", "MAX_CONNECTIONS": "8", "WS_IDLE_TIMEOUT_SECONDS": "0.5",
            "WS_PING_SECONDS": "0.25", "TRACK_TTL_SECONDS": "2.5", "REEMBED_INTERVAL_FRAMES": "1", "METRICS_API_KEY": "scrape",
        ])
        #expect(config.database == .postgres(url: "postgresql://fs:pw@db.internal:6432/faces"))
        #expect(config.debug && config.autoMigrate)
        #expect(config.maxFrameRate == 12.5)
        #expect(config.matchRule.maxDistance == 0.45)
        #expect(config.matchRule.minConfidence == 1)
        #expect(config.host == "127.0.0.1" && config.port == 65535)
        #expect(config.dataDirectory == "/var/lib/fs" && config.modelsDirectory == "/opt/models")
        #expect(config.maxUploadBytes == 1000 && config.maxFrameBytes == 2000 && config.maxImagePixels == 3000)
        #expect(config.adminAPIKey == "0123456789abcdef")
        #expect(config.logRetentionDays == 30)
        #expect(config.engineThreads == 3)
        #expect(config.minEnrollQuality == 0)
        #expect(config.maxConnections == 8)
        #expect(config.wsIdleTimeoutSeconds == 0.5 && config.trackTTLSeconds == 2.5)
        #expect(config.wsPingSeconds == 0.25)
        #expect(config.reembedIntervalFrames == 1)
        #expect(config.metricsAPIKey == "scrape")
    }

    @Test(arguments: [("true", true), ("FALSE", false), ("1", true), ("0", false), ("yes", true), ("No", false)])
    func booleans(text: String, value: Bool) throws {
        #expect(try AppConfig(environment: ["DEBUG": text]).debug == value)
    }

    @Test func databaseURLs() throws {
        func target(_ url: String) throws -> DatabaseTarget { try AppConfig(environment: ["DATABASE_URL": url]).database }
        #expect(try target("postgres://u@localhost/db") == .postgres(url: "postgres://u@localhost/db"))
        #expect(try target("sqlite:///var/lib/fs.sqlite") == .sqliteFile(path: "/var/lib/fs.sqlite"))
        #expect(try target("sqlite://:memory:") == .sqliteMemory)
    }

    @Test func blankValuesMeanTheDefault() throws {
        let config = try AppConfig(environment: ["PORT": "", "ADMIN_API_KEY": "  ", "DATABASE_URL": "", "DATA_DIR": "/d"])
        #expect(config.port == 8000)
        #expect(config.adminAPIKey == nil)
        #expect(config.database == .sqliteFile(path: "/d/facestream.sqlite"))
    }

    @Test func invalidFrameRateMessageNamesVariableAndValue() {
        let error = #expect(throws: ConfigurationError.self) { try AppConfig(environment: ["MAX_FRAME_RATE": "abc"]) }
        #expect(error?.description == #"invalid MAX_FRAME_RATE="abc": expected a number greater than 0 and at most 1000"#)
    }

    @Test(arguments: [
        ("MAX_FRAME_RATE", "abc"), ("MAX_FRAME_RATE", "0"), ("MAX_FRAME_RATE", "1001"), ("MAX_FRAME_RATE", "nan"),
        ("FACE_MATCH_THRESHOLD", "0"), ("FACE_MATCH_THRESHOLD", "2.5"), ("FACE_CONFIDENCE_THRESHOLD", "1.2"),
        ("FACE_CONFIDENCE_THRESHOLD", "-0.1"), ("DATABASE_URL", "mysql://u@localhost/db"), ("DATABASE_URL", "postgres://"),
        ("DATABASE_URL", "sqlite:relative.db"), ("PORT", "0"), ("PORT", "65536"), ("PORT", "80a"), ("DEBUG", "maybe"),
        ("AUTO_MIGRATE", "2"), ("MAX_UPLOAD_BYTES", "-1"), ("LOG_RETENTION_DAYS", "0"), ("ENGINE_THREADS", "0"),
        ("MIN_ENROLL_QUALITY", "1.5"), ("MAX_CONNECTIONS", "0"), ("WS_IDLE_TIMEOUT_SECONDS", "0"),
        ("TRACK_TTL_SECONDS", "-1"), ("REEMBED_INTERVAL_FRAMES", "0"),
    ])
    func invalidValueIsRejectedWithItsName(variable: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try AppConfig(environment: [variable: value]) }
        #expect(error?.variable == variable)
        #expect(error?.description.hasPrefix("invalid \(variable)=\"\(value)\": expected") == true)
    }

    @Test func secretsAndPasswordsAreNotEchoed() {
        let short = #expect(throws: ConfigurationError.self) { try AppConfig(environment: ["ADMIN_API_KEY": "hunter2"]) }
        #expect(short?.variable == "ADMIN_API_KEY")
        #expect(short?.description.contains("hunter2") == false)
        #expect(short?.description.contains("at least 16 characters") == true)

        let url = #expect(throws: ConfigurationError.self) {
            try AppConfig(environment: ["DATABASE_URL": "mysql://u:s3cret@host/db"])
        }
        #expect(url?.description.contains("s3cret") == false)
        #expect(url?.description.contains("mysql") == true)
    }
}
