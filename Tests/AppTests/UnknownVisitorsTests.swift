@testable import App
import FaceKit
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// `/api/unknowns` end to end: five people nobody enrolled visit the camera in several sessions
/// (real photos composed into frames, a real WebSocket), their sightings are clustered, one is
/// named and recognised from then on, one is forgotten.
@Suite("Unknown visitors", .serialized)
struct UnknownVisitorsTests {
    static let composer = FrameComposer(width: 640, height: 480)

    /// Which person each logged track showed: `"session/track"` → person.
    typealias Provenance = [String: String]

    @Test("five unknown people over three sessions: five pure clusters that survive the periodic pass; forgetting clears faces")
    func fiveClustersAndForgetting() async throws {
        try await withStreamingServer(["TRACK_TTL_SECONDS": "1.0"]) { app, port in
            let provenance = try await Self.visit(sessions: 3, port: port, in: app)
            let page = try await Self.unknowns(app)
            #expect(page.total == 5)
            #expect(page.items.count == 5)
            try await Self.expectPure(page.items, provenance: provenance, in: app, people: 5)
            // One sighting per visit; a visit's track cut in two by a stalled frame may log one more.
            #expect(page.items.allSatisfy { $0.size >= 3 && $0.sessions.count == 3 && $0.sampleFaces.count == min($0.size, 4) })
            #expect(page.items.allSatisfy { $0.firstSeen < $0.lastSeen })
            let sample = try #require(page.items.first?.sampleFaces.first)
            #expect(sample.hasPrefix("/api/logs/") && sample.hasSuffix("/face"))

            // The periodic pass finds nothing to merge or split: same ids, same members.
            let before = try await Self.membership(app)
            #expect(try await app.unknownClusters.recluster() == 0)
            #expect(try await Self.membership(app) == before)
            // …and a restart (a fresh clusterer loaded from the database) keeps them too.
            let reloaded = UnknownClusters(thresholds: app.config.unknowns.thresholds, database: { app.db }, logger: app.logger)
            try await reloaded.reload()
            #expect(await reloaded.clusterIDs == before.keys.sorted())

            // Paging and min_size.
            let second = try await Self.unknowns(app, query: "per_page=2&page=2")
            #expect(second.items.map(\.id) == page.items.dropFirst(2).prefix(2).map(\.id) && second.total == 5)
            #expect(try await Self.unknowns(app, query: "min_size=4").total == 0)

            // One visitor's sightings through the log API, each naming its visitor.
            let visitor = page.items[1]
            let response = try await app.testing().sendRequest(.GET, "api/logs?unknown_id=\(visitor.id)&per_page=100",
                                                               headers: .apiKey(TestKeys.admin))
            let sightings = try response.content.decode(PageDTO<RecognitionLogDTO>.self)
            #expect(sightings.total == visitor.size && Set(sightings.items.map(\.id)) == Set(before[visitor.id] ?? []))
            #expect(sightings.items.allSatisfy { $0.unknownID == visitor.id && $0.isUnknown })

            // Forgetting one: its rows keep time and place, lose every trace of the face.
            let doomed = page.items[0]
            let rowsBefore = try await RecognitionLog.query(on: app.db).count()
            try await app.testing().test(.DELETE, "api/unknowns/\(doomed.id)", headers: .apiKey(TestKeys.admin)) { res async in
                #expect(res.status == .noContent)
            }
            #expect(try await RecognitionLog.query(on: app.db).count() == rowsBefore)
            let sql = try #require(app.db as? any SQLDatabase)
            let traces = try await sql.raw("""
                SELECT COUNT(*) AS n FROM recognition_logs WHERE id IN (\(binds: before[doomed.id] ?? [])) \
                AND face_embedding IS NULL AND face_thumbnail IS NULL AND face_quality IS NULL AND unknown_cluster_id IS NULL
                """).first().map { try $0.decode(column: "n", as: Int.self) }
            #expect(traces == before[doomed.id]?.count)
            #expect(try await UnknownCluster.find(doomed.id, on: app.db) == nil)
            try await app.testing().test(.GET, "api/unknowns/\(doomed.id)", headers: .apiKey(TestKeys.admin)) { res async in
                #expect(res.status == .notFound)
            }
            #expect(try await Self.unknowns(app).items.map(\.id) == page.items.dropFirst().map(\.id))

            // Merge: one member moved into a cluster of its own (as a second node might have started it)
            // comes back under the larger part's id, and the emptied cluster row is deleted.
            let clusters = try await Self.membership(app)
            let (kept, members) = try #require(clusters.min { $0.key < $1.key })
            let stray = UnknownCluster()
            try await stray.create(on: app.db)
            try await RecognitionLog.query(on: app.db).filter(\.$id == members[0]).set(\.$unknownClusterID, to: stray.id).update()
            #expect(try await app.unknownClusters.recluster() == 1)
            #expect(try await Self.membership(app) == clusters)
            #expect(try await UnknownCluster.find(stray.id, on: app.db) == nil)
            // Split: two people stored as one cluster are parted; the larger part keeps the id (on a tie,
            // the part with the oldest sighting), the other gets a new one.
            let (absorbed, others) = try #require(clusters.filter { $0.key != kept }.min { $0.key < $1.key })
            try await RecognitionLog.query(on: app.db).filter(\.$id ~~ others).set(\.$unknownClusterID, to: kept).update()
            let keeper = members.count != others.count ? (members.count > others.count ? members : others)
                                                        : (members[0] < others[0] ? members : others)
            #expect(try await app.unknownClusters.recluster() == (keeper == members ? others.count : members.count))
            let parted = try await Self.membership(app)
            #expect(Set(parted.values) == Set(clusters.values))
            #expect(parted[absorbed] == nil && parted[kept] == keeper)
            #expect(try await UnknownCluster.find(absorbed, on: app.db) == nil)
        }
    }

    @Test("naming a cluster enrols its best faces: later frames are recognised live and earlier sightings carry the id")
    func namingACluster() async throws {
        try await withStreamingServer(["TRACK_TTL_SECONDS": "1.0"]) { app, port in
            let provenance = try await Self.visit(sessions: 2, port: port, in: app)
            let page = try await Self.unknowns(app)
            #expect(page.total == 5)
            try await Self.expectPure(page.items, provenance: provenance, in: app, people: 5)
            let salley = try #require(try await Self.cluster(of: "John_Salley", in: page.items, provenance: provenance, app: app))
            let earlier = try await RecognitionLog.query(on: app.db).filter(\.$unknownClusterID == salley.id).all(\.$id)

            var assignment: UnknownAssignmentDTO?
            try await app.testing().test(.POST, "api/unknowns/\(salley.id)/assign", headers: .json(), body: try .json(["name": "John Salley"])) { res async throws in
                #expect(res.status == .ok)
                assignment = try res.content.decode(UnknownAssignmentDTO.self)
            }
            let named = try #require(assignment)
            #expect(named.user.name == "John Salley" && named.sightingsUpdated == 2)
            #expect(named.enrolledFaceIDs.count == 2 && named.user.faceCount == 2)
            #expect(try await UnknownCluster.find(salley.id, on: app.db) == nil)
            #expect(try await Self.unknowns(app).total == 4)

            // A new stream names him at once.
            let client = try await StreamClient.connect(port: port)
            _ = try await client.next()
            let photo = try FaceFixtures.image(try FaceFixtures.johns("John_Salley")[9])
            var names: [String?] = []
            for frame in 1...5 {
                try await client.sendFrame(try Self.composer.jpeg([.init(photo: photo, x: 200 + frame * 4, y: 100, size: 200)]), id: frame)
                names += try #require(try await client.next().faces).map(\.userName)
                try await Task.sleep(for: .milliseconds(200))
            }
            await client.close()
            #expect(names.suffix(3) == ["John Salley", "John Salley", "John Salley"])

            // His earlier sightings now carry his id (the new one too, once written).
            try await Self.waitForLogs(app, count: provenance.count + 1)
            let logged = try await app.testing().sendRequest(.GET, "api/logs?user_id=\(named.user.id)&per_page=100", headers: .apiKey(TestKeys.admin))
            let logs = try logged.content.decode(PageDTO<RecognitionLogDTO>.self)
            #expect(Set(earlier).isSubset(of: Set(logs.items.map(\.id))))
            #expect(logs.total == earlier.count + 1)
            #expect(logs.items.allSatisfy { !$0.isUnknown && $0.userName == "John Salley" })

            // Assigning to an existing person by id; then the cluster is gone.
            let simm = try #require(try await Self.cluster(of: "John_Simm", in: page.items, provenance: provenance, app: app))
            try await app.testing().test(.POST, "api/unknowns/\(simm.id)/assign", headers: .json(), body: try .json(["user_id": named.user.id])) { res async throws in
                #expect(res.status == .ok)
                #expect(try res.content.decode(UnknownAssignmentDTO.self).user.faceCount == 4)
            }
            try await app.testing().test(.POST, "api/unknowns/\(simm.id)/assign", headers: .json(), body: try .json(["name": "X"])) { res async in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.POST, "api/unknowns/\(page.items[0].id)/assign", headers: .json(), body: try .json(["name": "  "])) { res async throws in
                #expect(res.status == .unprocessableEntity)
                #expect(try res.errorBody().error.code == "validation_failed")
            }
        }
    }

    @Test("a cluster none of whose faces reaches MIN_ENROLL_QUALITY is not assigned (422) and nothing changes")
    func lowQualityCluster() async throws {
        try await withStreamingServer(["TRACK_TTL_SECONDS": "1.0", "MIN_ENROLL_QUALITY": "1"]) { app, port in
            _ = try await Self.visit(sessions: 1, port: port, in: app, people: ["John_Savage"])
            // Seen once: hidden below UNKNOWN_MIN_CLUSTER_SIZE (2) unless min_size asks.
            #expect(try await Self.unknowns(app).total == 0)
            let cluster = try #require(try await Self.unknowns(app, query: "min_size=1").items.first)
            #expect(cluster.size == 1)
            try await app.testing().test(.POST, "api/unknowns/\(cluster.id)/assign", headers: .json(), body: try .json(["name": "Nobody"])) { res async throws in
                #expect(res.status == .unprocessableEntity)
                #expect(try res.errorBody().error.code == "low_quality")
            }
            #expect(try await User.query(on: app.db).count() == 0)
            #expect(try await Self.unknowns(app, query: "min_size=1").items.map(\.id) == [cluster.id])
        }
    }

    // MARK: - Helpers

    /// Each session shows every person in turn (a different photo per session, a different spot per
    /// person), long enough for an unknown identity to settle and be logged, then lets the track expire.
    static func visit(sessions: Int, port: Int, in app: Application, people: [String] = StreamEmbeddings.people) async throws -> Provenance {
        var provenance: Provenance = [:]
        for session in 0..<sessions {
            let client = try await StreamClient.connect(port: port)
            let sessionID = try #require(try await client.next().sessionID)
            var frameID = 0
            for (index, person) in people.enumerated() {
                let photo = try FaceFixtures.image(try FaceFixtures.johns(person)[session * 2 + 1])
                let x = 40 + (index % 3) * 200, y = 60 + (index / 3) * 160
                for step in 0..<4 {
                    frameID += 1
                    try await client.sendFrame(try composer.jpeg([.init(photo: photo, x: x + step * 3, y: y, size: 180)]), id: frameID)
                    for face in try #require(try await client.next().faces) { provenance["\(sessionID)/\(face.trackID)"] = person }
                    try await Task.sleep(for: .milliseconds(200))
                }
                // An empty frame, then longer than TRACK_TTL_SECONDS without the face: the next person is a new track.
                frameID += 1
                try await client.sendFrame(try composer.jpeg([]), id: frameID)
                _ = try await client.next()
                // (A TTL well above the frame gap, so a frame slowed by a busy machine doesn't end the track early.)
                try await Task.sleep(for: .milliseconds(1300))
            }
            await client.close()
        }
        try await waitForLogs(app, count: sessions * people.count)
        return provenance
    }

    static func unknowns(_ app: Application, query: String = "") async throws -> PageDTO<UnknownClusterDTO> {
        let response = try await app.testing().sendRequest(.GET, "api/unknowns?\(query)", headers: .apiKey(TestKeys.admin))
        #expect(response.status == .ok)
        return try response.content.decode(PageDTO<UnknownClusterDTO>.self)
    }

    /// Cluster id → member log ids, from the database.
    static func membership(_ app: Application) async throws -> [Int: [Int]] {
        let rows = try await RecognitionLog.query(on: app.db).filter(\.$unknownClusterID != nil).sort(\.$id).all()
        return Dictionary(grouping: rows, by: { $0.unknownClusterID ?? 0 }).mapValues { $0.compactMap(\.id) }
    }

    /// Every cluster holds one person only, and every person is in exactly one cluster.
    static func expectPure(_ clusters: [UnknownClusterDTO], provenance: Provenance, in app: Application, people: Int) async throws {
        var seen: [String] = []
        for cluster in clusters {
            let rows = try await RecognitionLog.query(on: app.db).filter(\.$unknownClusterID == cluster.id).all()
            let persons = Set(rows.map { provenance["\($0.sessionID)/\($0.trackID)"] ?? "?" })
            #expect(persons.count == 1 && !persons.contains("?"), "cluster \(cluster.id) holds \(persons)")
            #expect(rows.count == cluster.size)
            seen += persons
        }
        #expect(Set(seen).count == people && seen.count == people, "people per cluster: \(seen)")
    }

    static func cluster(of person: String, in clusters: [UnknownClusterDTO], provenance: Provenance, app: Application) async throws -> UnknownClusterDTO? {
        for cluster in clusters {
            let rows = try await RecognitionLog.query(on: app.db).filter(\.$unknownClusterID == cluster.id).all()
            if rows.contains(where: { provenance["\($0.sessionID)/\($0.trackID)"] == person }) { return cluster }
        }
        return nil
    }

    /// Waits (≤ 10 s) until `count` sightings are written (and so clustered: the writer's hook runs before `flush` returns).
    static func waitForLogs(_ app: Application, count: Int) async throws {
        for _ in 0..<100 {
            await app.sightingLog.flush()
            if try await RecognitionLog.query(on: app.db).count() >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("fewer than \(count) sightings were written within 10 s")
    }
}
