import FaceKit

/// The clustering of unknown sightings, in memory and free of I/O: which sighting (by log id)
/// belongs to which cluster. `UnknownClusters` owns one, persists what it decides and hands it
/// the cluster ids the database gives out.
///
/// - A new face joins the cluster of its nearest member if that member is within `joinDistance`
///   (`placement(of:)`), else it starts a cluster of its own.
/// - `reclusterPlan()` (the periodic pass) re-groups everything with average linkage at
///   `linkageDistance`: first each cluster is split into the groups its members form, then the
///   groups are merged where they belong together. A group keeps the id of the largest old
///   cluster it holds most of (ties: the older, lower id); groups that hold no old cluster need new ids.
final class UnknownClusterer {
    struct Thresholds: Sendable, Equatable {
        /// Nearest-member distance at which a new face joins a cluster at once.
        var joinDistance: Float
        /// Largest mean member distance of two groups that the periodic pass keeps or puts together.
        var linkageDistance: Float
    }

    /// One group of the new partition: `id` nil for a group that needs a new cluster id.
    struct PlannedCluster: Equatable, Sendable {
        var id: Int?
        var members: [Int]
    }

    let thresholds: Thresholds
    private let index = EmbeddingIndex()
    private(set) var clusterOfMember: [Int: Int] = [:]
    private(set) var membersOfCluster: [Int: Set<Int>] = [:]

    init(thresholds: Thresholds) {
        self.thresholds = thresholds
    }

    var clusterIDs: [Int] { membersOfCluster.keys.sorted() }

    func members(of clusterID: Int) -> [Int] { (membersOfCluster[clusterID] ?? []).sorted() }

    /// The cluster `embedding` joins, or nil for a new one.
    func placement(of embedding: Embedding) -> Int? {
        guard let nearest = index.nearest(to: embedding, limit: 1, maxDistance: thresholds.joinDistance).first else { return nil }
        return clusterOfMember[nearest.id]
    }

    /// Adds (or moves) sighting `logID` to cluster `clusterID`.
    func add(_ logID: Int, embedding: Embedding, to clusterID: Int) {
        detach(logID)
        index.upsert(id: logID, embedding: embedding)
        clusterOfMember[logID] = clusterID
        membersOfCluster[clusterID, default: []].insert(logID)
    }

    /// Forgets a cluster and its members; returns the members' log ids.
    @discardableResult
    func removeCluster(_ clusterID: Int) -> [Int] {
        let members = self.members(of: clusterID)
        for logID in members { remove(logID) }
        membersOfCluster[clusterID] = nil
        return members
    }

    func remove(_ logID: Int) {
        detach(logID)
        index.remove(id: logID)
    }

    func removeAll() {
        index.removeAll()
        clusterOfMember = [:]
        membersOfCluster = [:]
    }

    /// The partition the periodic pass wants (every cluster, changed or not), largest first.
    func reclusterPlan() -> [PlannedCluster] {
        var groups: [PlannedCluster] = []
        for clusterID in clusterIDs { groups += split(clusterID) }
        let merged = AverageLinkage.merge(groups.map(embeddings), threshold: thresholds.linkageDistance)
        var plan = merged.map { parts in
            PlannedCluster(id: Self.survivingID(of: parts.map { groups[$0] }), members: parts.flatMap { groups[$0].members }.sorted())
        }
        // Largest first: new ids are handed out in a deterministic order.
        plan.sort { ($0.members.count, -($0.members.first ?? 0)) > ($1.members.count, -($1.members.first ?? 0)) }
        return plan
    }

    /// Applies a plan whose every group now has an id; returns the members whose cluster changed.
    @discardableResult
    func apply(_ plan: [(id: Int, members: [Int])]) -> [(logID: Int, clusterID: Int)] {
        var moved: [(logID: Int, clusterID: Int)] = []
        var next: [Int: Set<Int>] = [:]
        for group in plan {
            next[group.id, default: []].formUnion(group.members)
            for logID in group.members where clusterOfMember[logID] != nil && clusterOfMember[logID] != group.id {
                clusterOfMember[logID] = group.id
                moved.append((logID, group.id))
            }
        }
        membersOfCluster = next
        return moved
    }

    /// One cluster's members grouped by average linkage: the largest group (ties: the one with the
    /// oldest member) keeps the id.
    private func split(_ clusterID: Int) -> [PlannedCluster] {
        let members = self.members(of: clusterID)
        let groups = AverageLinkage.merge(members.map { [embedding(of: $0)] }, threshold: thresholds.linkageDistance)
            .map { $0.map { members[$0] } }
            .sorted { ($0.count, -$0[0]) > ($1.count, -$1[0]) }
        return groups.enumerated().map { PlannedCluster(id: $0.offset == 0 ? clusterID : nil, members: $0.element) }
    }

    /// The id a merge of `parts` keeps: the largest part that has one (ties: the lower id, the older cluster).
    private static func survivingID(of parts: [PlannedCluster]) -> Int? {
        parts.compactMap { part in part.id.map { (id: $0, size: part.members.count) } }
            .max { ($0.size, -$0.id) < ($1.size, -$1.id) }?.id
    }

    private func embeddings(_ group: PlannedCluster) -> [Embedding] { group.members.map(embedding) }

    private func embedding(of logID: Int) -> Embedding {
        // Every member is in the index: `add` puts it there and only `remove` takes it out.
        index.embedding(of: logID)!
    }

    private func detach(_ logID: Int) {
        guard let old = clusterOfMember.removeValue(forKey: logID) else { return }
        membersOfCluster[old]?.remove(logID)
        if membersOfCluster[old]?.isEmpty == true { membersOfCluster[old] = nil }
    }
}
