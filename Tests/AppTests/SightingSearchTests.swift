@testable import App
import FaceKit
import Fluent
import Foundation
import Testing
import VaporTesting

/// "Who was that?": faces on sightings and search by photo, with real models, photos and streams.
@Suite("Sighting faces and search by photo", .serialized)
struct SightingSearchTests {
    static let sessions = ["lobby", "garage", "door"]
    /// Visits use each john's photos 0…2 (one per session); the searches use photo 10, seen nowhere.
    static let probeIndex = 10

    @Test("five unknown johns visit three sessions; a new photo of each finds that john's sightings first, filters narrow it")
    func searchByPhoto() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "100"]) { app, port in
            let johns = try ["John_Salley", "John_Savage", "John_Schneider", "John_Shimkus", "John_Simm"].map {
                (name: $0, photos: try FaceFixtures.johns($0))
            }
            var rowsOf: [String: [Int]] = [:]
            var rowsIn: [String: [Int]] = [:]
            var boundaries: [Date] = []
            for (index, session) in Self.sessions.enumerated() {
                boundaries.append(Date())
                try await Task.sleep(for: .milliseconds(20))
                for john in johns {
                    let rows = try await SightingTests.visit(john.photos[index], session: session, port: port, app: app)
                    #expect(rows.count == 1, "\(john.name) in \(session): \(rows.count) sightings")
                    rowsOf[john.name, default: []] += rows
                    rowsIn[session, default: []] += rows
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            let all = Set(rowsOf.values.flatMap { $0 })
            #expect(all.count == 15)

            // Every row keeps the face that decided it: a 512-byte embedding, a 112 px JPEG, a quality.
            let stored = try await RecognitionLog.query(on: app.db).all()
            #expect(stored.count == 15)
            for row in stored {
                #expect(row.isUnknown && row.$user.id == nil)
                #expect(row.faceEmbedding?.count == 512)
                let thumbnail = try #require(row.faceThumbnail)
                let decoded = try Image(decoding: thumbnail)
                #expect(decoded.width == 112 && decoded.height == 112)
                #expect((0.0...1.0).contains(try #require(row.faceQuality)))
            }
            #expect(app.sightingIndex.count == 15)

            // GET /api/logs/{id}/face: the JPEG; the listing points at it.
            let first = try #require(rowsOf["John_Salley"]?.first)
            let face = try await app.testing().sendRequest(.GET, "api/logs/\(first)/face", headers: .apiKey(TestKeys.admin))
            #expect(face.status == .ok && face.headers.contentType == .jpeg)
            #expect(try Image(decoding: Data(face.body.readableBytesView)).width == 112)
            let missing = try await app.testing().sendRequest(.GET, "api/logs/999999/face", headers: .apiKey(TestKeys.admin))
            #expect(try missing.status == .notFound && missing.errorBody().error.code == "not_found")
            let listed = try await app.testing().sendRequest(.GET, "api/logs?per_page=100", headers: .apiKey(TestKeys.admin))
            let page = try listed.content.decode(PageDTO<RecognitionLogDTO>.self)
            #expect(page.items.count == 15)
            #expect(page.items.allSatisfy { $0.hasFace && $0.faceURL == "/api/logs/\($0.id)/face" && $0.faceQuality != nil })
            #expect(listed.body.string.contains("\"has_face\":true") && listed.body.string.contains("\"face_url\":\"/api/logs/"))

            for john in johns {
                let probe = john.photos[Self.probeIndex]
                let own = Set(rowsOf[john.name] ?? [])
                let found = try await SightingTests.matches(probe, in: app)
                #expect(Set(found.prefix(own.count).map(\.sighting.id)) == own, "\(john.name): \(found.map { ($0.sighting.id, $0.distance) })")
                #expect(found.allSatisfy { $0.distance < 0.6 })
                #expect(found.allSatisfy { abs($0.confidence - MatchConfidence.confidence(distance: $0.distance)) < 1e-9 })
                #expect(found.map(\.distance) == found.map(\.distance).sorted())
                #expect(found.allSatisfy { $0.sighting.isUnknown && $0.sighting.hasFace })

                // session_id: only that session's sightings; this john's visit there first.
                for session in Self.sessions {
                    let there = try await SightingTests.matches(probe, "session_id=\(session)", in: app)
                    #expect(there.allSatisfy { $0.sighting.sessionID == session })
                    #expect(there.first.map { own.contains($0.sighting.id) } == true, "\(john.name) in \(session)")
                    #expect(Set(there.map(\.sighting.id)) == Set(found.map(\.sighting.id)).intersection(rowsIn[session] ?? []))
                }
                // is_unknown: every sighting was unknown.
                #expect(try await SightingTests.matches(probe, "is_unknown=false", in: app).isEmpty)
                #expect(try await SightingTests.matches(probe, "is_unknown=true", in: app).map(\.sighting.id) == found.map(\.sighting.id))
                // from/to: the garage visits began at boundaries[1], the door visits at boundaries[2].
                let from = ISO8601DateFormatter.fractional.string(from: boundaries[1])
                let to = ISO8601DateFormatter.fractional.string(from: boundaries[2])
                let garage = try await SightingTests.matches(probe, "from=\(from)&to=\(to)", in: app)
                #expect(Set(garage.map(\.sighting.id)) == Set(found.map(\.sighting.id)).intersection(rowsIn["garage"] ?? []))
                let later = try await SightingTests.matches(probe, "from=\(from)", in: app)
                #expect(later.allSatisfy { $0.sighting.sessionID != "lobby" } && later.count == found.filter { $0.sighting.sessionID != "lobby" }.count)
                // limit
                let one = try await SightingTests.matches(probe, "limit=1", in: app)
                #expect(one.map(\.sighting.id) == Array(found.prefix(1).map(\.sighting.id)))
            }

            // The parameters may come in the body too: multipart fields, JSON fields (which win over the query).
            let simm = try #require(johns.last)
            let inDoor = try await SightingTests.matches(simm.photos[Self.probeIndex], fields: [("session_id", "door"), ("limit", "5")],
                                                         multipart: true, in: app)
            #expect(inDoor.first.map { rowsOf["John_Simm"]?.contains($0.sighting.id) == true } == true && inDoor.allSatisfy { $0.sighting.sessionID == "door" })
            let jsonWins = try await SightingTests.matches(simm.photos[Self.probeIndex], "session_id=lobby", fields: [("session_id", "garage")], in: app)
            #expect(!jsonWins.isEmpty && jsonWins.allSatisfy { $0.sighting.sessionID == "garage" })
            let tight = try await SightingTests.matches(simm.photos[Self.probeIndex], "max_distance=0.05", in: app)
            #expect(tight.isEmpty)

            // Not one face, or bad parameters: 422.
            let group = try await SightingTests.search("dlib/faces/bald_guys.jpg", in: app)
            #expect(try group.status == .unprocessableEntity && group.errorBody().error.code == "multiple_faces")
            let gradient = try SyntheticImages.gradient()
            let none = try await app.testing().sendRequest(.POST, "api/logs/search", headers: .json(),
                                                           body: .json(["image": gradient.base64EncodedString()]))
            #expect(try none.status == .unprocessableEntity && none.errorBody().error.code == "no_face")
            for query in ["limit=0", "limit=101", "max_distance=0", "max_distance=3", "from=soon", "user_id=x", "is_unknown=maybe",
                          "from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z"] {
                let bad = try await SightingTests.search(simm.photos[Self.probeIndex], query, in: app)
                #expect(try bad.status == .unprocessableEntity && bad.errorBody().error.code == "validation_failed", "\(query)")
            }

            // What start-up loads from the database is what the writer's rows built.
            let reloaded = SightingIndex()
            try await SightingIndexLoader.load(into: reloaded, from: app.db, logger: app.logger)
            #expect(reloaded.count == 15)
            let probe = try await FaceFixtures.embedding(simm.photos[Self.probeIndex])
            #expect(reloaded.search(probe, limit: 15, maxDistance: 2).map(\.id) == app.sightingIndex.search(probe, limit: 15, maxDistance: 2).map(\.id))

            // LOG_RETENTION_DAYS: purged rows leave the index too.
            #expect(try await LogRetention.purge(olderThan: boundaries[1], on: app.db, index: app.sightingIndex) == 5)
            #expect(app.sightingIndex.count == 10)
            let afterPurge = try await SightingTests.matches(simm.photos[Self.probeIndex], in: app)
            #expect(!afterPurge.isEmpty && afterPurge.allSatisfy { $0.sighting.sessionID != "lobby" })
        }
    }

    @Test("SIGHTING_THUMBNAILS=false: sightings keep the embedding (and are found) but have no thumbnail")
    func withoutThumbnails() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "100", "SIGHTING_THUMBNAILS": "false"]) { app, port in
            let photos = try FaceFixtures.johns("John_Schneider")
            let rows = try await SightingTests.visit(photos[0], session: "dark", port: port, app: app)
            let id = try #require(rows.first)
            let row = try #require(try await RecognitionLog.find(id, on: app.db))
            #expect(row.faceEmbedding?.count == 512 && row.faceThumbnail == nil && row.faceQuality != nil)
            let face = try await app.testing().sendRequest(.GET, "api/logs/\(id)/face", headers: .apiKey(TestKeys.admin))
            #expect(try face.status == .notFound && face.errorBody().error.code == "not_found")
            let shown = try await app.testing().sendRequest(.GET, "api/logs/\(id)", headers: .apiKey(TestKeys.admin))
            let dto = try shown.content.decode(RecognitionLogDTO.self)
            #expect(dto.hasFace && dto.faceURL == nil)
            #expect(shown.body.string.contains("\"face_url\":null"))
            let found = try await SightingTests.matches(photos[Self.probeIndex], in: app)
            #expect(found.map(\.sighting.id) == [id])
        }
    }
}

extension ISO8601DateFormatter {
    /// `2024-05-01T12:00:00.123Z`.
    static var fractional: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
