import Fluent
import SQLKit

/// Reads clusters for the API straight from `recognition_logs` (the rows are the truth; the
/// clusterer only decides where new ones go).
enum UnknownClusterQueries {
    static let sampleCount = 4

    /// Ids and sizes of the clusters with at least `minSize` members, most recently seen first.
    static func clusters(minSize: Int, on db: any Database) async throws -> [(id: Int, size: Int)] {
        guard let sql = db as? any SQLDatabase else { throw FaceStreamError.internalError("unknown visitors need an SQL database") }
        let rows = try await sql.raw("""
            SELECT unknown_cluster_id AS id, COUNT(*) AS size FROM recognition_logs WHERE unknown_cluster_id IS NOT NULL \
            GROUP BY unknown_cluster_id HAVING COUNT(*) >= \(bind: minSize) \
            ORDER BY MAX(created_at) DESC, unknown_cluster_id DESC
            """).all()
        return try rows.map { (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "size", as: Int.self)) }
    }

    /// The clusters' descriptions, in the order of `ids`; ids without members are left out.
    static func describe(_ ids: [Int], on db: any Database) async throws -> [UnknownClusterDTO] {
        guard !ids.isEmpty else { return [] }
        let rows = try await RecognitionLog.query(on: db).filter(\.$unknownClusterID ~~ ids)
            .field(\.$id).field(\.$unknownClusterID).field(\.$createdAt).field(\.$sessionID).field(\.$faceQuality)
            .sort(\.$createdAt).sort(\.$id).all()
        let byCluster = Dictionary(grouping: rows) { $0.unknownClusterID ?? 0 }
        return try ids.compactMap { id in
            guard let members = byCluster[id], let first = members.first, let last = members.last else { return nil }
            var seen = Set<String>()
            let sessions = members.map(\.sessionID).filter { seen.insert($0).inserted }
            let best = try bestFirst(members).prefix(sampleCount).map { "/api/logs/\(try $0.requireID())/face" }
            return UnknownClusterDTO(id: id, size: members.count, firstSeen: first.createdAt, lastSeen: last.createdAt,
                                     sampleFaces: Array(best), sessions: sessions)
        }
    }

    /// Highest face quality first; equal quality: the newer sighting.
    static func bestFirst(_ rows: [RecognitionLog]) -> [RecognitionLog] {
        rows.sorted { ($0.faceQuality ?? -1, $0.id ?? 0) > ($1.faceQuality ?? -1, $1.id ?? 0) }
    }
}
