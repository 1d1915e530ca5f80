@testable import App
import Testing

@Suite("Start-up command detection")
struct StartupCommandTests {
    @Test(arguments: [[], ["serve"], ["--port", "9000"], ["serve", "--hostname", "::1"]])
    func serveIsTheDefault(arguments: [String]) {
        let command = StartupCommand(arguments: arguments)
        #expect(command.isServe)
        #expect(command.needsFaceEngine)
    }

    @Test(arguments: ["migrate", "keys", "routes"])
    func databaseOnlyCommandsSkipTheEngine(name: String) {
        let command = StartupCommand(arguments: [name, "--yes"])
        #expect(!command.isServe)
        #expect(!command.needsFaceEngine)
    }

    @Test func otherCommandsLoadTheEngine() {
        #expect(StartupCommand(arguments: ["identify", "photo.jpg"]).needsFaceEngine)
    }
}
