import FaceKit
import Foundation

/// Sightings that don't fit in the writer's memory while the database is down, kept on local disk
/// (JSON lines, embedding and thumbnail included) until they are written.
///
/// Two files under one directory (the node's DATA_DIR): rows are appended to `sighting-spill.jsonl`;
/// to write them, the writer first renames it to `sighting-spill.draining.jsonl`, so rows spilled
/// while it drains start a fresh file instead of racing the reader. How far the draining file has
/// been written to the database is kept in `sighting-spill.draining.offset` (bytes, fsync'd after
/// every batch), so a process that dies mid-drain resumes after the last batch stored: at most that
/// one batch (its insert committed, the offset not yet saved) is written twice.
///
/// Not thread-safe: the sighting log writer (an actor) owns it.
final class SightingSpillFile {
    let directory: String
    /// The offset last committed, so a failed write of the offset file doesn't make this process
    /// write a batch twice (only a restart would); nil: read it from the file.
    private var committed: UInt64?

    init(directory: String) {
        self.directory = directory
    }
    var appendPath: String { directory + "/sighting-spill.jsonl" }
    var drainingPath: String { directory + "/sighting-spill.draining.jsonl" }
    var offsetPath: String { directory + "/sighting-spill.draining.offset" }

    /// Appends `rows` and fsyncs before returning: once this returns they survive a crash.
    func append(_ rows: [SightingLogWriter.Sighting]) throws {
        guard !rows.isEmpty else { return }
        var data = Data()
        let encoder = Self.encoder
        for row in rows {
            data.append(try encoder.encode(row))
            data.append(0x0A)
        }
        let fd = open(appendPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpillError.system("open \(appendPath)", errno) }
        defer { close(fd) }
        // A process killed mid-append leaves a last line without its newline: end it first, so the
        // torn line stays one unreadable line instead of swallowing the next row.
        let size = lseek(fd, 0, SEEK_END)
        if size > 0, lastByte(of: fd, size: UInt64(size)) != 0x0A {
            data.insert(0x0A, at: 0)
        }
        try data.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SpillError.system("write \(appendPath)", errno)
                }
                written += n
            }
        }
        guard fsync(fd) == 0 else { throw SpillError.system("fsync \(appendPath)", errno) }
    }

    /// Whether rows wait on disk (in either file).
    var hasRows: Bool {
        FileManager.default.fileExists(atPath: drainingPath) || FileManager.default.fileExists(atPath: appendPath)
    }

    /// The next at most `limit` rows to write, and the offset to `commit` once they are stored;
    /// nil when nothing is spilled. Starts draining the append file when no draining file is left.
    func nextBatch(limit: Int, skipped: (String) -> Void) throws -> (rows: [SightingLogWriter.Sighting], end: UInt64)? {
        let files = FileManager.default
        while true {
            if !files.fileExists(atPath: drainingPath) {
                guard files.fileExists(atPath: appendPath) else { return nil }
                try? files.removeItem(atPath: offsetPath)
                committed = 0
                guard rename(appendPath, drainingPath) == 0 else { throw SpillError.system("rename \(appendPath)", errno) }
            }
            let start = committedOffset()
            let (lines, end) = try readLines(from: start, limit: limit)
            if lines.isEmpty {
                // Everything in it is stored: the file is done.
                try? files.removeItem(atPath: drainingPath)
                try? files.removeItem(atPath: offsetPath)
                committed = nil
                continue
            }
            var rows: [SightingLogWriter.Sighting] = []
            for line in lines {
                do {
                    rows.append(try Self.decoder.decode(SightingLogWriter.Sighting.self, from: line))
                } catch {
                    skipped("\(error)")
                }
            }
            if rows.isEmpty {
                // Only unreadable lines (a torn write): step over them.
                try commit(offset: end)
                continue
            }
            return (rows, end)
        }
    }

    /// Records that the draining file is stored up to `offset` bytes.
    func commit(offset: UInt64) throws {
        committed = offset
        let temporary = offsetPath + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpillError.system("open \(temporary)", errno) }
        let text = Array("\(offset)\n".utf8)
        let ok = text.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) == $0.count } && fsync(fd) == 0
        close(fd)
        guard ok else { throw SpillError.system("write \(temporary)", errno) }
        guard rename(temporary, offsetPath) == 0 else { throw SpillError.system("rename \(temporary)", errno) }
    }

    /// Rows on disk not yet stored (reads the files; for logs and tests).
    func countRows() -> Int {
        var count = 0
        for (path, start) in [(drainingPath, committedOffset()), (appendPath, 0)] {
            guard let data = FileManager.default.contents(atPath: path), start < data.count else { continue }
            count += data[Int(start)...].split(separator: 0x0A).count
        }
        return count
    }

    private func committedOffset() -> UInt64 {
        if let committed { return committed }
        guard let data = FileManager.default.contents(atPath: offsetPath),
              let text = String(data: data, encoding: .utf8),
              let offset = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return 0 }
        return offset
    }

    /// Up to `limit` complete lines of the draining file from byte `start`, and the offset after the
    /// last one. A last line without its newline (a torn write) counts as a line only at the end of the file.
    private func readLines(from start: UInt64, limit: Int) throws -> ([Data], UInt64) {
        guard let handle = FileHandle(forReadingAtPath: drainingPath) else {
            throw SpillError.system("open \(drainingPath)", errno)
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: start)
        var lines: [Data] = []
        var pending = Data()
        var end = start
        while lines.count < limit {
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else {
                if !pending.isEmpty {
                    lines.append(pending)
                    end += UInt64(pending.count)
                }
                break
            }
            pending.append(chunk)
            var cursor = pending.startIndex
            while lines.count < limit, let newline = pending[cursor...].firstIndex(of: 0x0A) {
                let line = pending[cursor..<newline]
                end += UInt64(line.count + 1)
                if !line.isEmpty { lines.append(Data(line)) }
                cursor = newline + 1
            }
            pending = Data(pending[cursor...])
        }
        return (lines, end)
    }

    private func lastByte(of fd: Int32, size: UInt64) -> UInt8? {
        var byte: UInt8 = 0
        return pread(fd, &byte, 1, off_t(size - 1)) == 1 ? byte : nil
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.dataEncodingStrategy = .base64
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        decoder.dataDecodingStrategy = .base64
        return decoder
    }

    enum SpillError: Error, CustomStringConvertible {
        case system(String, Int32)
        var description: String {
            switch self {
            case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
            }
        }
    }
}

/// One line of the spill file is one sighting as JSON; the embedding is kept as its stored bytes
/// (bit-exact), the thumbnail as base64.
extension SightingLogWriter.Sighting: Codable {
    enum CodingKeys: String, CodingKey {
        case confidence, bbox, embedding, thumbnail, quality
        case userID = "user_id", trackID = "track_id", isUnknown = "is_unknown", sessionID = "session_id", seenAt = "seen_at"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(userID: try c.decodeIfPresent(Int.self, forKey: .userID), trackID: try c.decode(String.self, forKey: .trackID),
                  confidence: try c.decode(Double.self, forKey: .confidence), isUnknown: try c.decode(Bool.self, forKey: .isUnknown),
                  bbox: try c.decode([Int].self, forKey: .bbox), sessionID: try c.decode(String.self, forKey: .sessionID),
                  seenAt: try c.decode(Date.self, forKey: .seenAt),
                  embedding: try c.decodeIfPresent(Data.self, forKey: .embedding).map { try Embedding(bytes: $0) },
                  thumbnail: try c.decodeIfPresent(Data.self, forKey: .thumbnail),
                  quality: try c.decodeIfPresent(Double.self, forKey: .quality))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(userID, forKey: .userID)
        try c.encode(trackID, forKey: .trackID)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(isUnknown, forKey: .isUnknown)
        try c.encode(bbox, forKey: .bbox)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(seenAt, forKey: .seenAt)
        try c.encodeIfPresent(embedding?.bytes, forKey: .embedding)
        try c.encodeIfPresent(thumbnail, forKey: .thumbnail)
        try c.encodeIfPresent(quality, forKey: .quality)
    }
}
