#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import Vapor

/// SQLite serves one node: a second `serve` on the same file would keep a gallery that never hears of
/// the first one's changes. So `serve` holds an exclusive `flock` on `<database file>.lock` for as long
/// as the application lives, and a second one is refused at start-up. The lock belongs to the open
/// file description, so a second application in the same process is refused too; it is released at
/// shutdown (and by the system if the process dies). The lock file itself stays: deleting it would
/// let a third process lock a new file while the first still holds the old one.
final class SQLiteFileLock: Sendable {
    let path: String
    private let descriptor = NIOLockedValueBox<Int32?>(nil)

    private init(path: String, descriptor fd: Int32) {
        self.path = path
        descriptor.withLockedValue { $0 = fd }
    }

    /// Takes the lock of the database at `databasePath` for `app`, released when `app` shuts down;
    /// throws when another process (or application) holds it.
    static func hold(_ databasePath: String, for app: Application) throws {
        let lock = try acquire(databasePath)
        app.storage.set(Key.self, to: lock, onShutdown: { $0.release() })
    }

    static func acquire(_ databasePath: String) throws -> SQLiteFileLock {
        let path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ConfigurationError(variable: "DATABASE_URL", value: databasePath,
                                     expected: "expected a SQLite file whose lock file \(path) FaceStream can create (\(String(cString: strerror(errno))))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            if reason == EWOULDBLOCK { throw SQLiteFileInUse(databasePath: databasePath, lockPath: path) }
            throw ConfigurationError(variable: "DATABASE_URL", value: databasePath,
                                     expected: "expected a lockable SQLite lock file \(path) (\(String(cString: strerror(reason))))")
        }
        return SQLiteFileLock(path: path, descriptor: fd)
    }

    /// Closing the descriptor drops the lock. Idempotent.
    func release() {
        descriptor.withLockedValue { fd in
            if let held = fd { close(held) }
            fd = nil
        }
    }

    private struct Key: StorageKey {
        typealias Value = SQLiteFileLock
    }
}

/// Start-up stops with this message when another server holds the SQLite file.
struct SQLiteFileInUse: Error, CustomStringConvertible {
    let databasePath: String
    let lockPath: String

    var description: String {
        "the SQLite database \(databasePath) is already in use by another FaceStream server (it holds \(lockPath)). "
            + "SQLite serves a single node: stop the other server, give this one its own DATA_DIR, or let several nodes share a PostgreSQL"
    }
}
