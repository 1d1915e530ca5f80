import ArgumentParser
import FaceKit
import Foundation

/// The first arguments that select an offline tool instead of the Vapor application.
public let commandNames: Set<String> = ["embed", "bench-engine", "bench-gallery", "bench-stream", "bench-accuracy", "bench-alignment"]

/// One line for `facestream --help`, which Vapor prints for its own commands.
public let helpSummary = """
    Offline tools (no server, no database; JSON or figures on stdout):
      embed          Faces, landmarks, quality and 128-D embeddings of image files, one JSON line each
      bench-engine   Milliseconds per engine stage at 640×360, 640×480, 1280×720 and faces/s on 1 and 2 threads
      bench-gallery  Milliseconds per gallery search over 10k–1M random embeddings
      bench-stream   Streams JPEG frames over N WebSocket connections to a running server: fps, latency, CPU
      bench-accuracy Verification accuracy on LFW pairs at the server's settings (a dev set directory)
      bench-alignment YuNet-path vs HOG-path embeddings of the same faces, and the box calibration
    Use `facestream <tool> --help` for their options.
    """

/// Runs an offline tool (`arguments` without the executable, starting with its name) and returns
/// the process exit status. Usage errors and help go where ArgumentParser sends them.
public func run(_ arguments: [String]) async -> Int32 {
    do {
        var command = try ToolsCommand.parseAsRoot(arguments)
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        return 0
    } catch let error as ToolError {
        Output.error("facestream: \(error.message)")
        return 1
    } catch {
        let code = ToolsCommand.exitCode(for: error)
        let message = ToolsCommand.fullMessage(for: error)
        if !message.isEmpty {
            if code == .success { Output.line(message) } else { Output.error(message) }
        }
        return code.rawValue
    }
}

struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facestream",
        abstract: "FaceStream offline tools.",
        subcommands: [EmbedCommand.self, BenchEngineCommand.self, BenchGalleryCommand.self, BenchStreamCommand.self, BenchAccuracyCommand.self, BenchAlignmentCommand.self]
    )
}

/// A failure of a tool as a whole (models missing, unreadable benchmark photo): one line on stderr, exit 1.
struct ToolError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Model directory and engine threads, shared by the tools that run the face engine.
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of the dlib model files (default: $MODELS_DIR, else ./models).", valueName: "dir"))
    var models: String?

    var modelDirectory: String {
        models ?? ProcessInfo.processInfo.environment["MODELS_DIR"] ?? "models"
    }
}

extension FaceDetectorKind: ExpressibleByArgument {}

enum Output {
    /// stdout through stdio: buffered, flushed by `exit` and at the end of `main`.
    static func line(_ text: String) {
        print(text)
    }

    static func lines(_ texts: [String]) {
        for text in texts { print(text) }
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
