import Foundation

/// The rules for a user's fields, shared by create and update. Values are normalised (trimmed,
/// e-mail lowercased) and checked; a blank optional field means "none".
enum UserFieldRules {
    static let maxNameLength = 200
    static let maxEmailLength = 254
    static let maxEmployeeIDLength = 100

    static func name(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw FaceStreamError.validationFailed("name: must not be empty") }
        guard name.count <= maxNameLength else {
            throw FaceStreamError.validationFailed("name: at most \(maxNameLength) characters")
        }
        return name
    }

    static func email(_ raw: String?) throws -> String? {
        guard let email = blankToNil(raw)?.lowercased() else { return nil }
        guard email.count <= maxEmailLength else {
            throw FaceStreamError.validationFailed("email: at most \(maxEmailLength) characters")
        }
        guard looksLikeEmail(email) else {
            throw FaceStreamError.validationFailed("email: \"\(email.prefix(100))\" is not an e-mail address")
        }
        return email
    }

    static func employeeID(_ raw: String?) throws -> String? {
        guard let id = blankToNil(raw) else { return nil }
        guard id.count <= maxEmployeeIDLength else {
            throw FaceStreamError.validationFailed("employee_id: at most \(maxEmployeeIDLength) characters")
        }
        return id
    }

    /// `local@domain.tld`: one `@`, no spaces, a dot in the domain that isn't at either end.
    /// Deliberately loose; the only real check of an address is mail reaching it.
    static func looksLikeEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !email.contains(where: \.isWhitespace) else { return false }
        let domain = parts[1]
        guard let dot = domain.lastIndex(of: "."), dot != domain.startIndex,
              domain.index(after: dot) != domain.endIndex, !domain.hasPrefix("."), !domain.contains("..") else {
            return false
        }
        return true
    }

    private static func blankToNil(_ raw: String?) -> String? {
        guard let value = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
