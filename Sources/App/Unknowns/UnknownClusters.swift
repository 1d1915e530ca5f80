import FaceKit
import Fluent
import Vapor

/// The live clustering of unknown sightings and its persistence: every change the clusterer
/// decides is written to `unknown_clusters` and `recognition_logs.unknown_cluster_id` before the
/// next one is made. Ingest, the periodic pass, assignment and forgetting take turns as a whole
/// (`lock`/`unlock`): an actor alone would interleave them at every database call, and a face could
/// join a cluster that is being deleted.
///
/// The database is the truth: `reload()` (at start-up and before every periodic pass) rebuilds the
/// clusterer from the stored members, so rows deleted meanwhile (retention, forgetting) drop out
/// and rows another node wrote are taken in.
actor UnknownClusters {
    private let clusterer: UnknownClusterer
    private let database: @Sendable () -> any Database
    private let logger: Logger
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(thresholds: UnknownClusterer.Thresholds, database: @escaping @Sendable () -> any Database, logger: Logger) {
        clusterer = UnknownClusterer(thresholds: thresholds)
        self.database = database
        self.logger = logger
    }

    var clusterIDs: [Int] { clusterer.clusterIDs }
    func members(of clusterID: Int) -> [Int] { clusterer.members(of: clusterID) }

    /// Newly written sightings (the log writer's hook): unknown ones with an embedding join a
    /// cluster or start one. A failure leaves a row unclustered; the next `reload()` places it.
    func ingest(_ rows: [RecognitionLog]) async {
        await lock()
        defer { unlock() }
        do {
            try await place(rows.filter { $0.isUnknown && $0.unknownClusterID == nil })
        } catch {
            logger.warning("unknown visitors: \(rows.count) sightings not clustered yet (\(String(reflecting: error))); the next pass places them")
        }
    }

    /// Rebuilds the clusterer from the database, then places the unknown faces no cluster holds yet.
    func reload() async throws {
        await lock()
        defer { unlock() }
        try await reloadHeld()
    }

    private func reloadHeld() async throws {
        let rows = try await RecognitionLog.query(on: database())
            .filter(\.$isUnknown == true).filter(\.$faceEmbedding != nil)
            .field(\.$id).field(\.$isUnknown).field(\.$faceEmbedding).field(\.$unknownClusterID)
            .sort(\.$id).all()
        clusterer.removeAll()
        var unplaced: [RecognitionLog] = []
        for row in rows {
            guard let id = row.id, let embedding = row.decodedFaceEmbedding else { continue }
            if let clusterID = row.unknownClusterID {
                clusterer.add(id, embedding: embedding, to: clusterID)
            } else {
                unplaced.append(row)
            }
        }
        try await place(unplaced)
    }

    /// The periodic pass: reload, merge and split (ids kept as `UnknownClusterer` says), store the
    /// moves, and delete the cluster rows that no longer have members. Returns how many members moved.
    @discardableResult
    func recluster() async throws -> Int {
        await lock()
        defer { unlock() }
        try await reloadHeld()
        let plan = clusterer.reclusterPlan()
        let current = clusterer.clusterOfMember
        // One transaction: new ids, moves and deletions are stored together or not at all.
        let placed = try await database().transaction { db in
            var placed: [(id: Int, members: [Int])] = []
            for group in plan {
                let id: Int
                if let existing = group.id { id = existing } else { id = try await Self.newCluster(on: db) }
                placed.append((id, group.members))
            }
            let moves = placed.flatMap { group in group.members.filter { current[$0] != group.id }.map { (logID: $0, clusterID: group.id) } }
            for (clusterID, logIDs) in Dictionary(grouping: moves, by: \.clusterID) {
                try await Self.setCluster(clusterID, of: logIDs.map(\.logID), on: db)
            }
            let emptied = Set(try await UnknownCluster.query(on: db).all(\.$id)).subtracting(placed.map(\.id))
            if !emptied.isEmpty { try await UnknownCluster.query(on: db).filter(\.$id ~~ emptied).delete() }
            return placed
        }
        let changes = clusterer.apply(placed)
        if !changes.isEmpty { logger.info("unknown visitors: the periodic pass moved \(changes.count) sightings") }
        return changes.count
    }

    /// Takes a cluster out of the clustering (it was assigned or forgotten): `body` updates its
    /// rows and the cluster row is deleted, in one transaction. Throws `notFound` for an unknown id.
    func remove<T: Sendable>(_ clusterID: Int, _ body: @Sendable @escaping (any Database) async throws -> T) async throws -> T {
        await lock()
        defer { unlock() }
        guard try await UnknownCluster.find(clusterID, on: database()) != nil else {
            throw FaceStreamError.notFound("unknown visitor \(clusterID) not found")
        }
        let result = try await database().transaction { db in
            let outcome = try await body(db)
            try await UnknownCluster.query(on: db).filter(\.$id == clusterID).delete()
            return outcome
        }
        clusterer.removeCluster(clusterID)
        return result
    }

    private func lock() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the turn straight to the next waiter.
    private func unlock() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    /// Puts each row into its nearest cluster or a new one, storing each decision as it is made
    /// (later rows of the batch may join a cluster an earlier one started).
    private func place(_ rows: [RecognitionLog]) async throws {
        let db = database()
        for row in rows {
            guard let id = row.id, let embedding = row.decodedFaceEmbedding else { continue }
            let clusterID: Int
            if let nearest = clusterer.placement(of: embedding) { clusterID = nearest } else { clusterID = try await Self.newCluster(on: db) }
            try await Self.setCluster(clusterID, of: [id], on: db)
            clusterer.add(id, embedding: embedding, to: clusterID)
        }
    }

    private static func newCluster(on db: any Database) async throws -> Int {
        let cluster = UnknownCluster()
        try await cluster.create(on: db)
        return try cluster.requireID()
    }

    private static func setCluster(_ clusterID: Int, of logIDs: [Int], on db: any Database) async throws {
        try await RecognitionLog.query(on: db).filter(\.$id ~~ logIDs).set(\.$unknownClusterID, to: clusterID).update()
    }
}

extension Application {
    private struct UnknownClustersKey: StorageKey {
        typealias Value = UnknownClusters
    }

    /// The one clustering of this node's unknown sightings.
    var unknownClusters: UnknownClusters {
        if let clusters = storage[UnknownClustersKey.self] { return clusters }
        let clusters = UnknownClusters(thresholds: config.unknowns.thresholds, database: { [unowned self] in self.db }, logger: logger)
        storage[UnknownClustersKey.self] = clusters
        return clusters
    }
}
