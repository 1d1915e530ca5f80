import FaceKit
import Vapor

/// A face box in CompreFace's form: corners in image pixels, clipped to the image, and the
/// detection probability (0…1).
struct CompreFaceBoxDTO: Content, Equatable {
    var probability: Double
    var xMin: Int
    var yMin: Int
    var xMax: Int
    var yMax: Int

    enum CodingKeys: String, CodingKey {
        case probability
        case xMin = "x_min", yMin = "y_min", xMax = "x_max", yMax = "y_max"
    }

    init(_ face: Face, in image: Image) {
        func clip(_ value: Double, _ limit: Int) -> Int { min(max(0, Int(value.rounded())), max(0, limit - 1)) }
        probability = (face.quality.detection * 100_000).rounded() / 100_000
        xMin = clip(face.box.x, image.width)
        yMin = clip(face.box.y, image.height)
        xMax = clip(face.box.x + face.box.width - 1, image.width)
        yMax = clip(face.box.y + face.box.height - 1, image.height)
    }
}

/// One face of a result. Which optional members are present depends on the endpoint
/// (`subjects` in recognition; `subject` and `similarity` when verifying against a stored face;
/// `similarity` in face matches) and on the request (`landmarks`, `embedding` from the plugins,
/// `execution_time` with `status=true`). Absent members are left out, as CompreFace does.
struct CompreFaceFaceDTO: Content, Equatable {
    var box: CompreFaceBoxDTO
    var landmarks: [[Int]]?
    var embedding: [Double]?
    var executionTime: [String: Double]?
    var subjects: [CompreFaceSubjectMatchDTO]?
    var subject: String?
    var similarity: Double?

    enum CodingKeys: String, CodingKey {
        case box, landmarks, embedding, subjects, subject, similarity
        case executionTime = "execution_time"
    }
}

struct CompreFaceSubjectMatchDTO: Content, Equatable {
    var subject: String
    var similarity: Double
}

/// `{"result":[…]}`, with `plugins_versions` when `status=true`.
struct CompreFaceResultDTO: Content {
    var result: [CompreFaceFaceDTO]
    var pluginsVersions: [String: String]?

    enum CodingKeys: String, CodingKey {
        case result
        case pluginsVersions = "plugins_versions"
    }
}

/// `POST /api/v1/verification/verify`: the source image's face and every face of the target image.
struct CompreFaceVerificationDTO: Content {
    struct Item: Content {
        var sourceImageFace: CompreFaceFaceDTO
        var faceMatches: [CompreFaceFaceDTO]
        var pluginsVersions: [String: String]?

        enum CodingKeys: String, CodingKey {
            case sourceImageFace = "source_image_face"
            case faceMatches = "face_matches"
            case pluginsVersions = "plugins_versions"
        }
    }

    var result: [Item]
}

/// A stored face: `image_id` is the face's id in FaceStream (`/api/users/{id}/faces`), as a string.
struct CompreFaceImageDTO: Content, Equatable {
    var imageID: String
    var subject: String

    enum CodingKeys: String, CodingKey {
        case subject
        case imageID = "image_id"
    }
}

struct CompreFaceFacePageDTO: Content {
    var faces: [CompreFaceImageDTO]
    var pageNumber: Int
    var pageSize: Int
    var totalPages: Int
    var totalElements: Int

    enum CodingKeys: String, CodingKey {
        case faces
        case pageNumber = "page_number", pageSize = "page_size", totalPages = "total_pages", totalElements = "total_elements"
    }
}

struct CompreFaceDeletedDTO: Content { var deleted: Int }
struct CompreFaceSubjectDTO: Content { var subject: String }
struct CompreFaceSubjectListDTO: Content { var subjects: [String] }
struct CompreFaceUpdatedDTO: Content { var updated: Bool }
