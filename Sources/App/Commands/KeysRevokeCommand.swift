import Fluent
import Vapor

/// Deletes a key by id (as `keys list` shows it); it stops working immediately.
struct KeysRevokeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "id", help: "The key's id from `facestream keys list`")
        var id: Int
    }

    var help: String { "Revoke (delete) an API key by id" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await StartupMigrationPolicy.apply(to: context.application)
        guard let key = try await APIKey.find(signature.id, on: context.application.db) else {
            throw KeysCommandError("no API key with id \(signature.id)")
        }
        try await key.delete(on: context.application.db)
        context.console.print("Revoked API key #\(signature.id) (\(key.keyPrefix)…, \(key.name)).")
    }
}
