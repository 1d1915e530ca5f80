import Fluent

/// `recognition_logs`: outlive their user (ON DELETE SET NULL) so history stays countable.
struct CreateRecognitionLog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("recognition_logs")
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .int, .references("users", "id", onDelete: .setNull))
            .field("track_id", .string, .required)
            .field("confidence", .double, .required)
            .field("is_unknown", .bool, .required)
            .field("frame_position", .string, .required)  // JSON [x,y,w,h]
            .field("session_id", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("recognition_logs").delete()
    }
}
