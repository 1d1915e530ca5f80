import FaceKit

/// The JSON lines of `facestream embed`, written by hand so the numbers come out exactly as wanted:
/// integral coordinates as integers, embeddings as Swift's shortest round-trip `Float` text (parsing
/// it back gives the very same Float), keys in a fixed order.
enum FaceJSON {
    static func image(file: String, width: Int, height: Int, faces: [Face]) -> String {
        let list = faces.map(face).joined(separator: ",")
        return "{\"file\":\(string(file)),\"width\":\(width),\"height\":\(height),\"faces\":[\(list)]}"
    }

    static func failure(file: String, code: String, message: String) -> String {
        "{\"file\":\(string(file)),\"error\":{\"code\":\(string(code)),\"message\":\(string(message))}}"
    }

    static func face(_ face: Face) -> String {
        let box = [face.box.x, face.box.y, face.box.width, face.box.height].map(number).joined(separator: ",")
        let landmarks = face.landmarks.map { "[\(number($0.x)),\(number($0.y))]" }.joined(separator: ",")
        var text = "{\"bbox\":[\(box)],\"score\":\(number(face.score)),\"landmarks\":[\(landmarks)]"
        // The quality is a heuristic: digits past the fourth decimal are noise.
        text += ",\"quality\":\(number((face.quality.score * 10_000).rounded() / 10_000))"
        if let embedding = face.embedding {
            text += ",\"embedding\":[\(embedding.values.map(number).joined(separator: ","))]"
        }
        return text + "}"
    }

    /// Integers without a fraction; others in Swift's shortest round-trip form (`0.5`, `1e-05`),
    /// which is valid JSON. Non-finite values cannot be JSON: `null`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func number(_ value: Float) -> String {
        guard value.isFinite else { return "null" }
        return "\(value)"
    }

    static func string(_ value: String) -> String { JSONString.quoted(value) }
}
