import Fluent

/// `api_keys`: hashed keys besides the configured admin key.
struct CreateAPIKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("api_keys")
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("role", .string, .required)  // "admin" | "recognize"
            .field("key_hash", .string, .required)  // SHA-256 hex
            .field("key_prefix", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .unique(on: "key_hash", name: "uq_api_keys_key_hash")  // also the lookup index
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_keys").delete()
    }
}
