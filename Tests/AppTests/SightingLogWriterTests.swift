@testable import App
import FaceKit
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor

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

    /// The writer's database: the test's real one, or (while `down`) a PostgreSQL on port 1, where
    /// nothing listens, so every insert fails the way it does while the database server is stopped.
    final class SwitchableDatabase: Sendable {
        let up: Application
        let unreachable: Application
        let down = NIOLockedValueBox(true)
        init(up: Application, unreachable: Application) { self.up = up; self.unreachable = unreachable }
        var current: any Database { down.withLockedValue { $0 } ? unreachable.db : up.db }
    }

    func withUnreachableDatabase(_ body: (Application, SwitchableDatabase, String) async throws -> Void) async throws {
        try await withApp { app in
            try await withApp(["DATABASE_URL": "postgres://u@127.0.0.1:1/x"], migrate: false) { unreachable in
                try await body(app, SwitchableDatabase(up: app, unreachable: unreachable), app.config.dataDirectory)
            }
        }
    }

    /// Row `index`: every third one with a face (embedding, thumbnail, quality), as streams log them.
    func numbered(_ index: Int) throws -> SightingLogWriter.Sighting {
        var row = sighting(nil, track: "\(index)")
        if index % 3 == 0 {
            row.embedding = try Embedding((0..<Embedding.dimensions).map { Float($0 + index) / 1000 })
            row.thumbnail = Data([0xFF, 0xD8, UInt8(index % 256), 0xFF, 0xD9])
            row.quality = Double(index) / 100
        }
        return row
    }

    /// Every row of the table by track id (failing on a duplicate), checked against `numbered`.
    func expectStored(_ count: Int, on db: any Database) async throws {
        let rows = try await RecognitionLog.query(on: db).all()
        let byTrack = Dictionary(rows.map { ($0.trackID, $0) }, uniquingKeysWith: { first, _ in
            Issue.record("track \(first.trackID) stored twice")
            return first
        })
        #expect(rows.count == count)
        #expect(Set(byTrack.keys) == Set((1...count).map(String.init)))
        for index in 1...count {
            guard let row = byTrack["\(index)"] else { continue }
            let expected = try numbered(index)
            #expect(row.faceEmbedding == expected.embedding?.bytes, "track \(index)")
            #expect(row.faceThumbnail == expected.thumbnail && row.faceQuality == expected.quality, "track \(index)")
            #expect(row.bbox == [1, 2, 30, 40] && row.createdAt == Date(timeIntervalSince1970: 1_800_000_000))
        }
    }

    @Test("past SIGHTING_QUEUE_ROWS rows go to the spill file while the database is down; all are written once when it returns")
    func spillsPastTheBound() async throws {
        try await withUnreachableDatabase { app, database, dataDirectory in
            let writer = SightingLogWriter(database: { database.current }, logger: app.logger, capacity: 5, spillDirectory: dataDirectory)
            for index in 1...12 { await writer.enqueue(try numbered(index)) }
            #expect(await writer.flush() == false)  // refused: the rows stay
            for index in 13...23 { await writer.enqueue(try numbered(index)) }
            #expect(await writer.flush() == false)
            #expect(await writer.pendingCount == 5)  // the bound, in memory
            #expect(await writer.spilledPendingCount == 18)  // the rest on disk, fsync'd
            #expect(await writer.dropped == 0)

            database.down.withLockedValue { $0 = false }
            #expect(await writer.flush())
            #expect(await writer.pendingCount == 0)
            #expect(await writer.spilledPendingCount == 0)
            try await expectStored(23, on: app.db)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dataDirectory).filter { $0.hasPrefix("sighting-spill") }
            #expect(leftovers.isEmpty, "\(leftovers)")
            #expect(await writer.flush())  // nothing is written twice
            try await expectStored(23, on: app.db)
        }
    }

    @Test("rows still waiting at shutdown with the database down are spilled and written by the next process")
    func nextStartWritesTheSpillFile() async throws {
        try await withUnreachableDatabase { app, database, dataDirectory in
            let first = SightingLogWriter(database: { database.current }, logger: app.logger, capacity: 4, spillDirectory: dataDirectory)
            for index in 1...9 { await first.enqueue(try numbered(index)) }
            await first.stop()
            #expect(await first.pendingCount == 0)
            // The process died in the middle of appending one more row: a torn last line.
            let spillPath = dataDirectory + "/sighting-spill.jsonl"
            let handle = try #require(FileHandle(forWritingAtPath: spillPath))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(#"{"track_id":"torn","confid"#.utf8))
            try handle.close()

            database.down.withLockedValue { $0 = false }
            let next = SightingLogWriter(database: { database.current }, logger: app.logger, capacity: 4, spillDirectory: dataDirectory)
            await next.enqueue(try numbered(10))
            #expect(await next.flush())
            try await expectStored(10, on: app.db)
            #expect(!FileManager.default.fileExists(atPath: spillPath))
        }
    }
}
