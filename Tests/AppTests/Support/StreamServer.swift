@testable import App
import FaceKit
import Fluent
import Vapor

/// A configured app with the shared face engine, listening on a real port of 127.0.0.1. Holds
/// `EngineTestLock`: stream timing must not depend on what other suites make the engine do.
func withStreamingServer<T>(
    _ environment: [String: String] = [:],
    _ body: (Application, Int) async throws -> T
) async throws -> T {
    try await EngineTestLock.exclusively { try await withApp(environment) { app in
        let config = app.config
        app.faceRuntime = FaceRuntime(engine: FaceFixtures.engine, matchRule: config.matchRule)
        await app.sightingLog.start(interval: 0.1)
        await app.webhooks.start()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw TestSetupError("server has no port") }
        do {
            let result = try await body(app, port)
            await app.streams.closeAll()
            await app.server.shutdown()
            await app.sightingLog.stop()
            await app.webhooks.stop()
            return result
        } catch {
            await app.streams.closeAll()
            await app.server.shutdown()
            await app.sightingLog.stop()
            await app.webhooks.stop()
            throw error
        }
    } }
}

/// Stores a person with the embeddings of the given photos and puts them in the live gallery,
/// as enrolment does.
@discardableResult
func enroll(_ name: String, photos: [String], in app: Application) async throws -> Int {
    let user = User(name: name)
    try await user.save(on: app.db)
    let userID = try user.requireID()
    for photo in photos {
        let embedding = try await FaceFixtures.embedding(photo)
        let row = FaceEmbedding(userID: userID, embedding: embedding, qualityScore: 1)
        try await row.save(on: app.db)
        app.faceRuntime?.gallery.add(embeddingID: try row.requireID(), personID: userID, embedding: embedding)
    }
    app.faceRuntime?.people.set(userID, name: name)
    return userID
}
