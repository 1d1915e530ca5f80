@testable import App
import FaceKit
import Fluent
import Foundation
import Testing

@Suite("Sighting index")
struct SightingIndexTests {
    /// Deterministic unit-ish vectors: `spread` apart per step of `seed`.
    static func embedding(_ seed: Int) -> Embedding {
        var values = [Float](repeating: 0, count: Embedding.dimensions)
        values[seed % Embedding.dimensions] = 0.1 * Float(1 + seed / Embedding.dimensions)
        values[(seed * 7 + 3) % Embedding.dimensions] += 0.05
        return try! Embedding(values)
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func entry(_ id: Int, _ embedding: Embedding, user: Int? = nil, session: String = "a", minute: Int = 0, unknown: Bool? = nil)
        -> SightingIndex.Entry
    {
        .init(id: id, embedding: embedding, userID: user, sessionID: session, seenAt: Self.t0.addingTimeInterval(Double(minute) * 60),
              isUnknown: unknown ?? (user == nil))
    }

    @Test("filters by person, session, unknown and time; nearest first")
    func filters() {
        let index = SightingIndex()
        let face = Self.embedding(1)
        var random = SplitMix(seed: 5)
        var entries: [SightingIndex.Entry] = []
        for id in 1...200 {
            let near = try! Embedding(face.values.map { $0 + Float(random.unit() - 0.5) * 0.02 })
            entries.append(entry(id, near, user: id % 4 == 0 ? nil : id % 4, session: id <= 100 ? "a" : "b", minute: id))
        }
        index.upsert(entries)
        #expect(index.count == 200)
        let all = index.search(face, limit: 500, maxDistance: 1)
        #expect(all.count == 200 && all.map(\.distance) == all.map(\.distance).sorted())
        func ids(_ filter: SightingIndex.Filter) -> Set<Int> { Set(index.search(face, limit: 500, maxDistance: 1, filter: filter).map(\.id)) }
        #expect(ids(.init(userID: 2)) == Set((1...200).filter { $0 % 4 == 2 }))
        #expect(ids(.init(sessionID: "b")) == Set(101...200))
        #expect(ids(.init(sessionID: "nowhere")).isEmpty)
        #expect(ids(.init(isUnknown: true)) == Set((1...200).filter { $0 % 4 == 0 }))
        #expect(ids(.init(from: Self.t0.addingTimeInterval(50 * 60), to: Self.t0.addingTimeInterval(60 * 60))) == Set(50..<60))
        #expect(ids(.init(userID: 1, sessionID: "a", isUnknown: false)) == Set((1...100).filter { $0 % 4 == 1 }))
        #expect(index.search(face, limit: 3, maxDistance: 1).count == 3)
        #expect(index.search(Self.embedding(40), limit: 10, maxDistance: 0.05).isEmpty)
    }

    @Test("a new person with a deleted person's id (SQLite reuses ids) has their sightings found at once")
    func reusedPersonID() {
        let index = SightingIndex()
        let face = Self.embedding(3)
        index.upsert([entry(1, face, user: 4)])
        index.removePerson(4)
        index.upsert([entry(2, face, user: 4)])  // the deleted person's late batch: kept out
        #expect(index.count == 0)
        index.personCreated(4)
        index.upsert([entry(3, face, user: 4)])
        #expect(index.count == 1 && index.search(face, limit: 10, maxDistance: 1).map(\.id) == [3])
    }

    @Test("removals, moves, retention; ids far apart and out of order")
    func changes() {
        let index = SightingIndex()
        let face = Self.embedding(2)
        index.upsert([entry(10, face, user: 1), entry(11, face, user: 2), entry(12, face, user: 1, minute: 5)])
        // Out of order below the first id, and one far away (a jumped sequence).
        index.upsert([entry(3, face, user: 3, minute: -5), entry(5_000_000_000, face, user: 1, minute: 9)])
        #expect(index.count == 5 && index.contains(3) && index.contains(5_000_000_000))
        #expect(Set(index.search(face, limit: 10, maxDistance: 1, filter: .init(userID: 1)).map(\.id)) == [10, 12, 5_000_000_000])
        #expect(index.highestID == 5_000_000_000)

        index.movePerson(1, to: 7)
        #expect(Set(index.search(face, limit: 10, maxDistance: 1, filter: .init(userID: 7)).map(\.id)) == [10, 12, 5_000_000_000])
        index.setPerson(nil, isUnknown: true, forSightings: [12, 3])
        #expect(Set(index.search(face, limit: 10, maxDistance: 1, filter: .init(isUnknown: true)).map(\.id)) == [3, 12])

        index.removeSeen(before: Self.t0)
        #expect(!index.contains(3) && index.count == 4)
        index.removePerson(7)
        #expect(Set(index.search(face, limit: 10, maxDistance: 1).map(\.id)) == [11, 12])
        // A batch stored just before the deletion and handed over just after brings nothing back.
        index.upsert([entry(13, face, user: 7), entry(14, face, user: 2)])
        #expect(!index.contains(13) && index.contains(14))
        index.remove([11, 14])
        #expect(index.search(face, limit: 10, maxDistance: 1).map(\.id) == [12])
        index.removeEveryone([2])
        #expect(index.count == 1)  // 12 names nobody now
        index.removeAll()
        #expect(index.count == 0 && index.search(face, limit: 10, maxDistance: 2).isEmpty)
        index.upsert([entry(20, face)])
        #expect(index.search(face, limit: 10, maxDistance: 1).map(\.id) == [20])
    }

    @Test("the writer's rows (ids from INSERT … RETURNING) reach the index; start-up loading reads the same")
    func writerAndLoader() async throws {
        try await withApp { app in
            let user = User(name: "Ann")
            try await user.save(on: app.db)
            let userID = try user.requireID()
            var sightings: [SightingLogWriter.Sighting] = []
            for i in 0..<1_100 {  // three batches
                sightings.append(SightingLogWriter.Sighting(
                    userID: i % 3 == 0 ? userID : nil, trackID: "\(i)", confidence: 0.5, isUnknown: i % 3 != 0, bbox: [i, 0, 1, 1],
                    sessionID: i < 600 ? "a" : "b", seenAt: Self.t0.addingTimeInterval(Double(i)),
                    embedding: i % 5 == 4 ? nil : Self.embedding(i), thumbnail: i % 2 == 0 ? Data([0xFF, 0xD8, UInt8(i % 256)]) : nil,
                    quality: 0.5))
            }
            let observed = ObservedRows()
            await app.sightingLog.onWritten { rows in await observed.add(rows) }
            for sighting in sightings { await app.sightingLog.enqueue(sighting) }
            #expect(await app.sightingLog.flush())

            let rows = try await RecognitionLog.query(on: app.db).sort(\.$id).all()
            #expect(rows.count == 1_100)
            // The observer saw every row with the id the database gave it, and the fields as stored.
            let seen = await observed.rows
            #expect(seen.count == 1_100)
            for (stored, handed) in zip(rows, seen.sorted { $0.id! < $1.id! }) {
                #expect(stored.id == handed.id && stored.trackID == handed.trackID && stored.faceEmbedding == handed.faceEmbedding)
                #expect(stored.faceThumbnail == handed.faceThumbnail && stored.$user.id == handed.$user.id)
            }
            let byTrack = Dictionary(uniqueKeysWithValues: rows.map { ($0.trackID, $0) })
            #expect(byTrack["4"]?.faceEmbedding == nil && byTrack["3"]?.faceEmbedding == Self.embedding(3).bytes)
            #expect(byTrack["3"]?.faceThumbnail == nil && byTrack["2"]?.faceThumbnail == Data([0xFF, 0xD8, 2]))
            #expect(byTrack["3"]?.createdAt == Self.t0.addingTimeInterval(3) && byTrack["3"]?.$user.id == userID)

            #expect(app.sightingIndex.count == 880)
            let loaded = SightingIndex()
            try await SightingIndexLoader.load(into: loaded, from: app.db, logger: app.logger)
            #expect(loaded.count == 880)
            let probe = Self.embedding(3)
            let filter = SightingIndex.Filter(userID: userID, sessionID: "a")
            #expect(loaded.search(probe, limit: 50, maxDistance: 2, filter: filter).map(\.id)
                == app.sightingIndex.search(probe, limit: 50, maxDistance: 2, filter: filter).map(\.id))
            #expect(try await SightingIndexLoader.loadRows(after: loaded.highestID, into: loaded, from: app.db, logger: app.logger) == 0)

            // Another node's sighting (written straight to the database) is taken in by the catch-up.
            let elsewhere = RecognitionLog(userID: nil, trackID: "n2", confidence: 1, isUnknown: true, bbox: [0, 0, 1, 1], sessionID: "node-2",
                                           createdAt: Self.t0, faceEmbedding: Self.embedding(5000).bytes, faceQuality: 0.6)
            try await elsewhere.create(on: app.db)
            let index = app.sightingIndex
            #expect(try await SightingIndexLoader.loadRows(after: index.highestID, into: index, from: app.db, logger: app.logger) == 1)
            #expect(index.contains(try elsewhere.requireID()) && index.count == 881)
            #expect(index.search(Self.embedding(5000), limit: 1, maxDistance: 0.01, filter: .init(sessionID: "node-2")).map(\.id)
                == [try elsewhere.requireID()])
        }
    }
}

actor ObservedRows {
    var rows: [RecognitionLog] = []
    func add(_ more: [RecognitionLog]) { rows += more }
}

/// A small deterministic generator.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
