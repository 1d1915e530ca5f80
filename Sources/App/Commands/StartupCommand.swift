import Vapor

/// Which command this process was started for (`facestream serve`, `facestream migrate`, …),
/// read from the arguments Vapor will dispatch on. `configure` runs before the command does, so this
/// is how it knows to skip work a command doesn't need (loading models for `migrate`, say).
struct StartupCommand: Equatable {
    /// `nil` means the default command, `serve`.
    let name: String?

    init(arguments: [String]) {
        // `arguments` excludes the executable; a leading flag (`--port 80`) goes to the default command.
        let first = arguments.first
        self.name = (first == nil || first!.hasPrefix("-")) ? nil : first
    }

    init(_ app: Application) {
        self.init(arguments: app.environment.commandInput.arguments)
    }

    var isServe: Bool { name == nil || name == "serve" }

    /// Commands that only touch the database or print something don't load the dlib models.
    var needsFaceEngine: Bool {
        !["migrate", "keys", "routes"].contains(name ?? "serve")
    }
}
