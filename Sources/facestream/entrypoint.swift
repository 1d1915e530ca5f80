import App
import FaceStreamTools
import Vapor

/// `facestream [command]`. Commands:
/// - `serve` (default): HTTP + WebSocket server. `--hostname/-H`, `--port/-p` or `--bind/-b host:port`
///   override HOST/PORT. Migrates SQLite itself; on PostgreSQL only with AUTO_MIGRATE=true, otherwise it
///   refuses to start while migrations are pending.
/// - `migrate`: apply pending migrations; `--revert` undoes the last batch; `-y`/`--yes` skips the prompt.
/// - `keys create --role recognize|admin [--name N]` · `keys list` · `keys revoke <id>`.
/// - `routes`: print the route table.
/// - `embed`, `bench-engine`, `bench-gallery`, `bench-stream`: offline tools (FaceStreamTools) that run before and
///   without Vapor: no configuration, no DATA_DIR, no database, no admin key on stdout.
/// Configuration comes from the environment and `.env` (see AppConfig).
@main
enum Entrypoint {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let tool = arguments.first, FaceStreamTools.commandNames.contains(tool) {
            exit(await FaceStreamTools.run(arguments))
        }

        var env: Environment
        do {
            env = try Environment.detect()
            try LoggingSystem.bootstrap(from: &env)
        } catch {
            fail("\(error)")
        }

        let app: Application
        do {
            app = try await Application.make(env)
        } catch {
            fail("could not create the application: \(error)")
        }

        do {
            try await configure(app)
        } catch {
            // ConfigurationError reads "invalid VAR=\"value\": expected …"; print it as is.
            try? await app.asyncShutdown()
            fail("\(error)")
        }
        bootstrapMetrics(for: app)

        do {
            try await app.execute()
            // Vapor's help lists its own commands; the offline tools never reach it.
            if ["--help", "-h"].contains(arguments.first) { print("\n" + FaceStreamTools.helpSummary) }
        } catch {
            try? await app.asyncShutdown()
            fail("\(error)")
        }
        do {
            try await app.asyncShutdown()
        } catch {
            fail("shutdown failed: \(error)")
        }
    }

    /// Start-up failures go to stderr as one line and exit 1, so scripts and supervisors see them.
    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("facestream: \(message)\n".utf8))
        exit(1)
    }
}
