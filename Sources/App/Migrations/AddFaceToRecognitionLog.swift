import Fluent

/// The face that decided each sighting: `face_embedding` (512 bytes, 128 little-endian Float32, as
/// `face_embeddings.embedding`), `face_thumbnail` (a small JPEG of the face) and `face_quality` (its
/// 0…1 quality score). All nullable: older rows, thumbnails turned off (SIGHTING_THUMBNAILS=false),
/// and sightings of people deleted since (their biometric data is cleared, the rows stay).
struct AddFaceToRecognitionLog: AsyncMigration {
    static let columns: [(name: String, type: DatabaseSchema.DataType)] = [
        ("face_embedding", .data), ("face_thumbnail", .data), ("face_quality", .double),
    ]

    // SQLite adds and drops one column per ALTER TABLE statement: one update each.
    func prepare(on database: any Database) async throws {
        for column in Self.columns {
            try await database.schema("recognition_logs").field(.string(column.name), column.type).update()
        }
    }

    func revert(on database: any Database) async throws {
        for column in ["face_quality", "face_thumbnail", "face_embedding"] {
            try await database.schema("recognition_logs").deleteField(.string(column)).update()
        }
    }
}
