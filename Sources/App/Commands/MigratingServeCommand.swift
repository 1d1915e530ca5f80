import Vapor

/// Vapor's `serve`, preceded by `StartupMigrationPolicy`. Wrapping the command (rather than running the
/// check in `configure` or at boot) makes the check apply to `serve` only: `migrate`, `keys` and tests
/// never trigger it. Flags (`--hostname`, `--port`, `--bind`) and `--help` pass through unchanged.
struct MigratingServeCommand: AnyAsyncCommand {
    let serve: ServeCommand

    var help: String { serve.help }

    func run(using context: inout CommandContext) async throws {
        try await StartupMigrationPolicy.apply(to: context.application)
        try await serve.run(using: &context)
    }

    func outputAutoComplete(using context: inout CommandContext) {
        serve.outputAutoComplete(using: &context)
    }

    func outputHelp(using context: inout CommandContext) {
        serve.outputHelp(using: &context)
    }

    func renderCompletionFunctions(using context: CommandContext, shell: Shell) -> String {
        serve.renderCompletionFunctions(using: context, shell: shell)
    }
}
