import FaceKit
import Fluent
import Vapor

/// Turns uploaded photos into stored face embeddings of one user. Each image must be within the
/// limits, decode, show exactly one face and reach MIN_ENROLL_QUALITY; an image that doesn't is
/// rejected with a stable code, without failing the others.
struct EnrollmentService {
    static let maxImagesPerRequest = 20
    static let maxCaptureAngleLength = 50

    let analyzer: FaceAnalyzer
    let minQuality: Double

    init(_ req: Request) throws {
        self.init(analyzer: try FaceAnalyzer(req), minQuality: req.application.config.minEnrollQuality)
    }

    init(analyzer: FaceAnalyzer, minQuality: Double) {
        self.analyzer = analyzer
        self.minQuality = minQuality
    }

    /// Stores one face `assess` accepted and adds it to the gallery; returns the stored row.
    func store(_ face: Face, captureAngle: String? = nil, for user: User, on db: any Database,
               gallery: GalleryUpdates) async throws -> FaceEmbedding {
        guard let embedding = face.embedding else { throw FaceStreamError.internalError("the engine returned a face without an embedding") }
        let userID = try user.requireID()
        let row = FaceEmbedding(userID: userID, embedding: embedding, captureAngle: captureAngle, qualityScore: face.quality.score)
        try await Self.store([row], of: userID, on: db, gallery: gallery)
        try gallery.added([(try row.requireID(), embedding)], to: user)
        return row
    }

    /// Assesses every image (concurrently: the engine pool bounds the parallelism), stores the
    /// accepted faces in one transaction, then adds them to the gallery if the user is active.
    func enroll(_ uploads: [ImageUpload], captureAngle: String?, for user: User,
                on db: any Database, gallery: GalleryUpdates) async throws -> EnrollmentResultDTO {
        let assessed = try await assessAll(uploads)
        let (accepted, rejected) = try Self.sort(assessed, userID: try user.requireID(), captureAngle: captureAngle)
        if !accepted.isEmpty { try await Self.store(accepted.map(\.row), of: try user.requireID(), on: db, gallery: gallery) }
        return try Self.finish(accepted, rejected, user: user, gallery: gallery)
    }

    /// Puts the stored faces in the live gallery and describes the outcome.
    @inline(never)
    private static func finish(_ accepted: [(index: Int, face: Face, row: FaceEmbedding)], _ rejected: [EnrollmentRejectionDTO],
                               user: User, gallery: GalleryUpdates) throws -> EnrollmentResultDTO {
        if !accepted.isEmpty {
            try gallery.added(try accepted.map { (try $0.row.requireID(), try $0.row.decodedEmbedding()) }, to: user)
        }
        let created = try accepted.map { item in
            EnrolledFaceDTO(id: try item.row.requireID(), index: item.index, qualityScore: item.row.qualityScore,
                            captureAngle: item.row.captureAngle, bbox: item.face.box.array, createdAt: item.row.createdAt)
        }
        return EnrollmentResultDTO(created: created, rejected: rejected)
    }

    // `assessAll`, `sort`, `store` and `finish` are separate, never-inlined functions: with their bodies in `enroll`, Swift
    // 6.3.1's optimiser crashed (signal 11 while splitting the coroutine, release builds only).
    @inline(never)
    private static func sort(_ assessed: [(upload: ImageUpload, result: Result<Face, Rejection>)], userID: Int, captureAngle: String?)
        throws -> (accepted: [(index: Int, face: Face, row: FaceEmbedding)], rejected: [EnrollmentRejectionDTO])
    {
        var accepted: [(index: Int, face: Face, row: FaceEmbedding)] = []
        var rejected: [EnrollmentRejectionDTO] = []
        for (upload, result) in assessed {
            switch result {
            case .success(let face):
                guard let embedding = face.embedding else { throw FaceStreamError.internalError("the engine returned a face without an embedding") }
                let row = FaceEmbedding(userID: userID, embedding: embedding, captureAngle: captureAngle, qualityScore: face.quality.score)
                accepted.append((upload.index, face, row))
            case .failure(let rejection):
                rejected.append(EnrollmentRejectionDTO(index: upload.index, filename: upload.filename,
                                                       code: rejection.code.rawValue, message: rejection.message))
            }
        }
        return (accepted, rejected)
    }

    /// `userID`'s new faces, and the record that tells other nodes, in one transaction.
    @inline(never)
    private static func store(_ rows: [FaceEmbedding], of userID: Int, on db: any Database, gallery: GalleryUpdates) async throws {
        try await db.transaction { db in
            for row in rows { try await row.create(on: db) }
            try await gallery.record(.person, of: userID, on: db)
        }
    }

    /// Every upload with its verdict, in upload order.
    @inline(never)
    private func assessAll(_ uploads: [ImageUpload]) async throws -> [(upload: ImageUpload, result: Result<Face, Rejection>)] {
        try await withThrowingTaskGroup(of: (Int, Result<Face, Rejection>).self) { group in
            for upload in uploads {
                group.addTask { (upload.index, try await assess(upload)) }
            }
            var results: [Int: Result<Face, Rejection>] = [:]
            for try await (index, result) in group { results[index] = result }
            return uploads.map { (upload: $0, result: results[$0.index]!) }
        }
    }

    /// Why one image was not enrolled.
    struct Rejection: Error {
        let code: ErrorCode
        let message: String
    }

    /// The face to enrol from one image, or why there is none. Errors that are not about the image
    /// (engine overloaded, internal failures) are thrown and fail the whole request.
    func assess(_ upload: ImageUpload) async throws -> Result<Face, Rejection> {
        let bytes: Data
        switch upload.content {
        case .bytes(let data): bytes = data
        case .invalidBase64(let message): return .failure(Rejection(code: .undecodable, message: message))
        }
        let face: Face
        do {
            face = try await analyzer.singleFace(bytes)
        } catch let error as FaceKitError {
            switch error.code {
            case .imageTooLarge: return .failure(Rejection(code: .tooLarge, message: error.message))
            case .emptyInput, .unsupportedFormat, .corruptImage:
                return .failure(Rejection(code: .undecodable, message: "the image could not be decoded (\(error.code.rawValue)): \(error.message)"))
            default: throw error
            }
        } catch let error as FaceStreamError {
            switch error.code.catalogued {
            case .payloadTooLarge: return .failure(Rejection(code: .tooLarge, message: error.message))
            case let code? where code == .noFace || code == .multipleFaces: return .failure(Rejection(code: code, message: error.message))
            default: throw error
            }
        }
        guard face.quality.score >= minQuality else {
            let score = String(format: "%.2f", face.quality.score)
            return .failure(Rejection(code: .lowQuality, message: "face quality \(score) is below the minimum \(minQuality) (MIN_ENROLL_QUALITY); use a larger, sharper, frontal photo"))
        }
        return .success(face)
    }

    /// The optional `capture_angle`: free text such as "front" or "left", trimmed; blank means none.
    static func captureAngle(_ raw: String?) throws -> String? {
        guard let angle = raw.map(TextWhiteSpace.trimmed), !angle.isEmpty else { return nil }
        guard angle.unicodeScalars.count <= maxCaptureAngleLength else {
            throw FaceStreamError.validationFailed("capture_angle: at most \(maxCaptureAngleLength) characters")
        }
        try TextControlCharacters.refuse(in: angle, field: "capture_angle")
        return angle
    }
}
