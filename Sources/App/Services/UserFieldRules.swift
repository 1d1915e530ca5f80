import Foundation

/// The rules for a user's fields, shared by create and update. Values are normalised (trimmed,
/// e-mail lowercased) and checked; a blank optional field means "none". Lengths count Unicode
/// scalars, as JSON Schema's `maxLength` does, and white space is `TextWhiteSpace`'s: the OpenAPI
/// document states these rules as patterns built from the same definitions.
enum UserFieldRules {
    static let maxNameLength = 200
    static let maxEmailLength = 254
    static let maxEmployeeIDLength = 100

    static func name(_ raw: String) throws -> String {
        let name = TextWhiteSpace.trimmed(raw)
        guard !name.isEmpty else { throw FaceStreamError.validationFailed("name: must not be empty") }
        try TextControlCharacters.refuse(in: name, field: "name")
        guard name.unicodeScalars.count <= maxNameLength else {
            throw FaceStreamError.validationFailed("name: at most \(maxNameLength) characters")
        }
        return name
    }

    static func email(_ raw: String?) throws -> String? {
        guard let email = blankToNil(raw) else { return nil }
        guard email.unicodeScalars.count <= maxEmailLength else {
            throw FaceStreamError.validationFailed("email: at most \(maxEmailLength) characters")
        }
        try TextControlCharacters.refuse(in: email, field: "email")
        guard looksLikeEmail(email) else {
            throw FaceStreamError.validationFailed("email: \"\(email.prefix(100))\" is not an e-mail address")
        }
        return email.lowercased()
    }

    static func employeeID(_ raw: String?) throws -> String? {
        guard let id = blankToNil(raw) else { return nil }
        guard id.unicodeScalars.count <= maxEmployeeIDLength else {
            throw FaceStreamError.validationFailed("employee_id: at most \(maxEmployeeIDLength) characters")
        }
        try TextControlCharacters.refuse(in: id, field: "employee_id")
        return id
    }

    /// `local@domain.tld`: one `@`, no white space, a domain of dot-separated non-empty labels with at
    /// least one dot. Deliberately loose; the only real check of an address is mail reaching it.
    /// `emailPattern` says the same as a regular expression.
    static func looksLikeEmail(_ email: String) -> Bool {
        let scalars = Array(email.unicodeScalars)
        guard !scalars.contains(where: TextWhiteSpace.contains), let at = scalars.firstIndex(of: "@"),
              at > 0, !scalars[(at + 1)...].contains("@") else { return false }
        let labels = scalars[(at + 1)...].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    /// What `email` accepts (white space around it trimmed, blank meaning none), for the OpenAPI document.
    static var emailPattern: String {
        let excluded = TextWhiteSpace.characters + TextControlCharacters.ranges
        let space = TextWhiteSpace.characterClass, part = "[^@.\(excluded)]+"
        return "^\(space)*(?:[^@\(excluded)]+@\(part)(?:\\.\(part))+)?\(space)*$"
    }

    private static func blankToNil(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let value = TextWhiteSpace.trimmed(raw)
        return value.isEmpty ? nil : value
    }
}

/// White space as the API's text fields see it (Unicode's White_Space property): trimmed from names and
/// other free text, never inside an e-mail address.
enum TextWhiteSpace {
    static let scalars: [Unicode.Scalar] = ["\u{09}", "\u{0A}", "\u{0B}", "\u{0C}", "\u{0D}", "\u{20}", "\u{85}", "\u{A0}", "\u{1680}"]
        + (0x2000...0x200A).compactMap(Unicode.Scalar.init) + ["\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}"]
    private static let set = Set(scalars)

    static func contains(_ scalar: Unicode.Scalar) -> Bool { set.contains(scalar) }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !contains($0) }), let last = scalars.lastIndex(where: { !contains($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }

    /// The characters for inside a regular expression's `[…]` (none of them is special there).
    static var characters: String { String(String.UnicodeScalarView(scalars)) }

    /// One white-space character, as a regular expression.
    static var characterClass: String { "[\(characters)]" }

    /// A value with something besides white space and none of the `excluded` ranges (for inside
    /// `[…]`), as an anchored regular expression.
    static func notBlankPattern(excluding excluded: String) -> String {
        "^[^\(excluded)]*[^\(characters)\(excluded)][^\(excluded)]*$"
    }
}

/// Control characters other than white space (Unicode's Cc, less `TextWhiteSpace`): never part of a
/// name, an address, an id or a search, and PostgreSQL cannot store U+0000 at all.
enum TextControlCharacters {
    static func contains(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control && !TextWhiteSpace.contains(scalar)
    }

    /// Throws `validation_failed` naming `field` when `text` holds one.
    static func refuse(in text: String, field: String) throws {
        if text.unicodeScalars.contains(where: contains) {
            throw FaceStreamError.validationFailed("\(field): must not contain control characters")
        }
    }

    /// The same scalars as ranges for inside a regular expression's `[…]`.
    static let ranges = #"\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F"#

    /// A value without them, as an anchored regular expression.
    static var absentPattern: String { "^[^\(ranges)]*$" }
}
