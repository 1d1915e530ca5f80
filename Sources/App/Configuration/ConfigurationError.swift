/// An environment variable that can't be used. Start-up stops with this message, so it always
/// names the variable (and the value, unless the value is a secret) and says what was expected.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let variable: String
    /// The offending value as shown to the operator; `nil` when it must not be printed (secrets).
    public let value: String?
    public let expected: String

    public init(variable: String, value: String?, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    /// e.g. `invalid MAX_FRAME_RATE="abc": expected a number greater than 0`
    public var description: String {
        if let value {
            return "invalid \(variable)=\"\(value)\": \(expected)"
        }
        return "invalid \(variable) (value hidden): \(expected)"
    }
}
