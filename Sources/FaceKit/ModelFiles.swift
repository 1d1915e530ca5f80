import Foundation

/// Where the model files are. `scripts/setup` installs them into `MODELS_DIR`.
public struct ModelFiles: Sendable {
    public static let shapePredictorName = "shape_predictor_5_face_landmarks.dat"
    public static let recognitionModelName = "dlib_face_recognition_resnet_model_v1.dat"
    public static let cnnDetectorName = "mmod_human_face_detector.dat"
    /// YuNet 2023mar, converted by `scripts/setup` so that OpenCV 4.6 reads it.
    public static let yunetDetectorName = "face_detection_yunet_2023mar.onnx"

    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var shapePredictor: String { path(Self.shapePredictorName) }
    public var recognitionModel: String { path(Self.recognitionModelName) }
    public var cnnDetector: String { path(Self.cnnDetectorName) }
    public var yunetDetector: String { path(Self.yunetDetectorName) }

    private func path(_ name: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(name).path
    }

    /// Throws `modelError` naming the first required file that is missing.
    public func validate(requireCNN: Bool = false, requireYuNet: Bool = false) throws(FaceKitError) {
        var required = [shapePredictor, recognitionModel]
        if requireCNN { required.append(cnnDetector) }
        if requireYuNet { required.append(yunetDetector) }
        for file in required where !FileManager.default.isReadableFile(atPath: file) {
            throw FaceKitError(.modelError, "model file \(file) is missing; run scripts/setup to install the models")
        }
    }
}
