import FluentKit
import FluentPostgresDriver

/// Classifies driver errors so the API can say "database unavailable" (503, retry later) or
/// "conflict" (409, fix the request) instead of a bare 500.
enum DatabaseFailure {
    /// The database can't be reached or refuses us: the request may succeed later unchanged.
    static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case is DatabaseUnreachable, is ConnectionPoolTimeoutError, is ConnectionPoolError:
            return true
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown,
                 .poolClosed, .sslUnsupported, .failedToAddSSLHandler:
                return true
            case .server:
                // 08 connection exception, 28 bad credentials, 3D unknown database,
                // 53 insufficient resources (too many connections), 57 server shutting down.
                let state = error.serverInfo?[.sqlState] ?? ""
                return ["08", "28", "3D", "53", "57"].contains(String(state.prefix(2)))
            default:
                return false
            }
        case let error as any DatabaseError:
            return error.isConnectionClosed
        default:
            return false
        }
    }

    /// A unique or foreign-key constraint rejected the write.
    static func isConstraintViolation(_ error: any Error) -> Bool {
        (error as? any DatabaseError)?.isConstraintFailure ?? false
    }
}

/// Our own "couldn't reach the database in time" (e.g. the health check's timeout).
struct DatabaseUnreachable: Error, CustomStringConvertible {
    let description: String
}
