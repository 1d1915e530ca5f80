#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread read-write lock: many concurrent searches, one exclusive writer.
public final class ReadWriteLock: @unchecked Sendable {
    // @unchecked Sendable: the pthread lock is itself the synchronisation primitive.
    private let handle = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    public init() { pthread_rwlock_init(handle, nil) }

    deinit {
        pthread_rwlock_destroy(handle)
        handle.deallocate()
    }

    public func reading<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(handle)
        defer { pthread_rwlock_unlock(handle) }
        return try body()
    }

    public func writing<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(handle)
        defer { pthread_rwlock_unlock(handle) }
        return try body()
    }
}
