import CDlibFace

/// The box dlib's 5-point shape predictor is given for a YuNet face. The predictor was trained on
/// dlib's HOG boxes (square, from the brows to below the lips); YuNet's boxes are tighter on the
/// sides and reach the forehead and chin. Started from a box shaped like HOG's, the predictor puts
/// the landmarks, and so the aligned chip, where the HOG path puts them.
///
/// The constants map YuNet's box to the HOG box of the same face: medians over the faces both
/// detectors find in the fixture photos (`facestream bench-alignment`).
enum ShapePredictorBox {
    /// HOG box centre, as fractions of YuNet's width and height from its top-left corner.
    static let centerX = 0.503, centerY = 0.524
    /// HOG box side as a fraction of YuNet's box width.
    static let side = 1.061

    static func adapted(from box: dlibface_rect) -> dlibface_rect {
        let width = box.right - box.left + 1, height = box.bottom - box.top + 1
        let cx = box.left + width * centerX, cy = box.top + height * centerY
        let half = width * side / 2
        return dlibface_rect(left: cx - half, top: cy - half, right: cx + half - 1, bottom: cy + half - 1, score: box.score)
    }
}
