import Fluent

/// `users`. Field names are literals, not model keys: a shipped migration must not change when a model does.
struct CreateUser: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("email", .string)
            .field("employee_id", .string)
            .field("is_active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            // UNIQUE lets any number of NULLs through on both SQLite and PostgreSQL.
            .unique(on: "email", name: "uq_users_email")
            .unique(on: "employee_id", name: "uq_users_employee_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}
