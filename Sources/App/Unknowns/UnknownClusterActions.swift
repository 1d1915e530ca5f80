import FaceKit
import Fluent
import Vapor

/// Naming and forgetting an unknown visitor. Both change every sighting of the cluster and delete
/// the cluster in one transaction (through `UnknownClusters.remove`), then tell the live gallery
/// and the sighting index.
struct UnknownClusterActions {
    let clusters: UnknownClusters
    let gallery: GalleryUpdates
    let sightings: SightingIndex
    let minQuality: Double
    let maxFaces: Int

    init(_ app: Application) {
        clusters = app.unknownClusters
        gallery = GalleryUpdates(app)
        sightings = app.sightingIndex
        minQuality = app.config.minEnrollQuality
        maxFaces = app.config.unknowns.assignMaxFaces
    }

    /// The person `request` names (an existing one, or a new one to create) for cluster `clusterID`.
    enum Person {
        case existing(User)
        case new(name: String)
    }

    /// Enrols the cluster's best faces (at most `maxFaces`, each at least MIN_ENROLL_QUALITY) for
    /// the person and gives every sighting of the cluster their id. 422 if no face qualifies (and
    /// then nothing changes, no person is created).
    func assign(_ clusterID: Int, to person: Person, on db: any Database) async throws -> UnknownAssignmentDTO {
        let faces = try await enrollable(clusterID, on: db)
        let (maxFaces, gallery) = (self.maxFaces, self.gallery)
        let (user, stored, sightingIDs) = try await clusters.remove(clusterID) { db in
            let user: User
            switch person {
            case .existing(let existing): user = existing
            case .new(let name):
                user = User(name: name)
                try await user.create(on: db)
            }
            let userID = try user.requireID()
            var stored: [(id: Int, embedding: Embedding)] = []
            for face in faces.prefix(maxFaces) {
                let row = FaceEmbedding(userID: userID, embedding: face.embedding, qualityScore: face.quality)
                try await row.create(on: db)
                stored.append((try row.requireID(), face.embedding))
            }
            let members = RecognitionLog.query(on: db).filter(\.$unknownClusterID == clusterID)
            let sightingIDs = try await members.all(\.$id)
            try await members.set(\.$user.$id, to: userID).set(\.$isUnknown, to: false).set(\.$unknownClusterID, to: nil).update()
            try await gallery.record(.person, of: userID, on: db)
            return (user, stored, sightingIDs)
        }
        if case .new = person { gallery.created(user) }
        try gallery.added(stored, to: user)
        sightings.setPerson(try user.requireID(), isUnknown: false, forSightings: sightingIDs)
        let faceCount = try await FaceEmbedding.query(on: db).filter(\.$user.$id == user.requireID()).count()
        return UnknownAssignmentDTO(user: try user.toDTO(faceCount: faceCount), enrolledFaceIDs: stored.map(\.id),
                                    sightingsUpdated: sightingIDs.count)
    }

    /// Forgets a cluster: its sightings lose face, embedding and quality (they keep time and place).
    func forget(_ clusterID: Int) async throws {
        let cleared = try await clusters.remove(clusterID) { db in
            let members = RecognitionLog.query(on: db).filter(\.$unknownClusterID == clusterID)
            let ids = try await members.all(\.$id)
            try await members.clearingFaces().set(\.$unknownClusterID, to: nil).update()
            return ids
        }
        sightings.remove(cleared)
    }

    /// The cluster's faces that pass MIN_ENROLL_QUALITY, best first. 404 for a cluster without
    /// members, 422 when none passes.
    private func enrollable(_ clusterID: Int, on db: any Database) async throws -> [(embedding: Embedding, quality: Double)] {
        let rows = try await RecognitionLog.query(on: db).filter(\.$unknownClusterID == clusterID)
            .field(\.$id).field(\.$faceEmbedding).field(\.$faceQuality).all()
        guard !rows.isEmpty else { throw FaceStreamError.notFound("unknown visitor \(clusterID) not found") }
        let faces = UnknownClusterQueries.bestFirst(rows).compactMap { row -> (embedding: Embedding, quality: Double)? in
            guard let quality = row.faceQuality, quality >= minQuality, let embedding = row.decodedFaceEmbedding else { return nil }
            return (embedding, quality)
        }
        guard !faces.isEmpty else {
            let best = rows.compactMap(\.faceQuality).max().map { String(format: "%.2f", $0) } ?? "none"
            throw FaceStreamError(.lowQuality,
                "no face of unknown visitor \(clusterID) reaches the minimum quality \(minQuality) (MIN_ENROLL_QUALITY); the best is \(best)")
        }
        return faces
    }
}
