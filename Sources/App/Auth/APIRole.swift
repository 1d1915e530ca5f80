/// What an API key may do. `admin` manages people, faces, logs and keys; `recognize` only streams
/// frames and asks who is in a photo (what a camera or kiosk needs).
public enum APIRole: String, Codable, Sendable, CaseIterable {
    case admin
    case recognize

    /// Admin may do everything; recognize only what needs `recognize`.
    public func permits(_ required: APIRole) -> Bool {
        self == .admin || self == required
    }
}
