import Vapor

/// Typed query parameters that answer a bad value with 422 `validation_failed` naming the parameter
/// (Vapor's own `req.query` decoding would say 400 with a decoder message).
struct QueryParameters {
    private let lookup: (String) -> String?

    init(_ request: Request) { lookup = { request.query[String.self, at: $0] } }

    /// The same rules over other named values (a form's fields, say).
    init(lookup: @escaping (String) -> String?) { self.lookup = lookup }

    /// The trimmed value; nil when absent or empty (`?q=` means no filter). A control character
    /// (`TextControlCharacters`) is refused: no stored text holds one.
    func string(_ name: String) throws -> String? {
        guard let value = lookup(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        try TextControlCharacters.refuse(in: value, field: name)
        return value
    }

    /// The value as sent; nil only when absent. The typed readers below take it as it is: `?page=`
    /// or `?to=` is not an integer or a date-time, so it is refused like any other bad value.
    func raw(_ name: String) -> String? { lookup(name) }

    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw = raw(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            let expected = range.upperBound == Int.max ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw FaceStreamError.validationFailed("\(name): expected an integer \(expected), got \"\(raw.prefix(50))\"")
        }
        return value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let raw = raw(name) else { return nil }
        switch raw.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw FaceStreamError.validationFailed("\(name): expected true or false, got \"\(raw.prefix(50))\"")
        }
    }

    /// A finite number in `range` (`lowerExclusive`: above its lower bound).
    func double(_ name: String, in range: ClosedRange<Double>, lowerExclusive: Bool = false) throws -> Double? {
        guard let raw = raw(name) else { return nil }
        guard let value = Double(raw), value.isFinite, range.contains(value), !(lowerExclusive && value == range.lowerBound) else {
            let lower = lowerExclusive ? "above \(range.lowerBound)" : "from \(range.lowerBound)"
            throw FaceStreamError.validationFailed("\(name): expected a number \(lower) to \(range.upperBound), got \"\(raw.prefix(50))\"")
        }
        return value
    }

    /// ISO 8601 date-time, with or without fractional seconds (`2024-05-01T12:00:00Z`, `…00.250+02:00`).
    func date(_ name: String) throws -> Date? {
        guard let raw = raw(name) else { return nil }
        // An unencoded "+02:00" arrives as " 02:00" (form encoding reads + as a space): put it back.
        guard let date = ISO8601Parsing.date(raw.replacingOccurrences(of: " ", with: "+")) else {
            throw FaceStreamError.validationFailed("\(name): expected an ISO 8601 date-time such as 2024-05-01T12:00:00Z, got \"\(raw.prefix(50))\"")
        }
        return date
    }
}

enum ISO8601Parsing {
    static func date(_ text: String) -> Date? {
        // Formatters are cheap enough per call here and aren't Sendable to share.
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

extension Request {
    /// An integer id from the path, or 404 `not_found` ("user abc" names nothing, like "user 999").
    func idParameter(_ name: String = "id", what: String) throws -> Int {
        guard let raw = parameters.get(name), let id = Int(raw) else {
            throw FaceStreamError.notFound("\(what) \(parameters.get(name)?.prefix(50) ?? "") not found")
        }
        return id
    }
}
