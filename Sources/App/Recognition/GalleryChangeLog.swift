import Fluent
import Foundation
import SQLKit
import Vapor

/// One row of `gallery_changes`: what another node must re-read to recognise as this one does.
struct GalleryChange: Sendable, Equatable {
    enum Kind: String, Sendable {
        /// The person's faces, active flag or name changed: reload them.
        case person
        /// The person was deleted: out of the gallery; their sightings lost their faces.
        case deleted
        /// The person (`userID`) was merged into `mergedInto`: their faces and sightings are the target's.
        case merged
        /// Everyone was deleted (`userID` is nil).
        case everyone
    }

    let id: Int64
    let userID: Int?
    let kind: Kind
    let mergedInto: Int?
    /// The node that made the change (`GalleryChangeLog.nodeID`).
    let origin: String
}

/// The change sequence nodes sharing one PostgreSQL follow (`gallery_changes`, `GalleryChangeFollower`).
/// The node that changes people, faces or activation writes a row, in the transaction of the change
/// where it can, and the same statement sends `NOTIFY facestream_gallery, '<row id> <node id>'`:
/// PostgreSQL delivers it when the transaction commits, so a notified row is always readable.
/// Present on PostgreSQL only (`Application.galleryChangeLog`); SQLite serves a single node.
struct GalleryChangeLog: Sendable {
    static let table = "gallery_changes"
    static let channel = "facestream_gallery"
    /// Rows older than this are pruned; a node that was disconnected longer reloads everything.
    static let retention: TimeInterval = 86_400
    static let pruneInterval: Duration = .seconds(3600)

    /// This process, in the rows it writes, so it can skip its own changes (already applied).
    let nodeID: String

    init(nodeID: String = UUID().uuidString.lowercased()) {
        self.nodeID = nodeID
    }

    /// The `application_name` of this node's listening connection (what `pg_stat_activity` shows).
    var listenerName: String { "facestream-gallery-\(nodeID.prefix(8))" }

    /// Writes the change row and queues its notification (sent at commit when `db` is in a transaction).
    func record(_ kind: GalleryChange.Kind, of userID: Int?, mergedInto: Int? = nil, on db: any Database) async throws {
        try await Self.sql(db).raw("""
            WITH change AS (
                INSERT INTO \(ident: Self.table) (user_id, kind, merged_into, origin, created_at)
                VALUES (\(bind: userID), \(bind: kind.rawValue), \(bind: mergedInto), \(bind: nodeID), now())
                RETURNING id)
            SELECT pg_notify(\(bind: Self.channel), id::text || ' ' || \(bind: nodeID)) FROM change
            """).run()
    }

    /// The row id and origin a notification's payload names; nil for a payload of another form.
    static func notified(_ payload: String) -> (id: Int64, origin: String)? {
        let parts = payload.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let id = Int64(parts[0]) else { return nil }
        return (id, String(parts[1]))
    }

    /// The oldest and newest row ids (nil, nil: no rows).
    static func bounds(on db: any Database) async throws -> (oldest: Int64?, newest: Int64?) {
        let row = try await sql(db).raw("SELECT MIN(id) AS oldest, MAX(id) AS newest FROM \(ident: table)").first()
        return (try row?.decode(column: "oldest", as: Int64?.self), try row?.decode(column: "newest", as: Int64?.self))
    }

    /// Up to `limit` rows with an id above `id`, and row `alsoID` if given, in id order. `alsoID` is a
    /// notified row at or below `id`: ids are taken at insert but become visible at commit, so a
    /// change can commit after one with a higher id that this node already read past.
    static func changes(after id: Int64, alsoID: Int64? = nil, limit: Int, on db: any Database) async throws -> [GalleryChange] {
        let rows = try await sql(db).raw("""
            SELECT id, user_id, kind, merged_into, origin FROM \(ident: table)
            WHERE id > \(bind: id) OR id = \(bind: alsoID ?? -1) ORDER BY id LIMIT \(bind: limit)
            """).all()
        return try rows.compactMap { row in
            let raw = try row.decode(column: "kind", as: String.self)
            // A kind written by a newer version: nothing this node can apply (the periodic check reloads).
            guard let kind = GalleryChange.Kind(rawValue: raw) else { return nil }
            return GalleryChange(id: try row.decode(column: "id", as: Int64.self),
                                 userID: try row.decode(column: "user_id", as: Int?.self), kind: kind,
                                 mergedInto: try row.decode(column: "merged_into", as: Int?.self),
                                 origin: try row.decode(column: "origin", as: String.self))
        }
    }

    /// Deletes rows written before `cutoff`, except the newest: it keeps the sequence's position
    /// readable (`bounds`), which is how a node tells a gap it can bridge from one it can't.
    @discardableResult
    static func prune(before cutoff: Date, on db: any Database) async throws -> Int {
        let rows = try await sql(db).raw("""
            DELETE FROM \(ident: table) WHERE created_at < \(bind: cutoff)
            AND id < (SELECT MAX(id) FROM \(ident: table)) RETURNING id
            """).all()
        return rows.count
    }

    private static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { throw FaceStreamError.internalError("the gallery change log needs an SQL database") }
        return sql
    }
}

extension Application {
    private struct GalleryChangeLogKey: StorageKey {
        typealias Value = GalleryChangeLog
    }

    /// This node's writer of `gallery_changes`: set by `configure` on PostgreSQL, nil on SQLite.
    var galleryChangeLog: GalleryChangeLog? {
        get { storage[GalleryChangeLogKey.self] }
        set { storage[GalleryChangeLogKey.self] = newValue }
    }
}
