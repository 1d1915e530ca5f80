import FaceKit
import Fluent
import SQLKit
import Vapor

/// Fills the sighting index from `recognition_logs`: every row that still has a face, read in
/// chunks by id (only the columns the index needs: no thumbnails). Run by `serve` before the
/// first request, where the gallery is loaded.
enum SightingIndexLoader {
    static let chunkSize = 5_000

    /// Replaces what the index holds with what the database holds.
    static func load(into index: SightingIndex, from db: any Database, logger: Logger) async throws {
        index.removeAll()
        let loaded = try await loadRows(after: 0, into: index, from: db, logger: logger)
        logger.info("sighting index loaded: \(loaded) sightings with a face")
    }

    /// Adds the rows with an id above `id` (other nodes' sightings); returns how many were added.
    @discardableResult
    static func loadRows(after id: Int, into index: SightingIndex, from db: any Database, logger: Logger) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw FaceStreamError.internalError("the sighting index needs an SQL database") }
        var after = id, loaded = 0
        while true {
            let rows = try await sql.select()
                .columns("id", "user_id", "session_id", "is_unknown", "created_at", "face_embedding")
                .from(RecognitionLog.schema)
                .where("id", .greaterThan, SQLBind(after))
                .where(SQLColumn("face_embedding"), .isNot, SQLLiteral.null)
                .orderBy("id")
                .limit(chunkSize)
                .all()
            guard !rows.isEmpty else { break }
            var entries: [SightingIndex.Entry] = []
            entries.reserveCapacity(rows.count)
            for row in rows {
                let rowID = try row.decode(column: "id", as: Int.self)
                after = max(after, rowID)
                do {
                    entries.append(try SightingIndex.Entry(
                        id: rowID, faceEmbedding: try row.decode(column: "face_embedding", as: Data.self),
                        userID: try row.decode(column: "user_id", as: Int?.self),
                        sessionID: try row.decode(column: "session_id", as: String.self),
                        seenAt: try row.decode(column: "created_at", as: Date.self),
                        isUnknown: try row.decode(column: "is_unknown", as: Bool.self)))
                } catch {
                    logger.error("recognition_logs row \(rowID): its face is unreadable and can't be searched: \(error)")
                }
            }
            index.upsert(entries)
            loaded += entries.count
            if rows.count < chunkSize { break }
        }
        return loaded
    }
}
