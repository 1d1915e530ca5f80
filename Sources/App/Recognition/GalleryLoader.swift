import FaceKit
import Fluent
import Vapor

/// Fills the gallery and the people directory from the database: every embedding of every active
/// user. Run at start-up, again when the periodic check (`GallerySync`) finds the data changed, and
/// per person for other nodes' changes (`loadPerson`, from `GalleryChangeFollower`).
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

    /// Makes one person's gallery content what the database holds now: their embeddings and name
    /// while they are active, nothing once they are deactivated or gone.
    static func loadPerson(_ userID: Int, into runtime: FaceRuntime, from db: any Database, logger: Logger) async throws {
        guard let user = try await User.find(userID, on: db), user.isActive else {
            runtime.gallery.removePerson(userID)
            runtime.people.remove(userID)
            return
        }
        let rows = try await FaceEmbedding.query(on: db).filter(\.$user.$id == userID).all()
        var entries: [(embeddingID: Int, embedding: Embedding)] = []
        for row in rows {
            do {
                entries.append((try row.requireID(), try row.decodedEmbedding()))
            } catch {
                logger.error("face_embeddings row \(row.id ?? -1) is unreadable and is left out of the gallery: \(error)")
            }
        }
        // The name first: a search that finds the new embeddings already has it.
        runtime.people.set(userID, name: user.name)
        runtime.gallery.replacePerson(userID, with: entries)
    }
}
