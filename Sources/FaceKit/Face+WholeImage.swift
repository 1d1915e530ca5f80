extension Face {
    /// The whole image taken as one face, for images that are already face crops (CompreFace's
    /// `detect_faces=false`). The shape predictor runs on it when it is embedded; the box is dlib's
    /// inclusive box of the full frame, the shape a HOG box has on a tight crop.
    public static func wholeImage(_ image: Image) -> Face {
        let raw = RawBox(left: 0, top: 0, right: Double(image.width - 1), bottom: Double(image.height - 1))
        let box = BoundingBox(x: 0, y: 0, width: Double(image.width), height: Double(image.height))
        return Face(box: box, landmarks: [], score: 1, detector: .hog, detectorLandmarks: nil,
                    quality: FaceQuality(faceWidth: box.width, landmarks: [], detection: 1, chipLaplacianVariance: nil),
                    embedding: nil, rawBox: raw)
    }
}
