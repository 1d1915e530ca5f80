import Fluent
import Vapor

/// Creates a key and prints it once: only its hash is stored, so it can't be shown again.
struct KeysCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "role", short: "r", help: "admin or recognize (default: recognize)")
        var role: String?

        @Option(name: "name", short: "n", help: "A label, e.g. the camera or client using the key")
        var name: String?
    }

    var help: String { "Create an API key (printed once)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await StartupMigrationPolicy.apply(to: context.application)
        let roleName = signature.role ?? APIRole.recognize.rawValue
        guard let role = APIRole(rawValue: roleName.lowercased()) else {
            throw KeysCommandError("unknown role \"\(roleName)\"; use admin or recognize")
        }
        let key = APIKeyCrypto.generateKey()
        let name = signature.name ?? "\(role.rawValue) key"
        let record = APIKey(name: name, role: role, key: key)
        try await record.create(on: context.application.db)

        context.console.print("Created \(role.rawValue) API key #\(record.id ?? 0) \"\(name)\":")
        context.console.print(key)
        context.console.print("Store it now: it is not shown again.")
    }
}

struct KeysCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
