import Fluent

/// `unknown_clusters`: one row per group of unknown sightings that look like the same person.
/// The id is what `/api/unknowns/{id}` names; members point here from `recognition_logs`.
struct CreateUnknownCluster: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("unknown_clusters")
            .field("id", .int, .identifier(auto: true))
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("unknown_clusters").delete()
    }
}
