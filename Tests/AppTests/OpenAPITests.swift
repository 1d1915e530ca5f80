@testable import App
import Foundation
import Testing
import VaporTesting

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `openapi-spec-validator` from the test venv (`scripts/setup --fixtures` installs it).
    static let validatorPython: String? = {
        let env = ProcessInfo.processInfo.environment
        let cache = env["FACESTREAM_CACHE"] ?? (NSHomeDirectory() + "/.cache/facestream")
        let python = (env["FACESTREAM_TEST_VENV"] ?? cache + "/venv-tests") + "/bin/python"
        return FileManager.default.isExecutableFile(atPath: python) ? python : nil
    }()

    @Test(.enabled(if: validatorPython != nil, "no test venv with openapi-spec-validator: run scripts/setup --fixtures"))
    func validatesWithOpenAPISpecValidator() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("facestream-openapi-\(UUID().uuidString).json")
        try OpenAPI.json.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.validatorPython))
        process.arguments = ["-m", "openapi_spec_validator", "--validation-errors", "all", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }

    @Test func describesEveryRegisteredRoute() async throws {
        try await withApp { app in
            let response = try await app.testing().sendRequest(.GET, "openapi.json")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.0.3")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var checked = 0
            for route in app.routes.all {
                // `/api/users/:id` → `/api/users/{id}`
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                guard path.hasPrefix("/api/") || ["/ws/recognize", "/health", "/metrics", "/docs", "/openapi.json"].contains(path) else { continue }
                let operation = paths[path]?[route.method.rawValue.lowercased()] as? [String: Any]
                #expect(operation != nil, "\(route.method) \(path) is not in the OpenAPI document")
                checked += 1
            }
            #expect(checked >= 17)
            // Nothing documented that isn't served.
            let served = Set(app.routes.all.map { route in
                "/" + route.path.map { if case .parameter(let name) = $0 { "{\(name)}" } else { $0.description } }.joined(separator: "/")
            })
            for path in paths.keys {
                #expect(served.contains(path), "\(path) is documented but not routed")
            }
            let schemes = (document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
            #expect(Set(schemes?.keys.map { $0 } ?? []) == ["ApiKeyHeader", "BearerAuth", "ApiKeyQuery"])
        }
    }

    @Test func serializationKeepsOrderAndEscapes() throws {
        let value: JSONValue = ["z": "quote \" backslash \\ newline \n tab \t bell \u{07} é 😀", "a": [1, 2.5, true, nil], "m": [:]]
        let data = value.serialized()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix(#"{"z":"#) && text.contains(#""a":[1,2.5,true,null],"m":{}}"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(parsed["z"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} é 😀")
        #expect(String(decoding: OpenAPI.json.prefix(40), as: UTF8.self).hasPrefix(#"{"openapi":"3.0.3","info":"#))
    }
}
