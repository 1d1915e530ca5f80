import Foundation
import Logging

/// Where the admin key comes from: `ADMIN_API_KEY`, or a key generated once into
/// `$DATA_DIR/admin_api_key` so a fresh install is never left open.
enum AdminKeyStore {
    static let fileName = "admin_api_key"

    /// Returns the admin key; generates, stores (mode 0600) and prints it when there is none yet.
    static func resolve(config: AppConfig, logger: Logger) throws -> String {
        if let key = config.adminAPIKey { return key }
        let path = (config.dataDirectory as NSString).appendingPathComponent(fileName)
        if let stored = try read(path) { return stored }

        let key = APIKeyCrypto.generateKey()
        guard try createExclusively(path, contents: key + "\n") else {
            // Another process created it between our read and create: use theirs.
            guard let stored = try read(path) else { throw AdminKeyFileError(path: path, problem: "is empty") }
            return stored
        }
        // Printed once, on stdout, because this is the only time the operator can see it.
        FileHandle.standardOutput.write(Data("""
            Generated admin API key: \(key)
            (stored in \(path); set ADMIN_API_KEY to use your own)

            """.utf8))
        logger.notice("generated a new admin API key", metadata: ["path": .string(path)])
        return key
    }

    private static func read(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= AppConfig.minimumAPIKeyLength else {
            throw AdminKeyFileError(path: path, problem: "holds fewer than \(AppConfig.minimumAPIKeyLength) characters")
        }
        return text
    }

    /// `O_CREAT|O_EXCL` with mode 0600: the file never exists with wider permissions, and two
    /// processes starting at once can't both write a key.
    private static func createExclusively(_ path: String, contents: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw AdminKeyFileError(path: path, problem: "can't be created: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw AdminKeyFileError(path: path, problem: "can't be written: \(String(cString: strerror(errno)))")
        }
        return true
    }
}

struct AdminKeyFileError: Error, CustomStringConvertible {
    let path: String
    let problem: String
    var description: String { "admin API key file \(path) \(problem)" }
}
