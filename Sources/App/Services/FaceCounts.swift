import Fluent
import SQLKit

/// How many face embeddings each user has: one `GROUP BY` for a whole page of users.
enum FaceCounts {
    static func of(_ userIDs: [Int], on db: any Database) async throws -> [Int: Int] {
        guard !userIDs.isEmpty else { return [:] }
        guard let sql = db as? any SQLDatabase else { throw FaceStreamError.internalError("FaceCounts needs an SQL database") }
        let rows = try await sql.select()
            .column("user_id")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "face_count")
            .from(FaceEmbedding.schema)
            .where("user_id", .in, userIDs)
            .groupBy("user_id")
            .all()
        var counts: [Int: Int] = [:]
        for row in rows {
            counts[try row.decode(column: "user_id", as: Int.self)] = try row.decode(column: "face_count", as: Int.self)
        }
        return counts
    }

    static func of(_ userID: Int, on db: any Database) async throws -> Int {
        try await FaceEmbedding.query(on: db).filter(\.$user.$id == userID).count()
    }
}
