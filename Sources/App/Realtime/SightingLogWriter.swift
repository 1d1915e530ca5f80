import Fluent
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
    }

    private let database: @Sendable () -> any Database
    private let logger: Logger
    private let capacity: Int
    private let batchSize = 500
    private var queue: [Sighting] = []
    private var loop: Task<Void, Never>?
    private(set) var written = 0
    private(set) var failedAttempts = 0

    init(database: @escaping @Sendable () -> any Database, logger: Logger, capacity: Int = 100_000) {
        self.database = database
        self.logger = logger
        self.capacity = capacity
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
        while !queue.isEmpty {
            let batch = Array(queue.prefix(batchSize))
            let rows = batch.map {
                RecognitionLog(userID: $0.userID, trackID: $0.trackID, confidence: $0.confidence, isUnknown: $0.isUnknown,
                               bbox: $0.bbox, sessionID: $0.sessionID, createdAt: $0.seenAt)
            }
            do {
                try await rows.create(on: database())
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
        }
        return true
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
    func detached() -> Self {
        .init(userID: nil, trackID: trackID, confidence: confidence, isUnknown: isUnknown, bbox: bbox, sessionID: sessionID, seenAt: seenAt)
    }
}

extension Application {
    private struct SightingLogKey: StorageKey {
        typealias Value = SightingLogWriter
    }

    /// The writer all WebSocket sessions of this app share.
    var sightingLog: SightingLogWriter {
        if let writer = storage[SightingLogKey.self] { return writer }
        let writer = SightingLogWriter(database: { [unowned self] in self.db }, logger: logger)
        storage[SightingLogKey.self] = writer
        return writer
    }
}
