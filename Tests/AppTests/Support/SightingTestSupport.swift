@testable import App
import FaceKit
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Helpers for the tests of sightings' faces: stream visits, search requests, raw SQL.
enum SightingTests {
    static let composer = FrameComposer(width: 640, height: 480)

    /// One visit: a new stream of session `session` shows `photo` (moving a little) for `frames`
    /// frames, then closes. Returns the ids of the sighting rows the visit logged.
    static func visit(_ photo: String, session: String, port: Int, app: Application, frames: Int = 3) async throws -> [Int] {
        let before = try await maxLogID(app)
        let client = try await StreamClient.connect(port: port, query: "api_key=\(TestKeys.admin)&session_id=\(session)")
        let hello = try await client.next()
        #expect(hello.type == "session" && hello.sessionID == session)
        let image = try FaceFixtures.image(photo)
        for frame in 1...frames {
            let jpeg = try composer.jpeg([.init(photo: image, x: 200 + frame * 6, y: 120 + frame * 3, size: 200)])
            try await client.sendFrame(jpeg, id: frame)
            let result = try await client.next()
            #expect(result.type == "recognition_result" && result.faces?.count == 1, "\(photo) frame \(frame): \(result.type) \(result.code ?? "")")
        }
        await client.close()
        // The settled track's row was queued while the frames were answered.
        for _ in 0..<50 {
            await app.sightingLog.flush()
            if try await maxLogID(app) > before { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await RecognitionLog.query(on: app.db).filter(\.$id > before).sort(\.$id).all(\.$id)
    }

    static func maxLogID(_ app: Application) async throws -> Int {
        try await RecognitionLog.query(on: app.db).max(\.$id) ?? 0
    }

    /// `POST /api/logs/search` with a fixture photo as JSON (base64) or multipart, `query` in the URL.
    static func search(_ photo: String, _ query: String = "", fields: [(String, String)] = [], multipart: Bool = false,
                       in app: Application) async throws -> TestingHTTPResponse {
        let path = "api/logs/search" + (query.isEmpty ? "" : "?\(query)")
        if multipart {
            return try await app.testing().sendRequest(.POST, path, headers: MultipartBody.headers(),
                                                       body: try MultipartBody.photos([photo], fields: fields).body)
        }
        var body: [String: String] = ["image": try FaceFixtures.data(photo).base64EncodedString()]
        for (name, value) in fields { body[name] = value }
        return try await app.testing().sendRequest(.POST, path, headers: .json(), body: .json(body))
    }

    /// The matches of a search that must succeed.
    static func matches(_ photo: String, _ query: String = "", fields: [(String, String)] = [], multipart: Bool = false,
                        in app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [SightingMatchDTO] {
        let response = try await search(photo, query, fields: fields, multipart: multipart, in: app)
        #expect(response.status == .ok, "\(photo) \(query): \(response.body.string)", sourceLocation: sourceLocation)
        return try response.content.decode(SightingSearchResultDTO.self).items
    }

    static func sql(_ app: Application) throws -> any SQLDatabase {
        guard let sql = app.db as? any SQLDatabase else { throw TestSetupError("not an SQL database") }
        return sql
    }

    /// `SELECT COUNT(*) AS n FROM …`, straight from the database.
    static func count(_ app: Application, _ query: String) async throws -> Int {
        let row = try await sql(app).raw(SQLQueryString("SELECT COUNT(*) AS n FROM \(unsafeRaw: query)")).first()
        return try #require(row).decode(column: "n", as: Int.self)
    }

    /// A sighting with a real face (the embedding of `photo`) and a stand-in thumbnail, as the writer queues it.
    static func sighting(of photo: String, userID: Int?, session: String = "cam", seenAt: Date = Date()) async throws
        -> SightingLogWriter.Sighting
    {
        let embedding = try await FaceFixtures.embedding(photo)
        let thumbnail = try FaceFixtures.image(photo).thumbnailJPEG(of: BoundingBox(x: 30, y: 30, width: 90, height: 90),
                                                                     settings: ThumbnailSettings())
        return SightingLogWriter.Sighting(userID: userID, trackID: UUID().uuidString, confidence: 0.9, isUnknown: userID == nil,
                                          bbox: [1, 2, 3, 4], sessionID: session, seenAt: seenAt, embedding: embedding,
                                          thumbnail: thumbnail, quality: 0.7)
    }

    /// Queues the sightings and writes them; returns their ids.
    @discardableResult
    static func store(_ sightings: [SightingLogWriter.Sighting], in app: Application) async throws -> [Int] {
        let before = try await maxLogID(app)
        for sighting in sightings { await app.sightingLog.enqueue(sighting) }
        #expect(await app.sightingLog.flush())
        return try await RecognitionLog.query(on: app.db).filter(\.$id > before).sort(\.$id).all(\.$id)
    }
}
