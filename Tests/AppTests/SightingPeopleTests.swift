@testable import App
import FaceKit
import Fluent
import Foundation
import Testing
import VaporTesting

/// Logged photos, merging people and forgetting a deleted person's faces, with real models.
@Suite("Logged photos, merging people, deleting biometric data", .serialized)
struct SightingPeopleTests {
    @Test("POST /api/recognize?log=true writes one sighting per face, with its embedding, thumbnail and quality")
    func restLogging() async throws {
        try await withFaceApp { app in
            let obama = try await createUser("Barack Obama", in: app)
            let enrol = try await app.testing().sendRequest(.POST, "api/users/\(obama.id)/faces", headers: MultipartBody.headers(),
                                                           body: try MultipartBody.photos(["face_recognition/obama.jpg"]).body)
            #expect(enrol.status == .created, "\(enrol.body.string)")

            // Without log=true nothing is written.
            let plain = try await app.testing().sendRequest(.POST, "api/recognize", headers: MultipartBody.headers(),
                                                           body: try MultipartBody.photos(["face_recognition/obama2.jpg"]).body)
            #expect(plain.status == .ok)
            await app.sightingLog.flush()
            #expect(try await RecognitionLog.query(on: app.db).count() == 0)

            let logged = try await app.testing().sendRequest(.POST, "api/recognize?log=true&session_id=front-door",
                                                            headers: MultipartBody.headers(),
                                                            body: try MultipartBody.photos(["face_recognition/obama2.jpg"]).body)
            #expect(logged.status == .ok, "\(logged.body.string)")
            let answer = try #require(try logged.content.decode(RecognitionResultDTO.self).faces.first)
            #expect(answer.userID == obama.id)
            #expect(await app.sightingLog.flush())
            let rows = try await RecognitionLog.query(on: app.db).all()
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(row.$user.id == obama.id && !row.isUnknown && row.sessionID == "front-door" && !row.trackID.isEmpty)
            #expect(row.bbox == answer.bbox && abs(row.confidence - answer.confidence) < 1e-9)
            #expect(row.faceEmbedding?.count == 512 && abs((row.faceQuality ?? -1) - answer.quality) < 1e-9)
            let thumbnail = try Image(decoding: try #require(row.faceThumbnail))
            #expect(thumbnail.width == 112 && thumbnail.height == 112)
            // The stored embedding is the one recognition used: its distance to the enrolled face is the answer's.
            let embedding = try #require(row.decodedFaceEmbedding)
            let enrolled = try #require(try await FaceEmbedding.query(on: app.db).first()).decodedEmbedding()
            #expect(abs(Double(embedding.distance(to: enrolled)) - (answer.distance ?? -1)) < 1e-5)

            // A group photo: every face, unknown, in session "rest".
            let group = try await app.testing().sendRequest(.POST, "api/recognize?log=true", headers: MultipartBody.headers(),
                                                           body: try MultipartBody.photos(["dlib/faces/2008_002470.jpg"]).body)
            let faces = try group.content.decode(RecognitionResultDTO.self).faces
            #expect(faces.count >= 2)
            #expect(await app.sightingLog.flush())
            let groupRows = try await RecognitionLog.query(on: app.db).filter(\.$sessionID == "rest").all()
            #expect(groupRows.count == faces.count)
            #expect(Set(groupRows.map(\.trackID)).count == faces.count)
            #expect(groupRows.allSatisfy { $0.faceEmbedding?.count == 512 && $0.faceThumbnail != nil && $0.faceQuality != nil })
            #expect(Set(groupRows.compactMap(\.bbox).map { $0.description }) == Set(faces.map(\.bbox.description)))
            #expect(try await SightingTests.count(app, "recognition_logs") == 1 + faces.count)

            // Logged photos are found by photo like stream sightings, known ones by user_id.
            let found = try await SightingTests.matches("face_recognition/obama3.jpg", "user_id=\(obama.id)&is_unknown=false", in: app)
            #expect(found.map(\.sighting.id) == [try row.requireID()] && found.first?.sighting.userName == "Barack Obama")

            let bad = try await app.testing().sendRequest(.POST, "api/recognize?log=true&session_id=no%20spaces",
                                                         headers: MultipartBody.headers(),
                                                         body: try MultipartBody.photos(["face_recognition/obama2.jpg"]).body)
            #expect(try bad.status == .unprocessableEntity && bad.errorBody().error.code == "validation_failed")
        }
    }

    @Test("merging moves faces and sightings into the person kept, deletes the other, and recognition follows at once")
    func merge() async throws {
        try await withFaceApp { app in
            let salley = try FaceFixtures.johns("John_Salley")
            let kept = try await createUser("John Salley", in: app)
            let twin = try await createUser("J. Salley", in: app)
            try await addFaces(Array(salley[0...1]), to: kept.id, in: app)
            try await addFaces(Array(salley[2...3]), to: twin.id, in: app)
            var sightings: [SightingLogWriter.Sighting] = []
            for photo in salley[4...6] { sightings.append(try await SightingTests.sighting(of: photo, userID: twin.id)) }
            sightings.append(try await SightingTests.sighting(of: salley[7], userID: kept.id))
            try await SightingTests.store(sightings, in: app)

            // Errors first: themselves, unknown people, a body without the field.
            let selfMerge = try await mergeRequest(kept.id, from: kept.id, in: app)
            #expect(try selfMerge.status == .unprocessableEntity && selfMerge.errorBody().error.code == "validation_failed")
            let unknownSource = try await mergeRequest(kept.id, from: 999_999, in: app)
            #expect(try unknownSource.status == .notFound && unknownSource.errorBody().error.code == "not_found")
            let unknownTarget = try await mergeRequest(999_999, from: twin.id, in: app)
            #expect(unknownTarget.status == .notFound)
            let noField = try await app.testing().sendRequest(.POST, "api/users/\(kept.id)/merge", headers: .json(), body: .json(["from": 1]))
            #expect(noField.status == .unprocessableEntity)

            let merged = try await mergeRequest(kept.id, from: twin.id, in: app)
            #expect(merged.status == .ok, "\(merged.body.string)")
            let user = try merged.content.decode(UserDTO.self)
            #expect(user.id == kept.id && user.faceCount == 4 && user.name == "John Salley")
            let gone = try await app.testing().sendRequest(.GET, "api/users/\(twin.id)", headers: .apiKey(TestKeys.admin))
            #expect(gone.status == .notFound)

            // Counted through the API and straight in the database.
            let logs = try await app.testing().sendRequest(.GET, "api/logs?user_id=\(kept.id)", headers: .apiKey(TestKeys.admin))
            #expect(try logs.content.decode(PageDTO<RecognitionLogDTO>.self).total == 4)
            let faces = try await app.testing().sendRequest(.GET, "api/users/\(kept.id)/faces", headers: .apiKey(TestKeys.admin))
            #expect(try faces.content.decode(FaceListDTO.self).items.count == 4)
            #expect(try await SightingTests.count(app, "face_embeddings WHERE user_id = \(kept.id)") == 4)
            #expect(try await SightingTests.count(app, "face_embeddings WHERE user_id = \(twin.id)") == 0)
            #expect(try await SightingTests.count(app, "recognition_logs WHERE user_id = \(kept.id)") == 4)
            #expect(try await SightingTests.count(app, "recognition_logs WHERE user_id = \(twin.id)") == 0)
            #expect(try await SightingTests.count(app, "users") == 1)

            // The gallery knows only the person kept, with all four faces; the search index too.
            let runtime = try #require(app.faceRuntime)
            #expect(runtime.gallery.count == 4)
            #expect(runtime.identify(try await FaceFixtures.embedding(salley[8])).userID == kept.id)
            let found = try await SightingTests.matches(salley[9], "user_id=\(kept.id)", in: app)
            #expect(found.count == 4 && found.allSatisfy { $0.sighting.userID == kept.id && $0.sighting.userName == "John Salley" })
            #expect(try await SightingTests.matches(salley[9], "user_id=\(twin.id)", in: app).isEmpty)
        }
    }

    @Test("deleting a person leaves no embedding or thumbnail of theirs in the database, and search no longer finds them")
    func deletionForgetsFaces() async throws {
        try await withFaceApp { app in
            let simm = try FaceFixtures.johns("John_Simm"), savage = try FaceFixtures.johns("John_Savage")
            let person = try await createUser("John Simm", in: app)
            let other = try await createUser("John Savage", in: app)
            try await addFaces(Array(simm[0...1]), to: person.id, in: app)
            try await addFaces([savage[0]], to: other.id, in: app)
            var sightings: [SightingLogWriter.Sighting] = []
            for photo in simm[2...4] { sightings.append(try await SightingTests.sighting(of: photo, userID: person.id)) }
            sightings.append(try await SightingTests.sighting(of: savage[1], userID: other.id))
            sightings.append(try await SightingTests.sighting(of: savage[2], userID: nil))
            let ids = try await SightingTests.store(sightings, in: app)
            #expect(ids.count == 5)
            #expect(try await SightingTests.matches(simm[9], "user_id=\(person.id)", in: app).count == 3)

            // A sighting of theirs still queued when they are deleted is stored without its face.
            await app.sightingLog.enqueue(try await SightingTests.sighting(of: simm[5], userID: person.id))

            let deleted = try await app.testing().sendRequest(.DELETE, "api/users/\(person.id)", headers: .apiKey(TestKeys.admin))
            #expect(deleted.status == .noContent)
            #expect(await app.sightingLog.flush())

            #expect(try await SightingTests.count(app, "face_embeddings WHERE user_id = \(person.id)") == 0)
            #expect(try await SightingTests.count(app, "face_embeddings") == 1)
            // The rows stay (detached): six, of which only the other person's and the stranger's keep a face.
            #expect(try await SightingTests.count(app, "recognition_logs") == 6)
            #expect(try await SightingTests.count(app, "recognition_logs WHERE user_id = \(person.id)") == 0)
            let withFace = "recognition_logs WHERE face_embedding IS NOT NULL OR face_thumbnail IS NOT NULL OR face_quality IS NOT NULL"
            #expect(try await SightingTests.count(app, withFace) == 2)
            let theirs = ids.prefix(3).map(String.init).joined(separator: ",")
            #expect(try await SightingTests.count(app, "recognition_logs WHERE id IN (\(theirs)) AND user_id IS NULL AND face_embedding IS NULL AND face_thumbnail IS NULL AND face_quality IS NULL") == 3)

            // Search: nothing of theirs, by any filter; their former rows have no face to show.
            let found = try await SightingTests.matches(simm[9], "max_distance=2&limit=100", in: app)
            #expect(Set(found.map(\.sighting.id)) == Set(ids.suffix(2)))
            #expect(app.sightingIndex.count == 2)
            let face = try await app.testing().sendRequest(.GET, "api/logs/\(ids[0])/face", headers: .apiKey(TestKeys.admin))
            #expect(face.status == .notFound)
            let row = try await app.testing().sendRequest(.GET, "api/logs/\(ids[0])", headers: .apiKey(TestKeys.admin))
            let dto = try row.content.decode(RecognitionLogDTO.self)
            #expect(!dto.hasFace && dto.faceURL == nil && dto.faceQuality == nil && dto.userID == nil)

            // Deleting everyone clears the faces of every sighting that named someone; the stranger's stays.
            #expect(try await PeopleChanges.deleteEveryone(on: app.db, gallery: GalleryUpdates(app)) == 1)
            #expect(try await SightingTests.count(app, withFace) == 1)
            #expect(try await SightingTests.count(app, "face_embeddings") == 0)
            #expect(try await SightingTests.matches(savage[3], "max_distance=2", in: app).map(\.sighting.id) == [ids[4]])
        }
    }

    private func mergeRequest(_ target: Int, from source: Int, in app: Application) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "api/users/\(target)/merge", headers: .json(), body: .json(["from_user_id": source]))
    }

    /// Enrols photos through the API.
    private func addFaces(_ photos: [String], to userID: Int, in app: Application) async throws {
        let response = try await app.testing().sendRequest(.POST, "api/users/\(userID)/faces", headers: MultipartBody.headers(),
                                                          body: try MultipartBody.photos(photos).body)
        #expect(response.status == .created, "\(response.body.string)")
    }
}
