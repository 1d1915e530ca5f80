import Vapor

/// `facestream keys create --role recognize|admin [--name N]` · `facestream keys list` ·
/// `facestream keys revoke <id>`. Keys live in `api_keys` (run `facestream migrate` first on PostgreSQL).
struct KeysCommand: AsyncCommandGroup {
    var help: String { "Create, list and revoke API keys" }

    var commands: [String: any AnyAsyncCommand] {
        ["create": KeysCreateCommand(), "list": KeysListCommand(), "revoke": KeysRevokeCommand()]
    }
}
