import Foundation

/// Which database the tests run against: SQLite (a temp file per test) unless
/// `FACESTREAM_TEST_DB=postgres`, then the PostgreSQL at `DATABASE_URL` (scripts/test starts one).
enum TestDatabase: Equatable {
    case sqlite
    case postgres(url: String)

    static let current: TestDatabase = {
        let env = ProcessInfo.processInfo.environment
        guard env["FACESTREAM_TEST_DB"]?.lowercased() == "postgres" else { return .sqlite }
        guard let url = env["DATABASE_URL"], !url.isEmpty else {
            fatalError("FACESTREAM_TEST_DB=postgres needs DATABASE_URL=postgres://…")
        }
        return .postgres(url: url)
    }()

    static var isPostgres: Bool {
        if case .postgres = current { return true }
        return false
    }
}

/// One PostgreSQL database is shared by every test, and each test drops its schema first: tests
/// that use it must take turns, across suites too (`.serialized` only orders tests within a suite).
enum SharedDatabaseLock {
    static let shared = AsyncFIFOLock()
}
