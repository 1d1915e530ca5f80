import Fluent
import SQLKit

/// `recognition_logs.unknown_cluster_id`: the cluster an unknown sighting belongs to (NULL for known
/// ones and unclustered ones), indexed for the cluster listings. No foreign key: SQLite can't add
/// one to an existing table, and the clusterer clears the column before it deletes a cluster.
struct AddUnknownClusterToRecognitionLog: AsyncMigration {
    static let index = "idx_recognition_logs_unknown_cluster_id"

    func prepare(on database: any Database) async throws {
        try await database.schema("recognition_logs").field("unknown_cluster_id", .int).update()
        try await Self.sql(database).create(index: Self.index).on("recognition_logs").column("unknown_cluster_id").run()
    }

    func revert(on database: any Database) async throws {
        try await Self.sql(database).drop(index: Self.index).run()
        try await database.schema("recognition_logs").deleteField("unknown_cluster_id").update()
    }

    private static func sql(_ database: any Database) throws -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else {
            throw FaceStreamError.internalError("AddUnknownClusterToRecognitionLog needs an SQL database")
        }
        return sql
    }
}
