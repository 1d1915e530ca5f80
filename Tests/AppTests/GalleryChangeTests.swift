@testable import App
import FaceKit
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

/// Nodes sharing one PostgreSQL follow each other's changes by notification (`gallery_changes`,
/// `GalleryChangeListener`). The periodic check is turned off (GALLERY_SYNC_SECONDS at its maximum,
/// a day), so only notifications and the change sequence can deliver.
@Suite("Gallery change notifications across nodes", .serialized, .enabled(if: TestDatabase.isPostgres, "needs FACESTREAM_TEST_DB=postgres"))
struct GalleryChangeTests {
    static let noPolling = ["GALLERY_SYNC_SECONDS": "86400"]

    @Test func anotherNodeFollowsEveryKindOfChange() async throws {
        try await withTwoNodes(Self.noPolling) { a, b in
            let shimkus = try FaceFixtures.johns("John_Shimkus")
            let person = try await Self.createPerson("Shimkus", on: a)
            let faces = try await Self.enroll(Array(shimkus.prefix(2)), for: person, on: a)
            #expect(faces.count == 2)
            #expect(try await eventually { try b.galleryContent(of: person) == (Set(faces), "Shimkus") })
            let probe = try FaceFixtures.data(shimkus[5])
            #expect(try await Self.recognize(probe, on: b) == person)

            // Deactivated, then active again.
            try await Self.patch(person, ["is_active": false], on: a)
            #expect(try await eventually { try b.galleryContent(of: person) == ([], nil) })
            #expect(try await Self.recognize(probe, on: b) == nil)
            try await Self.patch(person, ["is_active": true], on: a)
            #expect(try await eventually { try b.galleryContent(of: person) == (Set(faces), "Shimkus") })

            // Renamed; one face deleted.
            try await Self.patch(person, ["name": "John Shimkus"], on: a)
            #expect(try await eventually { try b.galleryContent(of: person).name == "John Shimkus" })
            #expect(try await a.testing().sendRequest(.DELETE, "api/users/\(person)/faces/\(faces[0])", headers: .json()).status == .noContent)
            #expect(try await eventually { try b.galleryContent(of: person) == ([faces[1]], "John Shimkus") })

            // Another person merged into this one: their face changes hands.
            let twin = try await Self.createPerson("Shimkus twin", on: a)
            let twinFaces = try await Self.enroll([shimkus[2]], for: twin, on: a)
            #expect(try await eventually { try b.galleryContent(of: twin).faces == Set(twinFaces) })
            let merge = try await a.testing().sendRequest(.POST, "api/users/\(person)/merge", headers: .json(), body: .json(["from_user_id": twin]))
            #expect(merge.status == .ok)
            #expect(try await eventually {
                try b.galleryContent(of: twin) == ([], nil) && b.galleryContent(of: person).faces == Set([faces[1]] + twinFaces)
            })

            // Deleted.
            #expect(try await a.testing().sendRequest(.DELETE, "api/users/\(person)", headers: .json()).status == .noContent)
            #expect(try await eventually { try b.galleryContent(of: person) == ([], nil) && b.faceRuntime?.gallery.count == 0 })
            #expect(try await Self.recognize(probe, on: b) == nil)
        }
    }

    @Test func aNodeCatchesUpAfterItsListeningConnectionWasTerminated() async throws {
        // B waits 3 s before reconnecting: A's change lands while B is not listening.
        try await withTwoNodes(Self.noPolling, adjustB: { $0.galleryListenerRetryDelay = .seconds(3) }) { a, b in
            let listener = try #require(b.galleryChangeLog).listenerName
            var before: [Int] = []
            #expect(try await eventually { before = try await a.backends(named: listener); return before.count == 1 })

            let schneider = try FaceFixtures.johns("John_Schneider")
            let person = try await Self.createPerson("Schneider", on: a)
            let first = try await Self.enroll([schneider[0]], for: person, on: a)
            #expect(try await eventually { try b.galleryContent(of: person).faces == Set(first) })

            try await a.sqlRun("SELECT pg_terminate_backend(\(try #require(before.first)))")
            #expect(try await eventually { try await a.backends(named: listener).isEmpty })
            let second = try await Self.enroll([schneider[1]], for: person, on: a)
            let other = try await Self.createPerson("Salley", on: a)
            let salley = try await Self.enroll([try FaceFixtures.johns("John_Salley")[0]], for: other, on: a)

            #expect(try await eventually(within: .seconds(30)) {
                try b.galleryContent(of: person).faces == Set(first + second) && b.galleryContent(of: other).faces == Set(salley)
            })
            let after = try await a.backends(named: listener)
            #expect(after.count == 1 && after != before)
            // Listening again: the next change arrives by notification.
            #expect(try await a.testing().sendRequest(.DELETE, "api/users/\(other)", headers: .json()).status == .noContent)
            #expect(try await eventually { try b.galleryContent(of: other) == ([], nil) })
            #expect(await b.galleryChangeFollower?.fullReloads == 0)
        }
    }

    /// The follower on its own (no listener): rows of other nodes are applied, its own skipped, and a
    /// gap it cannot bridge (rows pruned before it read them) reloads everything.
    @Test func theFollowerAppliesOtherNodesRowsAndReloadsAcrossAPrunedGap() async throws {
        try await withFaceApp(Self.noPolling) { app in
            let engine = try #require(app.faceRuntime).engine
            let runtime = FaceRuntime(engine: engine, matchRule: MatchRule(maxDistance: 0.6, minConfidence: 0))
            let sightings = SightingIndex()
            let follower = GalleryChangeFollower(runtime: runtime, sightings: sightings, metrics: app.faceStreamMetrics, db: app.db,
                                                 logger: app.logger, nodeID: "this-node",
                                                 startingAfter: try await GalleryChangeLog.bounds(on: app.db).newest ?? 0)
            let (elsewhere, here) = (GalleryChangeLog(nodeID: "other-node"), GalleryChangeLog(nodeID: "this-node"))
            let photos = try FaceFixtures.johns("John_Savage")

            let user = User(name: "Savage")
            try await user.create(on: app.db)
            let userID = try user.requireID()
            let face = try await Self.storeFace(photos[0], of: userID, on: app)
            try await elsewhere.record(.person, of: userID, on: app.db)
            try await follower.catchUp()
            #expect(runtime.gallery.embeddingIDs(of: userID) == [face] && runtime.people.name(of: userID) == "Savage")

            // Its own change: already applied when it was made, so not read again.
            let ownFace = try await Self.storeFace(photos[1], of: userID, on: app)
            try await here.record(.person, of: userID, on: app.db)
            try await follower.catchUp()
            #expect(runtime.gallery.embeddingIDs(of: userID) == [face])

            // Two changes of another node, the older one pruned before this node read it.
            let third = try await Self.storeFace(photos[2], of: userID, on: app)
            try await elsewhere.record(.person, of: userID, on: app.db)
            try await elsewhere.record(.person, of: userID, on: app.db)
            #expect(try await GalleryChangeLog.prune(before: .distantFuture, on: app.db) == 3)
            try await follower.catchUp()
            #expect(await follower.fullReloads == 1)
            #expect(runtime.gallery.embeddingIDs(of: userID) == [face, ownFace, third])
            #expect(await follower.lastRead == (try await GalleryChangeLog.bounds(on: app.db).newest))
        }
    }

    // MARK: helpers

    static func createPerson(_ name: String, on app: Application) async throws -> Int {
        let response = try await app.testing().sendRequest(.POST, "api/users", headers: .json(), body: .json(["name": name]))
        guard response.status == .created else { throw TestSetupError("creating \(name): \(response.status)") }
        return try response.content.decode(UserDTO.self).id
    }

    /// Enrols photos through the API; returns the new face ids.
    static func enroll(_ photos: [String], for person: Int, on app: Application) async throws -> [Int] {
        let images = try photos.map { try FaceFixtures.data($0).base64EncodedString() }
        let response = try await app.testing().sendRequest(.POST, "api/users/\(person)/faces", headers: .json(), body: .json(["images": images]))
        guard response.status == .created else { throw TestSetupError("enrolling for \(person): \(response.status) \(response.body.string)") }
        return try response.content.decode(EnrollmentResultDTO.self).created.map(\.id)
    }

    static func patch(_ person: Int, _ fields: [String: AnyEncodableValue], on app: Application) async throws {
        let response = try await app.testing().sendRequest(.PATCH, "api/users/\(person)", headers: .json(), body: .json(fields))
        guard response.status == .ok else { throw TestSetupError("updating \(person): \(response.status) \(response.body.string)") }
    }

    /// Who the node answers for the one face of a photo (nil: unknown).
    static func recognize(_ photo: Data, on app: Application) async throws -> Int? {
        let body = try ByteBuffer.json(SingleImageRequest(image: photo.base64EncodedString()))
        let response = try await app.testing().sendRequest(.POST, "api/recognize", headers: .json(), body: body)
        return try response.content.decode(RecognitionResultDTO.self).faces.first?.userID
    }

    /// A face row written straight to the database (as another node would), not through this app.
    static func storeFace(_ photo: String, of userID: Int, on app: Application) async throws -> Int {
        let row = FaceEmbedding(userID: userID, embedding: try await FaceFixtures.embedding(photo), qualityScore: 0.8)
        try await row.create(on: app.db)
        return try row.requireID()
    }
}

/// A JSON value of a PATCH body: a name or a flag.
enum AnyEncodableValue: Encodable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    case string(String)
    case bool(Bool)

    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }
}

extension Application {
    func sqlRun(_ query: String) async throws {
        guard let sql = db as? any SQLDatabase else { throw TestSetupError("PostgreSQL is an SQL database") }
        try await sql.raw(SQLQueryString(query)).run()
    }
}
