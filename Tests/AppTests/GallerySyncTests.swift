@testable import App
import FaceKit
import Fluent
import Testing
import VaporTesting

/// Another node writing to the shared database, simulated by writing rows directly.
@Suite("Gallery sync across nodes", .serialized)
struct GallerySyncTests {
    @Test func reloadsOnlyWhenTheFingerprintChanges() async throws {
        try await withFaceApp { app in
            let runtime = try #require(app.faceRuntime)
            var last = try await GallerySync.check(runtime, last: nil, on: app.db, logger: app.logger)
            #expect(runtime.gallery.count == 0)

            let photos = try FaceFixtures.johns("John_Shimkus")
            let user = User(name: "Shimkus")
            try await user.create(on: app.db)
            let userID = try user.requireID()
            try await FaceEmbedding(userID: userID, embedding: try await FaceFixtures.embedding(photos[0]), qualityScore: 0.8).create(on: app.db)
            last = try await GallerySync.check(runtime, last: last, on: app.db, logger: app.logger)
            #expect(runtime.gallery.count == 1 && runtime.people.name(of: userID) == "Shimkus")

            // Unchanged database: no reload (a row only this gallery has survives).
            runtime.gallery.add(embeddingID: 1_000_000, personID: userID, embedding: try await FaceFixtures.embedding(photos[1]))
            last = try await GallerySync.check(runtime, last: last, on: app.db, logger: app.logger)
            #expect(runtime.gallery.count == 2)

            // Renamed elsewhere, then deactivated elsewhere.
            try await Task.sleep(for: .milliseconds(1100))  // updated_at may have one-second resolution
            user.name = "John Shimkus"
            try await user.save(on: app.db)
            last = try await GallerySync.check(runtime, last: last, on: app.db, logger: app.logger)
            #expect(runtime.gallery.count == 1 && runtime.people.name(of: userID) == "John Shimkus")
            user.isActive = false
            try await user.save(on: app.db)
            last = try await GallerySync.check(runtime, last: last, on: app.db, logger: app.logger)
            #expect(runtime.gallery.count == 0)
        }
    }

    @Test func backgroundSyncPicksUpAnotherNodesEnrollment() async throws {
        try await withFaceApp(["GALLERY_SYNC_SECONDS": "0.2"]) { app in
            let photos = try FaceFixtures.johns("John_Schneider")
            let probe = try ByteBuffer.json(SingleImageRequest(image: try FaceFixtures.data(photos[10]).base64EncodedString()))
            let before = try await app.testing().sendRequest(.POST, "api/recognize", headers: .json(), body: probe)
            #expect(try before.content.decode(RecognitionResultDTO.self).faces.first?.isUnknown == true)

            let user = User(name: "Schneider")
            try await user.create(on: app.db)
            for photo in photos.prefix(2) {
                try await FaceEmbedding(userID: try user.requireID(), embedding: try await FaceFixtures.embedding(photo), qualityScore: 0.8)
                    .create(on: app.db)
            }
            var recognized: Int?
            for _ in 0..<50 where recognized == nil {
                try await Task.sleep(for: .milliseconds(100))
                let response = try await app.testing().sendRequest(.POST, "api/recognize", headers: .json(), body: probe)
                recognized = try response.content.decode(RecognitionResultDTO.self).faces.first?.userID
            }
            #expect(recognized == user.id)
        }
    }
}
