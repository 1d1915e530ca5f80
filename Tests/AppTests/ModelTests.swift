@testable import App
import FaceKit
import Fluent
import Foundation
import Testing

@Suite("Models", .serialized)
struct ModelTests {
    @Test func userCreateReadUpdateDelete() async throws {
        try await withApp { app in
            let user = User(name: "Ada Lovelace", email: "ada@example.com", employeeID: "E-1")
            try await user.create(on: app.db)
            let id = try user.requireID()
            let created = try #require(try await User.find(id, on: app.db))
            #expect(created.name == "Ada Lovelace")
            #expect(created.email == "ada@example.com")
            #expect(created.employeeID == "E-1")
            #expect(created.isActive)
            let createdAt = try #require(created.createdAt)
            #expect(abs(createdAt.timeIntervalSinceNow) < 60)

            created.name = "Ada King"
            created.isActive = false
            try await created.update(on: app.db)
            let updated = try #require(try await User.find(id, on: app.db))
            #expect(updated.name == "Ada King")
            #expect(!updated.isActive)
            #expect(try #require(updated.updatedAt) >= createdAt)

            try await updated.delete(on: app.db)
            #expect(try await User.find(id, on: app.db) == nil)
        }
    }

    @Test func embeddingRoundTripIsBitExact() async throws {
        try await withApp { app in
            let user = User(name: "Grace")
            try await user.create(on: app.db)
            let values = Self.awkwardFloats()
            let face = FaceEmbedding(userID: try user.requireID(), embedding: try Embedding(values),
                                     captureAngle: "frontal", qualityScore: 0.875)
            try await face.create(on: app.db)

            let stored = try #require(try await FaceEmbedding.find(try face.requireID(), on: app.db))
            #expect(stored.embedding.count == 512)
            #expect(try stored.decodedEmbedding().values.map(\.bitPattern) == values.map(\.bitPattern))
            #expect(stored.captureAngle == "frontal")
            #expect(stored.qualityScore == 0.875)
            #expect(stored.$user.id == user.id)
        }
    }

    @Test func recognitionLogKeepsItsFields() async throws {
        try await withApp { app in
            let seen = Date(timeIntervalSince1970: 1_700_000_000.25)
            let log = RecognitionLog(userID: nil, trackID: "7", confidence: 0.42, isUnknown: true,
                                     bbox: [120, 80, 140, 141], sessionID: "s-1", createdAt: seen)
            try await log.create(on: app.db)
            let stored = try #require(try await RecognitionLog.find(try log.requireID(), on: app.db))
            #expect(stored.$user.id == nil)
            #expect(stored.trackID == "7" && stored.sessionID == "s-1")
            #expect(stored.confidence == 0.42 && stored.isUnknown)
            #expect(stored.framePosition == "[120,80,140,141]")
            #expect(stored.bbox == [120, 80, 140, 141])
            #expect(abs(stored.createdAt.timeIntervalSince(seen)) < 0.001)
        }
    }

    @Test func deletingAUserCascadesToFacesAndNullsLogs() async throws {
        try await withApp { app in
            let user = User(name: "Linus"), other = User(name: "Ken")
            try await user.create(on: app.db)
            try await other.create(on: app.db)
            let embedding = try Embedding([Float](repeating: 0.25, count: 128))
            for owner in [user, user, other] {
                try await FaceEmbedding(userID: try owner.requireID(), embedding: embedding, qualityScore: 0.9).create(on: app.db)
            }
            for track in ["1", "2"] {
                try await RecognitionLog(userID: user.id, trackID: track, confidence: 0.9, isUnknown: false,
                                         bbox: [0, 0, 10, 10], sessionID: "s").create(on: app.db)
            }

            try await user.delete(on: app.db)

            #expect(try await FaceEmbedding.query(on: app.db).filter(\.$user.$id == user.id!).count() == 0)
            #expect(try await FaceEmbedding.query(on: app.db).count() == 1)  // Ken's face stays
            let logs = try await RecognitionLog.query(on: app.db).all()
            #expect(logs.count == 2)
            #expect(logs.allSatisfy { $0.$user.id == nil })
        }
    }

    @Test func emailAndEmployeeIDAreUniqueButOptional() async throws {
        try await withApp { app in
            try await User(name: "A", email: "same@example.com", employeeID: "E-7").create(on: app.db)
            let email = await #expect(throws: (any Error).self) {
                try await User(name: "B", email: "same@example.com").create(on: app.db)
            }
            #expect(email.map(DatabaseFailure.isConstraintViolation) == true)
            let employee = await #expect(throws: (any Error).self) {
                try await User(name: "C", employeeID: "E-7").create(on: app.db)
            }
            #expect(employee.map(DatabaseFailure.isConstraintViolation) == true)
            // NULLs don't collide.
            try await User(name: "D").create(on: app.db)
            try await User(name: "E").create(on: app.db)
            #expect(try await User.query(on: app.db).count() == 3)
        }
    }

    @Test func embeddingRejectsWrongByteCount() {
        let face = FaceEmbedding()
        face.embedding = Data(count: 100)
        #expect(throws: FaceKitError.self) { try face.decodedEmbedding() }
    }

    /// 128 finite floats that break sloppy storage: ±0, subnormals, extremes, random bit patterns.
    static func awkwardFloats() -> [Float] {
        var values: [Float] = [
            0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
            Float(bitPattern: 0x0000_0F0F), Float(bitPattern: 0x8070_0001), .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, .ulpOfOne, 1 / 3, -0.6,
        ]
        var generator = SystemRandomNumberGenerator()
        while values.count < 128 {
            let candidate = Float(bitPattern: UInt32.random(in: .min ... .max, using: &generator))
            if candidate.isFinite { values.append(candidate) }
        }
        return values
    }
}
