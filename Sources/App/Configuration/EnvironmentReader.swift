import Foundation

/// Typed, validated reads from a `[String: String]` environment. Kept separate from `AppConfig`
/// so every variable is parsed the same way and every failure produces the same message shape.
struct EnvironmentReader {
    let values: [String: String]

    /// The trimmed value, or `nil` when unset or blank: `.env` templates often carry `KEY=`,
    /// which should mean "use the default", not "invalid".
    func raw(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    func string(_ name: String, default fallback: String) -> String {
        raw(name) ?? fallback
    }

    func bool(_ name: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        guard let value = raw(name) else { return fallback }
        switch value.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            throw ConfigurationError(variable: name, value: value, expected: "expected true/false, 1/0 or yes/no")
        }
    }

    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        try optionalInt(name, in: range) ?? fallback
    }

    func optionalInt(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = raw(name) else { return nil }
        guard let number = Int(value), range.contains(number) else {
            throw ConfigurationError(variable: name, value: value, expected: "expected an integer \(Self.describe(range))")
        }
        return number
    }

    /// Like `double`, nil when unset.
    func optionalDouble(_ name: String, lower: Double, upper: Double) throws(ConfigurationError) -> Double? {
        guard raw(name) != nil else { return nil }
        return try double(name, default: 0, lower: lower, upper: upper)
    }

    /// A finite number inside `lower...upper`; `lowerExclusive` makes the lower bound open
    /// (e.g. a frame rate must be greater than 0, not equal to it).
    func double(
        _ name: String, default fallback: Double, lower: Double, lowerExclusive: Bool = false, upper: Double? = nil
    ) throws(ConfigurationError) -> Double {
        guard let value = raw(name) else { return fallback }
        let inRange: (Double) -> Bool = { number in
            (lowerExclusive ? number > lower : number >= lower) && (upper.map { number <= $0 } ?? true)
        }
        guard let number = Double(value), number.isFinite, inRange(number) else {
            var expected = "expected a number " + (lowerExclusive ? "greater than \(Self.format(lower))" : "at least \(Self.format(lower))")
            if let upper { expected += " and at most \(Self.format(upper))" }
            throw ConfigurationError(variable: name, value: value, expected: expected)
        }
        return number
    }

    /// One of an enumeration's raw values, case-insensitively.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, default fallback: T) throws(ConfigurationError) -> T
        where T.RawValue == String
    {
        guard let value = raw(name) else { return fallback }
        guard let chosen = T(rawValue: value.lowercased()) else {
            let names = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: name, value: value, expected: "expected one of \(names)")
        }
        return chosen
    }

    /// A secret (API key): never echoed in error messages.
    func secret(_ name: String, minLength: Int) throws(ConfigurationError) -> String? {
        guard let value = raw(name) else { return nil }
        guard value.count >= minLength else {
            throw ConfigurationError(variable: name, value: nil, expected: "expected at least \(minLength) characters, got \(value.count)")
        }
        return value
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
    }

    /// `0.0` → `0`, `0.5` → `0.5`: messages read like the documentation.
    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
