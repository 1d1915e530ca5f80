import FaceKit
import Fluent
import Vapor

/// Applies this node's own database changes to its in-memory gallery and people directory, and to
/// its sighting index, at once, after they are committed. (Changes made by other nodes arrive
/// through `GallerySync`.) Without a face runtime (the app started without the models) the gallery
/// calls are no-ops; the sighting index is kept either way.
struct GalleryUpdates {
    let runtime: FaceRuntime?
    let metrics: FaceStreamMetrics
    let sightings: SightingIndex

    init(_ app: Application) {
        runtime = app.faceRuntime
        metrics = app.faceStreamMetrics
        sightings = app.sightingIndex
    }

    /// A new user: their name is known before their first face is.
    func created(_ user: User) {
        guard let runtime, user.isActive, let userID = user.id else { return }
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
        let rows = try await FaceEmbedding.query(on: db).filter(\.$user.$id == userID).all()
        var faces: [(id: Int, embedding: Embedding)] = []
        for row in rows {
            do {
                faces.append((try row.requireID(), try row.decodedEmbedding()))
            } catch {
                logger.error("face_embeddings row \(row.id ?? -1) is unreadable and is left out of the gallery: \(error)")
            }
        }
        try added(faces, to: user)
    }
}
