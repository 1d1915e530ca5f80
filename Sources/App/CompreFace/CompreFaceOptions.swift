import Vapor

/// The query parameters CompreFace's face endpoints share:
/// `limit` (faces, largest first; 0 = all), `det_prob_threshold` (0…1), `prediction_count`
/// (subjects per face), `face_plugins` (comma-separated; `calculator` and `landmarks` are served,
/// any other slug — age, gender, mask, pose, "undefined" — is ignored as CompreFace ignores
/// unknown ones), `status` (timings and plugin versions), `detect_faces` (false: the whole image
/// is one face). Booleans accept Python's spelling (`status=False`, what the SDK sends); a leading
/// `?&` is harmless. A bad value is 400 code 26 naming the parameter.
struct CompreFaceOptions: Sendable {
    static let maxPredictionCount = 100

    var limit = 0
    var detectionThreshold: Double?
    var predictionCount = 1
    var calculator = false
    var landmarks = false
    var status = false
    var detectFaces = true

    init(_ req: Request) throws {
        let query = QueryParameters(req)
        do {
            limit = try query.int("limit", in: 0...Int.max) ?? 0
            predictionCount = try query.int("prediction_count", in: 1...Self.maxPredictionCount) ?? 1
            status = try query.bool("status") ?? false
            detectFaces = try query.bool("detect_faces") ?? true
        } catch let error as FaceStreamError {
            throw CompreFaceError.validation(error.message)
        }
        if let raw = query.raw("det_prob_threshold") {
            guard let value = Double(raw), (0...1).contains(value) else {
                throw CompreFaceError.validation("det_prob_threshold: expected a number from 0 to 1, got \"\(raw.prefix(50))\"")
            }
            detectionThreshold = value
        }
        let plugins = Set((try query.string("face_plugins") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        calculator = plugins.contains("calculator")
        landmarks = plugins.contains("landmarks")
    }
}
