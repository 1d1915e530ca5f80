import Vapor

/// Vapor's `serve`, preceded by `StartupMigrationPolicy`. Wrapping the command (rather than running the
/// check in `configure` or at boot) makes the check apply to `serve` only: `migrate`, `keys` and tests
/// never trigger it. Flags (`--hostname`, `--port`, `--bind`) and `--help` pass through unchanged.
struct MigratingServeCommand: AnyAsyncCommand {
    let serve: ServeCommand

    var help: String { serve.help }

    func run(using context: inout CommandContext) async throws {
        try await StartupMigrationPolicy.apply(to: context.application)
        // The tables exist only now (on a fresh SQLite file the policy just created them).
        try await loadGallery(context.application)
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

/// Fills the in-memory gallery and the sighting index before the server takes its first request.
private func loadGallery(_ app: Application) async throws {
    guard let runtime = app.faceRuntime else { return }
    try await GalleryLoader.load(into: runtime, from: app.db, logger: app.logger)
    try await SightingIndexLoader.load(into: app.sightingIndex, from: app.db, logger: app.logger)
}
