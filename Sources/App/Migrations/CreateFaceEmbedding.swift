import Fluent

/// `face_embeddings`: removed with their user (ON DELETE CASCADE).
struct CreateFaceEmbedding: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("face_embeddings")
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("embedding", .data, .required)  // 512 bytes, little-endian Float32
            .field("capture_angle", .string)
            .field("quality_score", .double, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("face_embeddings").delete()
    }
}
