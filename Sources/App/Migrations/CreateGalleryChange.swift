import Fluent
import SQLKit

/// `gallery_changes`: the sequence of changes to who the gallery recognises (a person's faces,
/// active flag or name; deletions, merges), one row per change, written by the node that made it.
/// Other nodes follow it (`GalleryChangeFollower`): a NOTIFY names the new row, and a node that missed
/// notifications reads every row after the last one it applied. Rows are pruned after a day
/// (`GalleryChangeLog.prune`). Portable, though only PostgreSQL nodes write to it: SQLite serves one node.
struct CreateGalleryChange: AsyncMigration {
    static let createdAtIndex = "idx_gallery_changes_created_at"

    func prepare(on database: any Database) async throws {
        try await database.schema(GalleryChangeLog.table)
            .field("id", .int64, .identifier(auto: true))
            // No foreign keys: a change outlives the person it is about (deleted, merged away).
            .field("user_id", .int)
            .field("kind", .string, .required)
            .field("merged_into", .int)
            .field("origin", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await Self.sql(database).create(index: Self.createdAtIndex).on(GalleryChangeLog.table).column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GalleryChangeLog.table).delete()
    }

    private static func sql(_ database: any Database) throws -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else {
            throw FaceStreamError.internalError("CreateGalleryChange needs an SQL database")
        }
        return sql
    }
}
