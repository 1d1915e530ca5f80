import FaceKit
import Fluent
import Vapor

/// Applies other nodes' changes (`gallery_changes`) to this node's gallery, people directory and
/// sighting index, person by person. It remembers the last row it read; each catch-up (on a
/// notification, and after the listening connection (re)connects) reads every row after it, so a
/// missed notification is never a missed change. When rows it never read were pruned, it reloads
/// everything. An actor: catch-ups never overlap.
actor GalleryChangeFollower {
    static let pageSize = 1000

    let runtime: FaceRuntime
    let sightings: SightingIndex
    let metrics: FaceStreamMetrics
    let db: any Database
    let logger: Logger
    let nodeID: String
    /// The last row this node has read (and applied, unless it was its own); nil: not known yet,
    /// the next catch-up reloads everything.
    private(set) var lastRead: Int64?
    /// How many times the whole gallery was reloaded because the sequence could not be followed.
    private(set) var fullReloads = 0

    init(runtime: FaceRuntime, sightings: SightingIndex, metrics: FaceStreamMetrics, db: any Database,
         logger: Logger, nodeID: String, startingAfter lastRead: Int64?) {
        self.runtime = runtime
        self.sightings = sightings
        self.metrics = metrics
        self.db = db
        self.logger = logger
        self.nodeID = nodeID
        self.lastRead = lastRead
    }

    /// Reads and applies every change after `lastRead` (and the notified row `notified`, which may
    /// have committed after rows with higher ids this node already read).
    func catchUp(notified: Int64? = nil) async throws {
        guard let last = lastRead else {
            try await reloadEverything(reason: "where this node stands in the change sequence is not known")
            return
        }
        let bounds = try await GalleryChangeLog.bounds(on: db)
        // Rows after `last` were pruned before this node read them (the newest row is never pruned,
        // so an old `last` shows as a gap). A rolled-back change leaves a hole in the ids too, and
        // may cost a needless reload here once its neighbours are pruned.
        if let oldest = bounds.oldest, oldest > last + 1 {
            try await reloadEverything(reason: "changes after \(last) were pruned before this node read them")
            return
        }
        // The table was emptied or recreated (its ids started again).
        if (bounds.newest ?? 0) < last {
            try await reloadEverything(reason: "the change sequence restarted")
            return
        }
        var after = last
        var alsoID = notified.flatMap { $0 <= last ? $0 : nil }
        while true {
            let page = try await GalleryChangeLog.changes(after: after, alsoID: alsoID, limit: Self.pageSize, on: db)
            try await apply(page.filter { $0.origin != nodeID })
            after = max(after, page.map(\.id).max() ?? after)
            lastRead = after
            alsoID = nil
            if page.count < Self.pageSize { break }
        }
    }

    /// Several changes at once: each person touched is reloaded once, after the sighting index has
    /// followed every deletion and merge in order.
    private func apply(_ changes: [GalleryChange]) async throws {
        guard !changes.isEmpty else { return }
        var people = Set<Int>()
        var everyone = false
        for change in changes {
            switch change.kind {
            case .person:
                if let userID = change.userID { people.insert(userID) }
            case .deleted:
                guard let userID = change.userID else { continue }
                people.insert(userID)
                sightings.removePerson(userID)
            case .merged:
                guard let userID = change.userID, let target = change.mergedInto else { continue }
                people.formUnion([userID, target])
                sightings.movePerson(userID, to: target)
            case .everyone:
                everyone = true
                sightings.removeEveryone([])
            }
        }
        if everyone {
            // Read after those rows committed, so it holds everyone enrolled since too.
            try await GalleryLoader.load(into: runtime, from: db, logger: logger)
        } else {
            for userID in people.sorted() {
                try await GalleryLoader.loadPerson(userID, into: runtime, from: db, logger: logger)
            }
        }
        metrics.setGallerySize(runtime.gallery.count)
        logger.debug("gallery changes: applied \(changes.count) changes of other nodes (\(everyone ? "everyone" : "\(people.count) people"))")
    }

    /// The sequence's position first, then the data: a change committed in between is applied
    /// again by the next catch-up (harmless), never missed.
    private func reloadEverything(reason: String) async throws {
        logger.warning("gallery changes: \(reason); reloading the gallery and the sighting index")
        let newest = try await GalleryChangeLog.bounds(on: db).newest ?? 0
        try await GalleryLoader.load(into: runtime, from: db, logger: logger)
        try await SightingIndexLoader.load(into: sightings, from: db, logger: logger)
        metrics.setGallerySize(runtime.gallery.count)
        lastRead = newest
        fullReloads += 1
    }
}
