@testable import App
import Foundation
import Logging
import Testing

@Suite("Admin key bootstrap")
struct AdminKeyStoreTests {
    let logger = Logger(label: "test")

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fs-admin-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func generatesOnceWithOwnerOnlyPermissionsThenReuses() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try AppConfig(environment: ["DATA_DIR": directory])

        let first = try AdminKeyStore.resolve(config: config, logger: logger)
        #expect(first.count == 43)  // 32 bytes, base64url, no padding
        #expect(first.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })

        let path = directory + "/admin_api_key"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == first + "\n")

        #expect(try AdminKeyStore.resolve(config: config, logger: logger) == first)
    }

    @Test func configuredKeyWinsAndNoFileIsWritten() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try AppConfig(environment: ["DATA_DIR": directory, "ADMIN_API_KEY": "configured-key-0123"])
        #expect(try AdminKeyStore.resolve(config: config, logger: logger) == "configured-key-0123")
        #expect(!FileManager.default.fileExists(atPath: directory + "/admin_api_key"))
    }

    @Test func tooShortStoredKeyIsRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "short\n".write(toFile: directory + "/admin_api_key", atomically: true, encoding: .utf8)
        let config = try AppConfig(environment: ["DATA_DIR": directory])
        #expect(throws: AdminKeyFileError.self) { try AdminKeyStore.resolve(config: config, logger: logger) }
    }

    @Test func hashesAndComparisons() {
        #expect(APIKeyCrypto.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(APIKeyCrypto.constantTimeEquals("abc", "abc"))
        #expect(!APIKeyCrypto.constantTimeEquals("abc", "abd"))
        #expect(!APIKeyCrypto.constantTimeEquals("abc", "abcd"))
        #expect(APIKeyCrypto.generateKey() != APIKeyCrypto.generateKey())
        #expect(APIKeyCrypto.displayPrefix("0123456789") == "01234567")
    }
}
