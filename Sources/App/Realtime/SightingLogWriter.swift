import FaceKit
import Fluent
import SQLKit
import Vapor

/// Writes RecognitionLog rows in batches, off the frame path. Rows wait in memory while the
/// database is unavailable and are written when it returns; nothing is lost while the server
/// runs (up to `capacity` rows; beyond that the oldest are dropped and the loss is logged).
actor SightingLogWriter {
    struct Sighting: Sendable {
        let userID: Int?
        let trackID: String
        let confidence: Double
        let isUnknown: Bool
        let bbox: [Int]
        let sessionID: String
        let seenAt: Date
        /// The face that decided the sighting (a track's best-quality look): its embedding, a small
        /// JPEG of it (nil when SIGHTING_THUMBNAILS is off) and its 0…1 quality score.
        var embedding: Embedding? = nil
        var thumbnail: Data? = nil
        var quality: Double? = nil
    }

    /// Called after every batch is written, with the rows as stored (ids set), in order.
    typealias WrittenObserver = @Sendable ([RecognitionLog]) async -> Void

    private let database: @Sendable () -> any Database
    private let logger: Logger
    private let capacity: Int
    private let batchSize = 500
    private var queue: [Sighting] = []
    private var loop: Task<Void, Never>?
    /// The flush writing right now; a second flush waits for it instead of writing the same rows twice.
    private var inFlight: Task<Bool, Never>?
    /// HOOK (written rows): everyone who must see each stored sighting — the sighting search index
    /// (registered by `Application.sightingLog`) and the unknown-visitor clusterer. Add more with `onWritten(_:)`.
    private var observers: [WrittenObserver]
    private(set) var written = 0
    private(set) var failedAttempts = 0

    init(database: @escaping @Sendable () -> any Database, logger: Logger, capacity: Int = 100_000,
         onWritten observers: [WrittenObserver] = []) {
        self.database = database
        self.logger = logger
        self.capacity = capacity
        self.observers = observers
    }

    /// Registers `observer`: from now on it sees every batch written (rows with their ids), after
    /// the insert succeeded and before the next batch is written.
    func onWritten(_ observer: @escaping WrittenObserver) {
        observers.append(observer)
    }

    func enqueue(_ sighting: Sighting) {
        if queue.count >= capacity {
            queue.removeFirst()
            logger.error("sighting log queue full (\(capacity) rows): dropped the oldest row")
        }
        queue.append(sighting)
    }

    var pendingCount: Int { queue.count }

    /// Flushes every `interval` seconds; after a failure waits longer (up to 30 s) and retries.
    func start(interval: Double = 0.5) {
        guard loop == nil else { return }
        loop = Task { [weak self] in
            var delay = interval
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                guard let self else { return }
                delay = await self.flush() ? interval : min(30, max(1, delay * 2))
            }
        }
    }

    func stop() async {
        loop?.cancel()
        loop = nil
        _ = await flush()
    }

    /// Writes everything queued. Returns false when the database refused (rows stay queued).
    @discardableResult
    func flush() async -> Bool {
        // One flush at a time: the loop's and a caller's (`stop`, tests) must not insert one batch twice.
        while let running = inFlight { _ = await running.value }
        // Actor-isolated: the task starts only once this method suspends, after `inFlight` is set,
        // and clears it before its value is available.
        let task = Task {
            let written = await self.writeQueued()
            self.inFlight = nil
            return written
        }
        inFlight = task
        return await task.value
    }

    private func writeQueued() async -> Bool {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(batchSize))
            let rows: [RecognitionLog]
            do {
                rows = try await Self.insert(batch, into: database())
            } catch {
                // A person deleted since the sighting: detach those rows, as deletion does with
                // stored ones, instead of retrying a foreign-key violation for ever.
                if await detachDeletedPeople(in: batch.count) { continue }
                failedAttempts += 1
                logger.warning("sighting log: \(batch.count) rows not written yet (\(String(reflecting: error))); will retry")
                return false
            }
            // Rows enqueued meanwhile were appended behind the batch.
            queue.removeFirst(min(batch.count, queue.count))
            written += batch.count
            for observer in observers { await observer(rows) }
        }
        return true
    }

    /// One multi-row INSERT … RETURNING id; returns the rows as stored, ids set, in `batch` order.
    /// (Fluent's batch create doesn't read generated ids back.) The ids of one statement are given
    /// in row order on both SQLite (rowid) and PostgreSQL (the sequence), whatever order RETURNING
    /// lists them in, so sorted they line up with the batch.
    static func insert(_ batch: [Sighting], into db: any Database) async throws -> [RecognitionLog] {
        guard !batch.isEmpty else { return [] }
        guard let sql = db as? any SQLDatabase else { throw FaceStreamError.internalError("the sighting log needs an SQL database") }
        var insert = sql.insert(into: RecognitionLog.schema).columns(
            "user_id", "track_id", "confidence", "is_unknown", "frame_position", "session_id", "created_at",
            "face_embedding", "face_thumbnail", "face_quality")
        for sighting in batch {
            insert = insert.values([
                bindOrNull(sighting.userID), SQLBind(sighting.trackID), SQLBind(sighting.confidence), SQLBind(sighting.isUnknown),
                SQLBind(RecognitionLog.encodeBox(sighting.bbox)), SQLBind(sighting.sessionID), SQLBind(sighting.seenAt),
                bindOrNull(sighting.embedding?.bytes), bindOrNull(sighting.thumbnail), bindOrNull(sighting.quality),
            ])
        }
        let ids = try await insert.returning("id").all().map { try $0.decode(column: "id", as: Int.self) }.sorted()
        guard ids.count == batch.count else {
            throw FaceStreamError.internalError("the sighting insert returned \(ids.count) ids for \(batch.count) rows")
        }
        return zip(ids, batch).map { id, sighting in
            let row = RecognitionLog(id: id, userID: sighting.userID, trackID: sighting.trackID, confidence: sighting.confidence,
                                     isUnknown: sighting.isUnknown, bbox: sighting.bbox, sessionID: sighting.sessionID,
                                     createdAt: sighting.seenAt, faceEmbedding: sighting.embedding?.bytes,
                                     faceThumbnail: sighting.thumbnail, faceQuality: sighting.quality)
            row.$id.exists = true
            return row
        }
    }

    private static func bindOrNull(_ value: (some Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }
}

extension SightingLogWriter {
    /// Sets `userID` to nil in the first `count` queued rows whose person no longer exists.
    /// Returns whether any row changed (false also when the database can't be asked).
    func detachDeletedPeople(in count: Int) async -> Bool {
        let ids = Set(queue.prefix(count).compactMap(\.userID))
        guard !ids.isEmpty, let existing = try? await User.query(on: database()).filter(\.$id ~~ ids).all() else { return false }
        let alive = Set(existing.compactMap(\.id))
        var changed = false
        for index in queue.indices.prefix(count) {
            if let id = queue[index].userID, !alive.contains(id) {
                queue[index] = queue[index].detached()
                changed = true
            }
        }
        return changed
    }
}

extension SightingLogWriter.Sighting {
    /// Without the person, and without the face: a deleted person's biometric data is not stored.
    func detached() -> Self {
        .init(userID: nil, trackID: trackID, confidence: confidence, isUnknown: isUnknown, bbox: bbox, sessionID: sessionID, seenAt: seenAt)
    }
}

extension Application {
    private struct SightingLogKey: StorageKey {
        typealias Value = SightingLogWriter
    }

    /// The writer all WebSocket sessions (and `POST /api/recognize?log=true`) of this app share.
    var sightingLog: SightingLogWriter {
        if let writer = storage[SightingLogKey.self] { return writer }
        let index = sightingIndex
        let writer = SightingLogWriter(database: { [unowned self] in self.db }, logger: logger, onWritten: [
            // Sightings with a face become searchable by photo as soon as they are stored.
            { rows in index.added(rows) },
            { [clusters = unknownClusters] rows in await clusters.ingest(rows) },  // unknown visitors join their clusters
        ])
        storage[SightingLogKey.self] = writer
        return writer
    }
}
