@testable import App
import Fluent
import Foundation
import Testing

@Suite("Sighting log writer", .serialized)
struct SightingLogWriterTests {
    func sighting(_ userID: Int?, track: String) -> SightingLogWriter.Sighting {
        .init(userID: userID, trackID: track, confidence: 0.93, isUnknown: userID == nil, bbox: [1, 2, 30, 40],
              sessionID: "s1", seenAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test("batches are written with every field; a person deleted meanwhile is detached, not retried for ever")
    func writesAndDetaches() async throws {
        try await withApp { app in
            let kept = User(name: "Kept")
            try await kept.save(on: app.db)
            let gone = User(name: "Gone")
            try await gone.save(on: app.db)
            let goneID = try gone.requireID()
            try await gone.delete(on: app.db)

            let writer = SightingLogWriter(database: { app.db }, logger: app.logger)
            await writer.enqueue(sighting(try kept.requireID(), track: "1"))
            await writer.enqueue(sighting(goneID, track: "2"))
            await writer.enqueue(sighting(nil, track: "3"))
            #expect(await writer.flush())
            #expect(await writer.pendingCount == 0)

            let rows = try await RecognitionLog.query(on: app.db).sort(\.$trackID).all()
            #expect(rows.map(\.trackID) == ["1", "2", "3"])
            #expect(rows.map(\.$user.id) == [try kept.requireID(), nil, nil])
            #expect(rows[0].bbox == [1, 2, 30, 40] && rows[0].sessionID == "s1" && rows[0].confidence == 0.93)
            #expect(rows[0].createdAt == Date(timeIntervalSince1970: 1_800_000_000))
        }
    }
}
