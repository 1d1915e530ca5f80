import FaceKit
import Fluent
import Vapor

/// Changes that remove or combine people, each in one transaction (with the record that tells
/// other nodes) and then applied to this node's gallery and sighting index. A person's sightings always outlive them: deletion detaches
/// them (`user_id` becomes null) so history stays countable; a merge hands them to the person merged into.
enum PeopleChanges {
    /// Deletes the person and all their biometric data: their enrolled embeddings, and the face
    /// (embedding, thumbnail, quality) of each of their sightings, which stay, detached.
    static func delete(_ userID: Int, on db: any Database, gallery: GalleryUpdates) async throws {
        try await db.transaction { db in
            try await FaceEmbedding.query(on: db).filter(\.$user.$id == userID).delete()
            try await detachSightings(RecognitionLog.query(on: db).filter(\.$user.$id == userID))
            try await User.query(on: db).filter(\.$id == userID).delete()
            try await gallery.record(.deleted, of: userID, on: db)
        }
        gallery.removedUser(userID)
        gallery.clearedSightingFaces(of: userID)
    }

    /// Deletes everyone (and all their biometric data, as `delete`); returns how many people there were.
    static func deleteEveryone(on db: any Database, gallery: GalleryUpdates) async throws -> Int {
        let ids = try await db.transaction { db in
            let ids = try await User.query(on: db).all(\.$id)
            try await FaceEmbedding.query(on: db).delete()
            try await detachSightings(RecognitionLog.query(on: db).filter(\.$user.$id != nil))
            try await User.query(on: db).delete()
            try await gallery.record(.everyone, of: nil, on: db)
            return ids
        }
        for id in ids { gallery.removedUser(id) }
        gallery.clearedSightingFacesOfEveryone(ids)
        return ids.count
    }

    /// The sightings `query` selects lose their person and their face.
    private static func detachSightings(_ query: QueryBuilder<RecognitionLog>) async throws {
        try await query.set(\.$user.$id, to: nil).clearingFaces().update()
    }

    /// Moves every face and sighting of `source` to `target`, then deletes `source`.
    static func merge(_ source: User, into target: User, on db: any Database, gallery: GalleryUpdates) async throws {
        let (sourceID, targetID) = (try source.requireID(), try target.requireID())
        let moved = try await db.transaction { db in
            let faces = try await FaceEmbedding.query(on: db).filter(\.$user.$id == sourceID).all()
            try await FaceEmbedding.query(on: db).filter(\.$user.$id == sourceID).set(\.$user.$id, to: targetID).update()
            try await RecognitionLog.query(on: db).filter(\.$user.$id == sourceID).set(\.$user.$id, to: targetID).update()
            try await User.query(on: db).filter(\.$id == sourceID).delete()
            try await gallery.record(.merged, of: sourceID, mergedInto: targetID, on: db)
            return faces
        }
        try moveInGallery(moved, from: sourceID, to: target, gallery: gallery)
    }

    /// Separate and never inlined: with this in `merge`, Swift 6.3.1's optimiser crashed splitting the
    /// coroutine (release builds only), as it did in `EnrollmentService`.
    @inline(never)
    private static func moveInGallery(_ moved: [FaceEmbedding], from sourceID: Int, to target: User,
                                      gallery: GalleryUpdates) throws {
        gallery.removedUser(sourceID)
        gallery.movedSightings(of: sourceID, to: try target.requireID())
        try gallery.added(try moved.map { (try $0.requireID(), try $0.decodedEmbedding()) }, to: target)
    }
}
