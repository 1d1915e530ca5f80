import FaceKit
import Fluent
import Vapor

/// Fills the gallery and the people directory from the database: every embedding of every active
/// user. Run at start-up, and again when another node changed the data (see `GallerySync`).
enum GalleryLoader {
    static func load(into runtime: FaceRuntime, from db: any Database, logger: Logger) async throws {
        let users = try await User.query(on: db).filter(\.$isActive == true).all()
        let active = Set(users.compactMap(\.id))
        var names: [Int: String] = [:]
        for user in users { if let id = user.id { names[id] = user.name } }
        var entries: [(embeddingID: Int, personID: Int, embedding: Embedding)] = []
        for row in try await FaceEmbedding.query(on: db).all() {
            guard let id = row.id, active.contains(row.$user.id) else { continue }
            do {
                entries.append((id, row.$user.id, try row.decodedEmbedding()))
            } catch {
                logger.error("face_embeddings row \(id) is unreadable and is left out of the gallery: \(error)")
            }
        }
        runtime.people.replaceAll(names)
        runtime.gallery.replaceAll(entries)
        logger.info("gallery loaded: \(entries.count) embeddings of \(names.count) active people")
    }
}
