import FaceKit
import Vapor

/// `POST /api/recognize`, `/api/detect` as JSON: one base64 image (data URLs accepted).
struct SingleImageRequest: Content {
    var image: String
}

/// Size of the analysed image after EXIF orientation: the space `bbox` and landmarks are in.
struct ImageSizeDTO: Content, Equatable {
    var width: Int
    var height: Int
}

/// `POST /api/recognize`: every face found, nearest first per face's candidates.
struct RecognitionResultDTO: Content {
    var image: ImageSizeDTO
    var faces: [RecognizedFaceDTO]
}

struct RecognizedFaceDTO: Content, Equatable {
    /// `[x, y, width, height]` in pixels.
    var bbox: [Int]
    /// null when unknown.
    @ExplicitNull var userID: Int?
    @ExplicitNull var userName: String?
    /// Known: confidence in the match. Unknown: confidence that it is nobody enrolled (1 − nearest's).
    var confidence: Double
    /// Distance to the nearest enrolled person; null when the gallery is empty.
    @ExplicitNull var distance: Double?
    var isUnknown: Bool
    /// The face's quality score, 0…1 (the breakdown is in `/api/detect`).
    var quality: Double
    /// The best embedding of each of the nearest people, nearest first (`?top_k=`).
    var candidates: [CandidateDTO]

    enum CodingKeys: String, CodingKey {
        case bbox, confidence, distance, quality, candidates
        case userID = "user_id"
        case userName = "user_name"
        case isUnknown = "is_unknown"
    }
}

struct CandidateDTO: Content, Equatable {
    var userID: Int
    @ExplicitNull var userName: String?
    var distance: Double
    var confidence: Double

    enum CodingKeys: String, CodingKey {
        case distance, confidence
        case userID = "user_id"
        case userName = "user_name"
    }
}

extension Identification {
    func toDTO(face: Face) -> RecognizedFaceDTO {
        RecognizedFaceDTO(
            bbox: face.box.array, userID: userID, userName: userName, confidence: confidence, distance: distance,
            isUnknown: isUnknown, quality: face.quality.score,
            candidates: candidates.map {
                CandidateDTO(userID: $0.userID, userName: $0.userName, distance: $0.distance, confidence: $0.confidence)
            })
    }
}

/// `POST /api/verify` as JSON: an image and either a user to compare with or a second image.
struct VerifyRequest: Content {
    var image: String
    var image2: String?
    var userID: Int?

    enum CodingKeys: String, CodingKey {
        case image, image2
        case userID = "user_id"
    }
}

struct VerifyResultDTO: Content, Equatable {
    /// distance ≤ FACE_MATCH_THRESHOLD and confidence ≥ FACE_CONFIDENCE_THRESHOLD.
    var match: Bool
    var distance: Double
    var confidence: Double
}

/// `POST /api/detect`: faces without identities.
struct DetectionResultDTO: Content {
    var image: ImageSizeDTO
    var faces: [DetectedFaceDTO]
}

struct DetectedFaceDTO: Content, Equatable {
    var bbox: [Int]
    /// dlib's 5 points: two corners of each eye, then the base of the nose; `[x, y]` in pixels.
    var landmarks: [[Double]]
    /// Detector confidence (HOG margin, > 0).
    var score: Double
    var quality: FaceQualityDTO

    init(_ face: Face) {
        bbox = face.box.array
        landmarks = face.landmarks.map { [Self.round($0.x), Self.round($0.y)] }
        score = Self.round(face.score, places: 4)
        quality = FaceQualityDTO(face.quality)
    }

    private static func round(_ value: Double, places: Double = 1) -> Double {
        let scale = pow(10, places)
        return (value * scale).rounded() / scale
    }
}

struct FaceQualityDTO: Content, Equatable {
    var score: Double
    var size: Double
    /// null unless requested (`?sharpness=true`): it needs the aligned chip.
    @ExplicitNull var sharpness: Double?
    var pose: Double
    var detection: Double

    init(_ quality: FaceQuality) {
        score = quality.score
        size = quality.size
        sharpness = quality.sharpness
        pose = quality.pose
        detection = quality.detection
    }
}
