import Foundation

/// Images inside JSON: standard or URL-safe base64, padded or not, line breaks allowed, optionally
/// as a data URL (`data:image/jpeg;base64,…`, what a browser's `FileReader.readAsDataURL` gives).
enum Base64Image {
    struct InvalidBase64: Error {
        let message: String
    }

    static func decode(_ text: String) throws(InvalidBase64) -> Data {
        var payload = Substring(text)
        if payload.hasPrefix("data:") {
            guard let comma = payload.firstIndex(of: ","), payload[..<comma].hasSuffix(";base64") else {
                throw InvalidBase64(message: "a data URL must be base64-encoded (data:<type>;base64,…)")
            }
            payload = payload[payload.index(after: comma)...]
        }
        var normalized = String(payload.filter { !$0.isWhitespace })
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        if normalized.count % 4 != 0 {
            normalized += String(repeating: "=", count: 4 - normalized.count % 4)
        }
        guard !normalized.isEmpty else { throw InvalidBase64(message: "the image is empty") }
        guard let data = Data(base64Encoded: normalized) else {
            throw InvalidBase64(message: "not valid base64")
        }
        return data
    }
}
