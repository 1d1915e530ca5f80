import Foundation

/// Which database FaceStream talks to, decided from `DATABASE_URL`.
public enum DatabaseTarget: Sendable, Equatable {
    /// The embedded default: one file, zero set-up.
    case sqliteFile(path: String)
    /// `sqlite://:memory:`: nothing survives a restart; useful for experiments only.
    case sqliteMemory
    /// The production store; the URL is handed to `SQLPostgresConfiguration(url:)` unchanged.
    case postgres(url: String)

    public var isSQLite: Bool {
        if case .postgres = self { return false }
        return true
    }

    /// Parses `DATABASE_URL`; `nil` (unset) means the SQLite file in the data directory.
    static func parse(_ value: String?, dataDirectory: String) throws(ConfigurationError) -> DatabaseTarget {
        guard let value else {
            return .sqliteFile(path: (dataDirectory as NSString).appendingPathComponent("facestream.sqlite"))
        }
        let shown = redactingPassword(value)
        let invalid = { (expected: String) in ConfigurationError(variable: "DATABASE_URL", value: shown, expected: expected) }
        let scheme = value.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""

        switch scheme {
        case "postgres", "postgresql":
            // Checked here so a typo stops start-up with this message instead of a driver error later.
            guard let parts = URLComponents(string: value), parts.user?.isEmpty == false,
                  parts.host?.isEmpty == false else {
                throw invalid("expected postgres://user[:password]@host[:port]/database")
            }
            return .postgres(url: value)
        case "sqlite":
            guard value.lowercased().hasPrefix("sqlite://") else {
                throw invalid("expected sqlite:///absolute/path.sqlite or sqlite://:memory:")
            }
            let path = String(value.dropFirst("sqlite://".count))
            if path == ":memory:" { return .sqliteMemory }
            guard !path.isEmpty else { throw invalid("expected sqlite:///absolute/path.sqlite or sqlite://:memory:") }
            return .sqliteFile(path: path)
        default:
            throw invalid("expected a postgres://, postgresql:// or sqlite:// URL; \"\(scheme)\" is not supported")
        }
    }

    /// Start-up errors are printed and logged: never show a database password there.
    static func redactingPassword(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }
}
