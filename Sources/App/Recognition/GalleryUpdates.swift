import FaceKit
import Fluent
import Vapor

/// Applies this node's own database changes to its in-memory gallery and people directory, and to
/// its sighting index, at once, after they are committed; and, on PostgreSQL, tells the other nodes
/// (`record`, called inside the change's transaction: a row in `gallery_changes` and a NOTIFY that
/// PostgreSQL sends at commit; `GalleryChangeFollower` applies it there). Without a face runtime
/// (the app started without the models) the gallery calls are no-ops; the sighting index is kept
/// and changes are recorded either way.
struct GalleryUpdates: Sendable {
    let runtime: FaceRuntime?
    let metrics: FaceStreamMetrics
    let sightings: SightingIndex
    /// nil on SQLite: a single node, nobody to tell.
    let changes: GalleryChangeLog?

    init(_ app: Application) {
        runtime = app.faceRuntime
        metrics = app.faceStreamMetrics
        sightings = app.sightingIndex
        changes = app.galleryChangeLog
    }

    /// Tells other nodes what changed (their gallery re-reads `userID`, or everyone for `.everyone`).
    /// Call with the transaction that makes the change, so the change and its record commit together.
    func record(_ kind: GalleryChange.Kind, of userID: Int?, mergedInto: Int? = nil, on db: any Database) async throws {
        try await changes?.record(kind, of: userID, mergedInto: mergedInto, on: db)
    }

    /// Saves a changed person (name, active flag, …) with the record that tells other nodes.
    func save(_ user: User, on db: any Database) async throws {
        let userID = try user.requireID()
        try await db.transaction { db in
            try await user.save(on: db)
            try await record(.person, of: userID, on: db)
        }
    }

    /// A new user: their name is known before their first face is. Not recorded: a person without
    /// faces changes no node's answers; their first face's record tells the other nodes their name.
    func created(_ user: User) {
        guard let userID = user.id else { return }
        // SQLite hands a deleted person's id to the next new one: that id's tombstone must not hide
        // the newcomer's sightings.
        sightings.personCreated(userID)
        guard let runtime, user.isActive else { return }
        runtime.people.set(userID, name: user.name)
    }

    /// New embeddings of `user`; they join the gallery only while the user is active.
    func added(_ faces: [(id: Int, embedding: Embedding)], to user: User) throws {
        guard let runtime, user.isActive else { return }
        let userID = try user.requireID()
        runtime.people.set(userID, name: user.name)
        for face in faces {
            runtime.gallery.add(embeddingID: face.id, personID: userID, embedding: face.embedding)
        }
        metrics.setGallerySize(runtime.gallery.count)
    }

    func removedFace(_ embeddingID: Int) {
        guard let runtime else { return }
        runtime.gallery.remove(embeddingID: embeddingID)
        metrics.setGallerySize(runtime.gallery.count)
    }

    /// A deleted person's sightings lost their faces: no search finds them any more.
    func clearedSightingFaces(of userID: Int) {
        sightings.removePerson(userID)
    }

    /// Everyone was deleted: every sighting that named someone lost its face.
    func clearedSightingFacesOfEveryone(_ userIDs: [Int]) {
        sightings.removeEveryone(userIDs)
    }

    /// `source`'s sightings now name `target`.
    func movedSightings(of source: Int, to target: Int) {
        sightings.movePerson(source, to: target)
    }

    func removedUser(_ userID: Int) {
        guard let runtime else { return }
        runtime.gallery.removePerson(userID)
        runtime.people.remove(userID)
        metrics.setGallerySize(runtime.gallery.count)
    }

    /// After an update of `user`: deactivated → out of recognition now; (re)activated → their stored
    /// embeddings are loaded back; renamed → answers carry the new name.
    func updated(_ user: User, wasActive: Bool, on db: any Database, logger: Logger) async throws {
        guard let runtime else { return }
        let userID = try user.requireID()
        guard user.isActive else {
            removedUser(userID)
            return
        }
        runtime.people.set(userID, name: user.name)
        guard !wasActive else { return }
        try await GalleryLoader.loadPerson(userID, into: runtime, from: db, logger: logger)
        metrics.setGallerySize(runtime.gallery.count)
    }
}
