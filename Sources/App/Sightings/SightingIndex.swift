import FaceKit
import Foundation
import Vapor

/// Every stored sighting's face, searchable by photo (`POST /api/logs/search`): the embeddings in
/// an `EmbeddingIndex` keyed by the row's id, and beside them what the search filters on (person,
/// session, time, unknown), in arrays indexed by id so a filter costs a few nanoseconds a row.
///
/// Loaded from the database at start-up (`SightingIndexLoader`), then kept current by this node:
/// the sighting writer adds each batch it stores, and deleting a person, merging two and the log
/// retention change it as they change the rows. Search answers are checked against the database
/// (`SightingSearch`), so a row changed by another node is never answered wrongly, only possibly
/// missed until `GALLERY_SYNC_SECONDS` brings it in.
final class SightingIndex: @unchecked Sendable {
    // @unchecked Sendable: every stored property below is only touched while holding `lock`
    // (shared for searches, exclusive for changes). Lock order: this lock, then the index's own.
    private let lock = ReadWriteLock()
    private let index = EmbeddingIndex()
    /// `slots[id - base]`: the metadata of sighting `id`, `present` false for ids not held.
    private var slots: [Slot] = []
    private var base = 0
    private var held = 0
    /// Ids too far from the others for the slots (a sequence that jumped): held here instead.
    private var sparse: [Int: Slot] = [:]
    private var sessionCodes: [String: Int32] = [:]
    /// People deleted in the last minute: a batch stored just before their deletion and handed to
    /// `added` just after it must not bring their faces back.
    private var deletedPeople: [Int: ContinuousClock.Instant] = [:]
    /// The largest id ever held: where the next catch-up with the database starts.
    private(set) var highestID = 0

    private struct Slot {
        var userID: Int = 0  // 0: nobody
        var session: Int32 = -1
        var isUnknown = false
        var present = false
        var seenAt: Double = 0  // seconds since 1970
    }

    /// One sighting's face and what the search filters on.
    struct Entry: Sendable {
        var id: Int
        var embedding: Embedding
        var userID: Int?
        var sessionID: String
        var seenAt: Date
        var isUnknown: Bool
    }

    /// What a search is narrowed to; nil fields don't filter. `from` inclusive, `to` exclusive.
    struct Filter: Sendable, Equatable {
        var userID: Int?
        var sessionID: String?
        var isUnknown: Bool?
        var from: Date?
        var to: Date?

        var isEmpty: Bool { userID == nil && sessionID == nil && isUnknown == nil && from == nil && to == nil }

        func admits(userID: Int?, sessionID: String, isUnknown: Bool, seenAt: Date) -> Bool {
            if let wanted = self.userID, wanted != userID { return false }
            if let wanted = self.sessionID, wanted != sessionID { return false }
            if let wanted = self.isUnknown, wanted != isUnknown { return false }
            if let from, seenAt < from { return false }
            if let to, seenAt >= to { return false }
            return true
        }
    }

    var count: Int { lock.reading { held } }

    func contains(_ id: Int) -> Bool { lock.reading { slot(id)?.present == true || sparse[id] != nil } }

    // MARK: changes

    /// Adds (or replaces) sightings' faces.
    func upsert(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        lock.writing {
            let now = ContinuousClock.now
            deletedPeople = deletedPeople.filter { now - $0.value < .seconds(60) }
            var kept: [(id: Int, embedding: Embedding)] = []
            kept.reserveCapacity(entries.count)
            for entry in entries {
                if let userID = entry.userID, deletedPeople[userID] != nil { continue }
                place(entry)
                kept.append((entry.id, entry.embedding))
            }
            index.upsert(kept)
        }
    }

    /// The rows the sighting writer just stored: those with a readable face become searchable.
    func added(_ rows: [RecognitionLog]) {
        upsert(rows.compactMap { row in
            guard let id = row.id, let face = row.faceEmbedding else { return nil }
            return try? Entry(id: id, faceEmbedding: face, userID: row.$user.id, sessionID: row.sessionID, seenAt: row.createdAt,
                              isUnknown: row.isUnknown)
        })
    }

    func remove(_ ids: some Sequence<Int>) {
        lock.writing {
            for id in ids { removeHeld(id) }
            compact()
        }
    }

    /// A person was deleted (their sightings lost their faces): none of theirs is found any more.
    func removePerson(_ userID: Int) {
        lock.writing {
            deletedPeople[userID] = .now
            removeWhere { $0.userID == userID }
        }
    }

    /// A person was created with `userID`: a tombstone left for that id by a deleted person (SQLite
    /// reuses the ids of deleted rows) no longer applies.
    func personCreated(_ userID: Int) {
        lock.writing { _ = deletedPeople.removeValue(forKey: userID) }
    }

    /// Everyone was deleted: only the faces of sightings that named nobody stay.
    func removeEveryone(_ userIDs: [Int]) {
        lock.writing {
            let now = ContinuousClock.now
            for id in userIDs { deletedPeople[id] = now }
            removeWhere { $0.userID != 0 }
        }
    }

    /// `source` was merged into `target`: their sightings now name `target`.
    func movePerson(_ source: Int, to target: Int) {
        lock.writing {
            for i in slots.indices where slots[i].present && slots[i].userID == source { slots[i].userID = target }
            for (id, slot) in sparse where slot.userID == source { sparse[id]?.userID = target }
        }
    }

    /// Some sightings now name someone else (or nobody): what a change of `recognition_logs.user_id`
    /// outside deletion and merging (naming an unknown visitor, say) must tell the index.
    func setPerson(_ userID: Int?, isUnknown: Bool? = nil, forSightings ids: some Sequence<Int>) {
        lock.writing {
            for id in ids {
                if let offset = offset(id), slots[offset].present {
                    slots[offset].userID = userID ?? 0
                    if let isUnknown { slots[offset].isUnknown = isUnknown }
                } else if sparse[id] != nil {
                    sparse[id]?.userID = userID ?? 0
                    if let isUnknown { sparse[id]?.isUnknown = isUnknown }
                }
            }
        }
    }

    /// The log retention deleted every sighting seen before `cutoff`.
    func removeSeen(before cutoff: Date) {
        let seconds = cutoff.timeIntervalSince1970
        lock.writing { removeWhere { $0.seenAt < seconds } }
    }

    func removeAll() {
        lock.writing {
            index.removeAll()
            slots = []
            sparse = [:]
            base = 0
            held = 0
        }
    }

    // MARK: search

    /// The nearest sightings' faces to `embedding` (distance ≤ `maxDistance`), nearest first, at
    /// most `limit`, only those `filter` admits.
    func search(_ embedding: Embedding, limit: Int, maxDistance: Float, filter: Filter = Filter()) -> [(id: Int, distance: Float)] {
        lock.reading {
            guard !filter.isEmpty else { return index.nearest(to: embedding, limit: limit, maxDistance: maxDistance) }
            var wantedSession: Int32?
            if let name = filter.sessionID {
                guard let code = sessionCodes[name] else { return [] }
                wantedSession = code
            }
            let session = wantedSession
            // The filter runs once per held sighting, inside this read lock: it reads a copy of the
            // slots (no copying happens: changes wait for the lock), no locks or hashing per row.
            let slots = self.slots, base = self.base, sparse = self.sparse
            let userID = filter.userID, isUnknown = filter.isUnknown
            let from = filter.from?.timeIntervalSince1970 ?? -.infinity, to = filter.to?.timeIntervalSince1970 ?? .infinity
            return index.nearest(to: embedding, limit: limit, maxDistance: maxDistance) { id in
                let offset = id - base
                let slot: Slot
                if offset >= 0, offset < slots.count, slots[offset].present {
                    slot = slots[offset]
                } else if let far = sparse[id] {
                    slot = far
                } else {
                    return false
                }
                if let userID, slot.userID != userID { return false }
                if let session, slot.session != session { return false }
                if let isUnknown, slot.isUnknown != isUnknown { return false }
                return slot.seenAt >= from && slot.seenAt < to
            }
        }
    }

    // MARK: private (called holding the write lock)

    private func offset(_ id: Int) -> Int? {
        let offset = id - base
        return offset >= 0 && offset < slots.count ? offset : nil
    }

    private func slot(_ id: Int) -> Slot? { offset(id).map { slots[$0] } }

    private func place(_ entry: Entry) {
        let slot = Slot(userID: entry.userID ?? 0, session: code(of: entry.sessionID), isUnknown: entry.isUnknown, present: true,
                        seenAt: entry.seenAt.timeIntervalSince1970)
        highestID = max(highestID, entry.id)
        // More than a million empty slots (24 MB) and more than the slots held: keep it aside.
        let gap = entry.id < base ? base - entry.id : entry.id - base - slots.count
        if !slots.isEmpty, gap > max(1_000_000, slots.count) || sparse[entry.id] != nil {
            if sparse.updateValue(slot, forKey: entry.id) == nil { held += 1 }
            return
        }
        if slots.isEmpty {
            base = entry.id
        } else if entry.id < base {
            slots.insert(contentsOf: repeatElement(Slot(), count: base - entry.id), at: 0)
            base = entry.id
        }
        let offset = entry.id - base
        if offset >= slots.count { slots.append(contentsOf: repeatElement(Slot(), count: offset - slots.count + 1)) }
        if !slots[offset].present { held += 1 }
        slots[offset] = slot
    }

    private func code(of session: String) -> Int32 {
        if let code = sessionCodes[session] { return code }
        let code = Int32(truncatingIfNeeded: sessionCodes.count)
        sessionCodes[session] = code
        return code
    }

    private func removeHeld(_ id: Int) {
        if let offset = offset(id), slots[offset].present {
            slots[offset].present = false
        } else if sparse.removeValue(forKey: id) == nil {
            return
        }
        held -= 1
        index.remove(id: id)
    }

    private func removeWhere(_ doomed: (Slot) -> Bool) {
        for offset in slots.indices where slots[offset].present && doomed(slots[offset]) { removeHeld(base + offset) }
        for (id, slot) in sparse where doomed(slot) { removeHeld(id) }
        compact()
    }

    /// Drops the empty slots at both ends (the oldest rows go first, by retention).
    private func compact() {
        guard held > sparse.count else {
            slots = []
            base = 0
            return
        }
        if let last = slots.lastIndex(where: \.present), last < slots.count - 1 { slots.removeLast(slots.count - 1 - last) }
        if let first = slots.firstIndex(where: \.present), first > 0 {
            slots.removeFirst(first)
            base += first
        }
    }
}

extension Application {
    private struct SightingIndexKey: StorageKey {
        typealias Value = SightingIndex
    }

    /// The faces of this app's stored sightings, for search by photo.
    var sightingIndex: SightingIndex {
        if let index = storage[SightingIndexKey.self] { return index }
        let index = SightingIndex()
        storage[SightingIndexKey.self] = index
        return index
    }
}

extension SightingIndex.Entry {
    /// A stored row's columns, however they were read (a model the writer just stored, or a row the
    /// loader selected): the one place a sighting's stored face becomes an entry. Throws when
    /// `face_embedding` is not a readable embedding.
    init(id: Int, faceEmbedding: Data, userID: Int?, sessionID: String, seenAt: Date, isUnknown: Bool) throws {
        self.init(id: id, embedding: try Embedding(bytes: faceEmbedding), userID: userID, sessionID: sessionID, seenAt: seenAt,
                  isUnknown: isUnknown)
    }
}
