import Fluent
import Vapor

/// Lists keys by id, role, name and prefix; the keys themselves are never stored, so never shown.
struct KeysListCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "List API keys (prefix only)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await StartupMigrationPolicy.apply(to: context.application)
        let keys = try await APIKey.query(on: context.application.db).sort(\.$id).all()
        guard !keys.isEmpty else {
            context.console.print("No API keys in the database (the admin key from ADMIN_API_KEY or $DATA_DIR/admin_api_key always works).")
            return
        }
        let dates = ISO8601DateFormatter()
        context.console.print("ID\tROLE\tPREFIX\tCREATED\tLAST USED\tNAME")
        for key in keys {
            let created = key.createdAt.map(dates.string(from:)) ?? "-"
            let lastUsed = key.lastUsedAt.map(dates.string(from:)) ?? "never"
            context.console.print("\(key.id ?? 0)\t\(key.role.rawValue)\t\(key.keyPrefix)…\t\(created)\t\(lastUsed)\t\(key.name)")
        }
    }
}
