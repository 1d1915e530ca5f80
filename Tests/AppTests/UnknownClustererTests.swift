@testable import App
import FaceKit
import Foundation
import Testing

/// The clustering core without a database: incremental placement, the periodic merge and split,
/// and which ids survive them.
@Suite("Unknown clusterer")
struct UnknownClustererTests {
    static let thresholds = UnknownClusterer.Thresholds(joinDistance: 0.5, linkageDistance: 0.55)

    /// A unit vector along axis `axis`, nudged by `offset` along axis 127 (distance ≈ |offset|).
    static func point(_ axis: Int, _ offset: Float = 0) throws -> Embedding {
        var values = [Float](repeating: 0, count: 128)
        values[axis] = 1
        values[127] = offset
        return try Embedding(values)
    }

    @Test("a close face joins its nearest member's cluster; a far one gets none")
    func incrementalPlacement() throws {
        let clusterer = UnknownClusterer(thresholds: Self.thresholds)
        #expect(clusterer.placement(of: try Self.point(0)) == nil)
        clusterer.add(1, embedding: try Self.point(0), to: 10)
        clusterer.add(2, embedding: try Self.point(1), to: 20)
        #expect(clusterer.placement(of: try Self.point(0, 0.3)) == 10)
        #expect(clusterer.placement(of: try Self.point(1, -0.49)) == 20)
        #expect(clusterer.placement(of: try Self.point(0, 0.51)) == nil)  // just past joinDistance
        #expect(clusterer.placement(of: try Self.point(2)) == nil)  // √2 from both
        clusterer.add(3, embedding: try Self.point(0, 0.3), to: 10)
        #expect(clusterer.members(of: 10) == [1, 3])
        #expect(clusterer.removeCluster(10) == [1, 3])
        #expect(clusterer.placement(of: try Self.point(0, 0.3)) == nil)
        #expect(clusterer.clusterIDs == [20])
    }

    @Test("the periodic pass merges clusters of one person into the larger one's id")
    func mergeKeepsLargerID() throws {
        let clusterer = UnknownClusterer(thresholds: Self.thresholds)
        // One person seen as two clusters (the second look was 0.55 from the first, past joinDistance);
        // their mean distance is ~0.4, within linkageDistance.
        clusterer.add(1, embedding: try Self.point(0, 0), to: 7)
        clusterer.add(2, embedding: try Self.point(0, 0.2), to: 9)
        clusterer.add(3, embedding: try Self.point(0, 0.4), to: 9)
        clusterer.add(4, embedding: try Self.point(3), to: 8)
        let plan = clusterer.reclusterPlan()
        #expect(plan == [.init(id: 9, members: [1, 2, 3]), .init(id: 8, members: [4])])
        let moved = clusterer.apply(plan.map { ($0.id!, $0.members) })
        #expect(moved.map(\.logID) == [1] && moved.map(\.clusterID) == [9])
        #expect(clusterer.clusterIDs == [8, 9])
        // Equal sizes: the older (lower) id wins.
        let twins = UnknownClusterer(thresholds: Self.thresholds)
        twins.add(1, embedding: try Self.point(5, 0), to: 4)
        twins.add(2, embedding: try Self.point(5, 0.3), to: 3)
        #expect(twins.reclusterPlan() == [.init(id: 3, members: [1, 2])])
    }

    @Test("the periodic pass splits a chained cluster; the larger part keeps the id")
    func splitChainedCluster() throws {
        let clusterer = UnknownClusterer(thresholds: Self.thresholds)
        // Single linkage chained two people through one look in between: A at 0, 0.1, 0.2; the
        // bridge at 0.58 (0.38 from A, 0.42 from B); B at 1.0, 1.1, 1.2. Average linkage puts the bridge
        // with A (mean 0.48 against B's 0.52) and keeps B apart (mean 0.88).
        for (logID, offset) in [(1, Float(0)), (2, 0.1), (3, 0.2), (4, 0.58), (5, 1.0), (6, 1.1), (7, 1.2)] {
            clusterer.add(logID, embedding: try Self.point(0, offset), to: 30)
        }
        let plan = clusterer.reclusterPlan()
        #expect(plan == [.init(id: 30, members: [1, 2, 3, 4]), .init(id: nil, members: [5, 6, 7])])
        // A stable partition: a second pass changes nothing.
        clusterer.apply(plan.enumerated().map { ($0.element.id ?? 100 + $0.offset, $0.element.members) })
        #expect(clusterer.reclusterPlan().map(\.members) == plan.map(\.members))
        #expect(clusterer.reclusterPlan().allSatisfy { $0.id != nil })
    }

    @Test("UNKNOWN_* configuration: defaults, values, and a bad value named")
    func configuration() throws {
        let defaults = try AppConfig(environment: [:]).unknowns
        #expect(defaults.minClusterSize == 2 && defaults.assignMaxFaces == 5 && defaults.reclusterMinutes == 5)
        let set = try AppConfig(environment: ["UNKNOWN_MIN_CLUSTER_SIZE": "3", "UNKNOWN_ASSIGN_MAX_FACES": "8",
                                              "UNKNOWN_RECLUSTER_MINUTES": "0"]).unknowns
        #expect(set.minClusterSize == 3 && set.assignMaxFaces == 8 && set.reclusterMinutes == 0)
        #expect(throws: ConfigurationError.self) { try AppConfig(environment: ["UNKNOWN_ASSIGN_MAX_FACES": "0"]) }
        do {
            _ = try AppConfig(environment: ["UNKNOWN_MIN_CLUSTER_SIZE": "two"])
            Issue.record("accepted UNKNOWN_MIN_CLUSTER_SIZE=two")
        } catch {
            #expect(error.variable == "UNKNOWN_MIN_CLUSTER_SIZE")
        }
    }

    @Test("average linkage: deterministic groups and the threshold is inclusive")
    func averageLinkage() throws {
        let a = try Self.point(0), b = try Self.point(0, 0.5), c = try Self.point(1)
        #expect(AverageLinkage.merge([[a], [b], [c]], threshold: 0.5) == [[0, 1], [2]])
        #expect(AverageLinkage.merge([[a], [b], [c]], threshold: 0.49) == [[0], [1], [2]])
        #expect(AverageLinkage.merge([[a, b], [c]], threshold: 2) == [[0, 1]])
        #expect(abs(AverageLinkage.meanDistance([a, b], [a]) - 0.25) < 1e-6)
    }

    @Test("real stream embeddings of the five johns: fed one by one and re-clustered, five pure clusters")
    func johnsThroughTheEngine() async throws {
        let looks = try await EngineTestLock.exclusively { try await StreamEmbeddings.johns() }
        #expect(looks.count == 55)
        // The figures behind the thresholds (README, "Unknown visitors").
        var same: [Float] = [], different: [Float] = []
        for i in looks.indices {
            for j in looks.indices where j > i {
                let d = looks[i].embedding.distance(to: looks[j].embedding)
                if looks[i].person == looks[j].person { same.append(d) } else { different.append(d) }
            }
        }
        same.sort(); different.sort()
        let figures = "same \(same.count): median \(same[same.count / 2]) p95 \(same[same.count * 95 / 100]) max \(same.last!); "
            + "different \(different.count): min \(different[0]) p1 \(different[different.count / 100]) p5 \(different[different.count / 20])"
        // Cluster-level (average linkage) figures: mean distances within one person and between two.
        let byPerson = Dictionary(grouping: looks, by: \.person).mapValues { $0.map(\.embedding) }
        let within = byPerson.values.map { group in
            AverageLinkage.meanDistance(group, group) * Float(group.count) / Float(group.count - 1)  // without the zero self-pairs
        }
        let between = byPerson.keys.sorted().flatMap { a in
            byPerson.keys.sorted().filter { $0 > a }.map { AverageLinkage.meanDistance(byPerson[a]!, byPerson[$0]!) }
        }
        let qualities = looks.map(\.quality).sorted()
        print("johns stream embeddings: \(figures); mean within a person ≤ \(within.max()!), mean between two ≥ \(between.min()!); "
            + "quality \(qualities.first!)…\(qualities.last!)")
        #expect(within.max()! < UnknownClusterSettings.defaultThresholds.linkageDistance)
        #expect(between.min()! > UnknownClusterSettings.defaultThresholds.linkageDistance)
        #expect(different[0] > UnknownClusterSettings.defaultThresholds.joinDistance, "\(figures)")
        let clusterer = UnknownClusterer(thresholds: UnknownClusterSettings.defaultThresholds)
        var nextID = 1
        // Interleaved, as visits would be: one photo of each person in turn.
        let order = looks.indices.sorted { ($0 % 11, $0 / 11) < ($1 % 11, $1 / 11) }
        for (logID, look) in order.map({ ($0, looks[$0]) }) {
            let cluster = clusterer.placement(of: look.embedding) ?? { defer { nextID += 1 }; return nextID }()
            clusterer.add(logID, embedding: look.embedding, to: cluster)
        }
        let incremental = clusterer.clusterIDs.map { Set(clusterer.members(of: $0).map { looks[$0].person }) }
        #expect(incremental.allSatisfy { $0.count == 1 }, "a cluster mixes people: \(incremental)")
        let plan = clusterer.reclusterPlan()
        var ids = plan.compactMap(\.id).max() ?? 0
        clusterer.apply(plan.map { group in (group.id ?? { ids += 1; return ids }(), group.members) })
        let people = clusterer.clusterIDs.map { Set(clusterer.members(of: $0).map { looks[$0].person }) }
        #expect(people.allSatisfy { $0.count == 1 }, "a cluster mixes people: \(people)")
        // Every john ends up mostly in one cluster: his largest holds at least 9 of his 11 looks.
        for person in StreamEmbeddings.people {
            let largest = clusterer.clusterIDs.map { clusterer.members(of: $0).filter { looks[$0].person == person }.count }.max()
            #expect((largest ?? 0) >= 9, "\(person): largest cluster \(largest ?? 0) of 11")
        }

        // Merge on real looks: each john's looks stored as two clusters (6 + 5) come back together
        // under the larger one's id.
        let halves = UnknownClusterer(thresholds: UnknownClusterSettings.defaultThresholds)
        for (logID, look) in looks.enumerated() {
            let person = logID / 11, half = logID % 11 < 6 ? 0 : 1
            halves.add(logID, embedding: look.embedding, to: 100 + person * 2 + half)
        }
        let merged = halves.reclusterPlan()
        #expect(merged.count == 5)
        #expect(merged.map(\.id).compactMap { $0 }.sorted() == [100, 102, 104, 106, 108])
        #expect(merged.allSatisfy { Set($0.members.map { looks[$0].person }).count == 1 && $0.members.count == 11 })
        // Split on real looks: two johns stored in one cluster (11 + 6 looks) are parted; the larger keeps the id.
        let mixed = UnknownClusterer(thresholds: UnknownClusterSettings.defaultThresholds)
        for logID in 0..<17 { mixed.add(logID, embedding: looks[logID].embedding, to: 7) }
        let parted = mixed.reclusterPlan()
        #expect(parted == [.init(id: 7, members: Array(0..<11)), .init(id: nil, members: Array(11..<17))])
    }
}
