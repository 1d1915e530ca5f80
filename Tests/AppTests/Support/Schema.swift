import Fluent
import SQLKit

/// What the database says exists, asked of its own catalogue (not of Fluent).
enum Schema {
    static func tables(_ database: any Database) async throws -> Set<String> {
        try await names(database, sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'",
                        postgres: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")
    }

    static func indexes(_ database: any Database) async throws -> Set<String> {
        try await names(database, sqlite: "SELECT name FROM sqlite_master WHERE type = 'index'",
                        postgres: "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'")
    }

    private static func names(_ database: any Database, sqlite: String, postgres: String) async throws -> Set<String> {
        guard let sql = database as? any SQLDatabase else { throw TestSetupError("not an SQL database") }
        let query = sql.dialect.name == "sqlite" ? sqlite : postgres
        let rows = try await sql.raw(SQLQueryString(query)).all()
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }
}
