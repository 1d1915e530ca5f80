import Vapor

/// JSON as the API promises it: dates in ISO 8601 (Vapor's default is seconds since 2001), unescaped
/// slashes, and keys in sorted order, so the same answer is the same bytes (Foundation's key order is
/// otherwise random on Linux). Process-wide because Vapor's `ContentConfiguration` is: set once, by the first app configured
/// (every app would set the same value; setting it again while another app serves races with it).
enum JSONCoding {
    static func install() { _ = installed }

    /// An encoder for every JSON body and message FaceStream sends.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]  // "/api/users", not "\/api\/users"
        return encoder
    }

    private static let installed: Void = {
        let encoder = makeEncoder()
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var content = ContentConfiguration.global
        content.use(encoder: encoder, for: .json)
        content.use(decoder: decoder, for: .json)
        ContentConfiguration.global = content
    }()
}
