@testable import App
import FaceKit
import Fluent
import Foundation
import Testing
import Vapor

/// `/ws/recognize` with real photos, a real port and a real WebSocket client.
@Suite("Streaming recognition", .serialized)
struct StreamRecognitionTests {
    let composer = FrameComposer(width: 640, height: 480)

    @Test("a face moving across frames keeps one track id and the right name; one log row per settled track")
    func movingFace() async throws {
        // A generous time to live: the test is about following the face, not about expiry.
        try await withStreamingServer(["TRACK_TTL_SECONDS": "5"]) { app, port in
            let salley = try FaceFixtures.johns("John_Salley")
            let userID = try await enroll("John Salley", photos: Array(salley.prefix(3)), in: app)
            try await enroll("John Simm", photos: Array(try FaceFixtures.johns("John_Simm").prefix(3)), in: app)
            let client = try await StreamClient.connect(port: port)
            let session = try await client.next()
            #expect(session.type == "session" && session.maxFrameRate == 5)
            let photo = try FaceFixtures.image(salley[5])
            var trackIDs = Set<String>()
            var names: [String?] = []
            for frame in 1...12 {
                // Moves 14 px right and 6 px down per frame and grows slowly.
                let jpeg = try composer.jpeg([.init(photo: photo, x: 60 + frame * 14, y: 80 + frame * 6, size: 180 + frame * 3)])
                try await client.sendFrame(jpeg, id: frame, timestamp: 1000 + frame)
                let result = try await client.next()
                #expect(result.type == "recognition_result" && result.frameID == frame && result.timestamp == Double(1000 + frame))
                let faces = try #require(result.faces)
                #expect(faces.count == 1)
                guard let face = faces.first else { continue }
                trackIDs.insert(face.trackID)
                names.append(face.userName)
                // The box follows the photo: its centre lies inside the pasted square.
                #expect(face.bbox[0] > 60 + frame * 14 && face.bbox[0] + face.bbox[2] < 60 + frame * 14 + 180 + frame * 3)
                // Paced like a 5 fps camera so the rate limit never applies.
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(trackIDs.count == 1)
            // Named from the first frame: its one look is a decisive match (well inside the 0.6
            // limit), which settles a track at once instead of waiting for a second agreeing look.
            #expect(names.count == 12 && names.allSatisfy { $0 == "John Salley" })
            await client.close()
            try await waitForLogs(app, count: 1)
            let rows = try await RecognitionLog.query(on: app.db).all()
            #expect(rows.count == 1)
            #expect(rows.first?.$user.id == userID && rows.first?.isUnknown == false)
            #expect(rows.first?.trackID == trackIDs.first && rows.first?.sessionID == session.sessionID)
        }
    }

    @Test("two people in one frame get two ids and their own names; an unknown face stays unknown")
    func twoPeopleAndAStranger() async throws {
        try await withStreamingServer { app, port in
            let salley = try FaceFixtures.johns("John_Salley"), simm = try FaceFixtures.johns("John_Simm")
            try await enroll("John Salley", photos: Array(salley.prefix(3)), in: app)
            try await enroll("John Simm", photos: Array(simm.prefix(3)), in: app)
            let client = try await StreamClient.connect(port: port)
            _ = try await client.next()
            let left = try FaceFixtures.image(salley[7]), right = try FaceFixtures.image(simm[7])
            let stranger = try FaceFixtures.image("face_recognition/obama.jpg")
            var last: [StreamClient.Face] = []
            var strangerFaces: [StreamClient.Face] = []
            for frame in 1...6 {
                let jpeg = try composer.jpeg([
                    .init(photo: left, x: 20 + frame * 4, y: 120, size: 170),
                    .init(photo: right, x: 420 - frame * 4, y: 130, size: 170),
                ])
                try await client.sendFrame(jpeg, id: frame)
                last = try #require(try await client.next().faces)
                #expect(last.count == 2)
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(Set(last.map(\.trackID)).count == 2)
            let byX = last.sorted { $0.bbox[0] < $1.bbox[0] }
            #expect(byX.map(\.userName) == ["John Salley", "John Simm"])
            #expect(byX.allSatisfy { !$0.isUnknown && $0.confidence >= 0.85 })

            let second = try await StreamClient.connect(port: port)
            _ = try await second.next()
            for frame in 1...5 {
                let jpeg = try composer.jpeg([.init(photo: stranger, x: 150 + frame * 5, y: 40, size: 300)])
                try await second.sendFrame(jpeg, id: frame)
                strangerFaces += try #require(try await second.next().faces)
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(strangerFaces.count == 5)
            #expect(strangerFaces.allSatisfy { $0.isUnknown && $0.userID == nil && $0.userName == nil })
            // Unknown settles on its third look (any poor view of a known face looks unknown too).
            #expect(strangerFaces.map(\.settled) == [false, false, true, true, true])
            #expect(Set(strangerFaces.map(\.trackID)).count == 1)
            await client.close()
            await second.close()
            try await waitForLogs(app, count: 3)
            let rows = try await RecognitionLog.query(on: app.db).all()
            #expect(rows.count == 3) // two known tracks, one unknown track: one row each
            #expect(rows.filter(\.isUnknown).count == 1)
        }
    }

    /// Waits (≤ 5 s) for the batched writer to store `count` rows.
    private func waitForLogs(_ app: Application, count: Int) async throws {
        for _ in 0..<50 {
            await app.sightingLog.flush()
            if try await RecognitionLog.query(on: app.db).count() >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
