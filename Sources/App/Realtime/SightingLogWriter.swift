import FaceKit
import Fluent
import SQLKit
import Vapor

/// Writes RecognitionLog rows in batches, off the frame path. Rows wait in memory while the
/// database is unavailable and are written when it returns. Past `capacity` rows in memory
/// (SIGHTING_QUEUE_ROWS) they go to a spill file in DATA_DIR (fsync'd per batch), which is written to
/// the database after the rows in memory, also by the next process if this one dies first. At
/// shutdown with the database down, the rows still in memory are spilled too. Without a spill
/// directory (tests), a full queue drops its oldest row instead, and logs it.
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
    /// Where rows past `capacity` go; nil: they replace the oldest.
    private let spill: SightingSpillFile?
    /// Rows past `capacity` not yet appended to the spill file: appended (one write, one fsync) every
    /// tick of the loop, before a flush and whenever a batch's worth has gathered.
    private var spillBuffer: [Sighting] = []
    private var loop: Task<Void, Never>?
    /// The flush writing right now; a second flush waits for it instead of writing the same rows twice.
    private var inFlight: Task<Bool, Never>?
    /// HOOK (written rows): everyone who must see each stored sighting — the sighting search index
    /// (registered by `Application.sightingLog`) and the unknown-visitor clusterer. Add more with `onWritten(_:)`.
    private var observers: [WrittenObserver]
    private(set) var written = 0
    private(set) var failedAttempts = 0
    /// Rows this process appended to the spill file.
    private(set) var spilled = 0
    /// Rows lost: the queue was full and there is no spill file (or it could not be written).
    private(set) var dropped = 0

    init(database: @escaping @Sendable () -> any Database, logger: Logger, capacity: Int = 100_000,
         spillDirectory: String? = nil, onWritten observers: [WrittenObserver] = []) {
        self.database = database
        self.logger = logger
        self.capacity = capacity
        self.spill = spillDirectory.map(SightingSpillFile.init(directory:))
        self.observers = observers
    }

    /// Registers `observer`: from now on it sees every batch written (rows with their ids), after
    /// the insert succeeded and before the next batch is written.
    func onWritten(_ observer: @escaping WrittenObserver) {
        observers.append(observer)
    }

    func enqueue(_ sighting: Sighting) {
        if queue.count < capacity {
            queue.append(sighting)
        } else if spill != nil {
            if spillBuffer.isEmpty && spilled == 0 {
                logger.warning("sighting log: \(capacity) rows wait in memory (SIGHTING_QUEUE_ROWS); further rows go to the spill file in DATA_DIR")
            }
            spillBuffer.append(sighting)
            if spillBuffer.count >= batchSize { writeSpillBuffer() }
        } else {
            queue.removeFirst()
            queue.append(sighting)
            dropped += 1
            logger.error("sighting log queue full (\(capacity) rows): dropped the oldest row")
        }
    }

    /// Rows waiting in memory (the spill file not counted).
    var pendingCount: Int { queue.count + spillBuffer.count }

    /// Rows waiting in the spill file (reads it).
    var spilledPendingCount: Int { spill?.countRows() ?? 0 }

    /// Flushes every `interval` seconds; after a failure waits longer (up to 30 s) before the next
    /// database attempt, while rows past the bound still reach the spill file every `interval`.
    func start(interval: Double = 0.5) {
        guard loop == nil else { return }
        loop = Task { [weak self] in
            var delay = interval
            var nextAttempt = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                guard let self else { return }
                await self.writeSpillBuffer()
                guard ContinuousClock.now >= nextAttempt else { continue }
                delay = await self.flush() ? interval : min(30, max(1, delay * 2))
                nextAttempt = .now + .milliseconds(Int((delay - interval) * 1000))
            }
        }
    }

    /// Stops the loop and writes what is left; if the database refuses, the rows in memory go to
    /// the spill file, for the next start to write.
    func stop() async {
        loop?.cancel()
        loop = nil
        if await flush() { return }
        guard spill != nil, !queue.isEmpty || !spillBuffer.isEmpty else { return }
        let count = queue.count + spillBuffer.count
        spillBuffer = queue + spillBuffer
        queue.removeAll()
        writeSpillBuffer()
        logger.warning("sighting log: the database is unavailable at shutdown; \(count - spillBuffer.count) rows spilled to DATA_DIR for the next start")
    }

    /// Writes everything queued, then everything spilled. Returns false when the database refused
    /// (rows stay where they are).
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
        // Rows past the bound reach the disk first, whether or not the database answers.
        writeSpillBuffer()
        while !queue.isEmpty {
            let batch = Array(queue.prefix(batchSize))
            guard let rows = await store(batch) else { return false }
            // Rows enqueued meanwhile were appended behind the batch.
            queue.removeFirst(min(batch.count, queue.count))
            await delivered(rows)
        }
        writeSpillBuffer()  // rows that came past the bound meanwhile
        return await writeSpilled()
    }

    /// The spill file's rows, batch by batch, each batch's end committed once it is stored.
    private func writeSpilled() async -> Bool {
        guard let spill else { return true }
        while true {
            let next: (rows: [Sighting], end: UInt64)?
            do {
                next = try spill.nextBatch(limit: batchSize) { [logger] error in
                    logger.error("sighting spill file: skipped an unreadable line (\(error))")
                }
            } catch {
                logger.error("sighting spill file: \(error)")
                return false
            }
            guard let next else { return true }
            guard let rows = await store(next.rows) else { return false }
            do {
                try spill.commit(offset: next.end)
            } catch {
                logger.error("sighting spill file: could not record progress (\(error)); a restart now would write \(rows.count) rows twice")
            }
            await delivered(rows)
        }
    }

    /// Inserts `batch`; nil when the database refused.
    private func store(_ batch: [Sighting]) async -> [RecognitionLog]? {
        var batch = batch
        while true {
            do {
                let rows = try await Self.insert(batch, into: database())
                written += rows.count
                return rows
            } catch {
                // A person deleted since the sighting: detach those rows, as deletion does with
                // stored ones, instead of retrying a foreign-key violation for ever.
                if let detached = await detachingDeletedPeople(batch) {
                    batch = detached
                    continue
                }
                failedAttempts += 1
                logger.warning("sighting log: \(batch.count) rows not written yet (\(String(reflecting: error))); will retry")
                return nil
            }
        }
    }

    private func delivered(_ rows: [RecognitionLog]) async {
        for observer in observers { await observer(rows) }
    }

    /// Appends the rows past the bound to the spill file. If the disk refuses they stay in memory
    /// (at most another `capacity`; beyond that the oldest are dropped) and are retried next tick.
    private func writeSpillBuffer() {
        guard let spill, !spillBuffer.isEmpty else { return }
        do {
            try spill.append(spillBuffer)
            spilled += spillBuffer.count
            spillBuffer.removeAll(keepingCapacity: true)
        } catch {
            logger.error("sighting spill file: \(spillBuffer.count) rows not spilled yet (\(error))")
            if spillBuffer.count > capacity {
                let excess = spillBuffer.count - capacity
                spillBuffer.removeFirst(excess)
                dropped += excess
                logger.error("sighting log: dropped the \(excess) oldest rows (memory full, spill file unwritable)")
            }
        }
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
    /// `batch` with `userID` set to nil in the rows whose person no longer exists; nil when no row
    /// changed (also when the database can't be asked).
    func detachingDeletedPeople(_ batch: [Sighting]) async -> [Sighting]? {
        let ids = Set(batch.compactMap(\.userID))
        guard !ids.isEmpty, let existing = try? await User.query(on: database()).filter(\.$id ~~ ids).all() else { return nil }
        let alive = Set(existing.compactMap(\.id))
        guard !ids.isSubset(of: alive) else { return nil }
        return batch.map { row in row.userID.map(alive.contains) == false ? row.detached() : row }
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
        let writer = SightingLogWriter(database: { [unowned self] in self.db }, logger: logger,
                                       capacity: config.sightingQueueRows, spillDirectory: config.dataDirectory, onWritten: [
            // Sightings with a face become searchable by photo as soon as they are stored.
            { rows in index.added(rows) },
            { [clusters = unknownClusters] rows in await clusters.ingest(rows) },  // unknown visitors join their clusters
        ])
        storage[SightingLogKey.self] = writer
        return writer
    }
}
