import Vapor

/// `GET /health`: `status` is "ok" or "degraded", `database` is "ok" or "unavailable".
public struct HealthDTO: Content, Equatable {
    public var status: String
    public var database: String
    public var version: String
    public var uptimeSeconds: Int

    enum CodingKeys: String, CodingKey {
        case status, database, version
        case uptimeSeconds = "uptime_seconds"
    }
}
