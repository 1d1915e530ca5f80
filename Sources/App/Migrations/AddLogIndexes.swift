import Fluent
import SQLKit

/// Indexes for the queries the API runs: logs by time, by user and by session; faces by user
/// (PostgreSQL doesn't index foreign keys itself, and cascading deletes scan `face_embeddings.user_id`).
struct AddLogIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, column: String)] = [
        ("idx_recognition_logs_created_at", "recognition_logs", "created_at"),
        ("idx_recognition_logs_user_id", "recognition_logs", "user_id"),
        ("idx_recognition_logs_session_id", "recognition_logs", "session_id"),
        ("idx_face_embeddings_user_id", "face_embeddings", "user_id"),
    ]

    func prepare(on database: any Database) async throws {
        let sql = try Self.sql(database)
        for index in Self.indexes {
            try await sql.create(index: index.name).on(index.table).column(index.column).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try Self.sql(database)
        for index in Self.indexes.reversed() {
            try await sql.drop(index: index.name).run()
        }
    }

    private static func sql(_ database: any Database) throws -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else {
            throw FaceStreamError.internalError("AddLogIndexes needs an SQL database")
        }
        return sql
    }
}
