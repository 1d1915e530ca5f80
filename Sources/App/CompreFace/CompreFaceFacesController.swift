import FaceKit
import Fluent
import Vapor

/// CompreFace's face collection (role `admin`): a face is one of FaceStream's enrolled faces
/// (`/api/users/{id}/faces`), `image_id` its id. Adding a face for a subject nobody has yet
/// creates that person. Faces are checked as enrolment checks them: one face, MIN_ENROLL_QUALITY.
struct CompreFaceFacesController: RouteCollection {
    static let maxPageSize = 1000

    func boot(routes: any RoutesBuilder) throws {
        let faces = routes.grouped("recognition", "faces")
        faces.post(use: add)
        faces.get(use: list)
        faces.delete(use: deleteBySubject)
        faces.delete(":image_id", use: deleteOne)
        faces.post("delete", use: deleteMany)
    }

    /// `?subject=&det_prob_threshold=`, multipart `file` or JSON `{"file":"<base64>"}`.
    @Sendable
    func add(req: Request) async throws -> Response {
        guard let subject = try QueryParameters(req).string("subject") else {
            throw CompreFaceError(status: .badRequest, code: .missingRequestParameter, message: "Required request parameter 'subject' is not present")
        }
        let options = try CompreFaceOptions(req)
        var analyzer = try FaceAnalyzer(req)
        if let threshold = options.detectionThreshold, analyzer.detection.detector == .yunet { analyzer.detection.minScore = threshold }
        let service = EnrollmentService(analyzer: analyzer, minQuality: req.application.config.minEnrollQuality)
        let upload = ImageUpload(index: 0, filename: nil, bytes: try CompreFaceUpload.image(req))
        let face: Face
        switch try await service.assess(upload) {
        case .success(let found): face = found
        case .failure(let rejection): throw Self.error(for: rejection)
        }
        var user = try await SubjectNames.resolve(subject, on: req.db)
        if user == nil { user = try await CompreFaceSubjectsController.create(subject, req: req) }
        guard let user else { throw FaceStreamError.internalError("no person for subject \(subject)") }
        let row = try await service.store(face, for: user, on: req.db, gallery: GalleryUpdates(req.application))
        let label = try await SubjectNames.subjects(of: [user], on: req.db)[try user.requireID()] ?? subject
        return try await CompreFaceImageDTO(imageID: String(try row.requireID()), subject: label).encodeResponse(status: .created, for: req)
    }

    /// `?page=` (0-based) `&size=` (default 20) `&subject=`: the faces, oldest first.
    @Sendable
    func list(req: Request) async throws -> CompreFaceFacePageDTO {
        let query = QueryParameters(req)
        let page: Int, size: Int
        do {
            page = try query.int("page", in: 0...1_000_000) ?? 0
            size = try query.int("size", in: 1...Self.maxPageSize) ?? 20
        } catch let error as FaceStreamError {
            throw CompreFaceError.validation(error.message)
        }
        let faces = FaceEmbedding.query(on: req.db)
        if let subject = try query.string("subject") {
            let userID = try await SubjectNames.require(subject, on: req.db).requireID()
            faces.filter(\.$user.$id == userID)
        }
        let total = try await faces.count()
        let rows = try await faces.sort(\.$id).range((page * size)..<(page * size + size)).all()
        let subjects = try await SubjectNames.subjects(of: Set(rows.map(\.$user.id)), on: req.db)
        return CompreFaceFacePageDTO(
            faces: try rows.map { CompreFaceImageDTO(imageID: String(try $0.requireID()), subject: subjects[$0.$user.id] ?? "") },
            pageNumber: page, pageSize: size, totalPages: (total + size - 1) / size, totalElements: total)
    }

    /// `?subject=`: that subject's faces (the person stays); without it, every face.
    @Sendable
    func deleteBySubject(req: Request) async throws -> CompreFaceDeletedDTO {
        let faces = FaceEmbedding.query(on: req.db)
        if let subject = try QueryParameters(req).string("subject") {
            let userID = try await SubjectNames.require(subject, on: req.db).requireID()
            faces.filter(\.$user.$id == userID)
        }
        let ids = try await faces.all(\.$id)
        try await Self.delete(ids, req: req)
        return CompreFaceDeletedDTO(deleted: ids.count)
    }

    @Sendable
    func deleteOne(req: Request) async throws -> CompreFaceImageDTO {
        let raw = req.parameters.get("image_id") ?? ""
        guard let id = Int(raw), let deleted = try await Self.delete([id], req: req).first else { throw CompreFaceError.imageNotFound(raw) }
        return deleted
    }

    /// A JSON list of image ids; answers the faces deleted (unknown ids are skipped).
    @Sendable
    func deleteMany(req: Request) async throws -> [CompreFaceImageDTO] {
        let raw: [String]
        do {
            raw = try req.content.decode([String].self)
        } catch {
            throw CompreFaceError.validation("expected a JSON list of image ids, e.g. [\"12\",\"13\"]")
        }
        return try await Self.delete(raw.compactMap { Int($0) }, req: req)
    }

    /// Deletes these faces from the database and the gallery; returns the ones that existed.
    @discardableResult
    static func delete(_ ids: [Int], req: Request) async throws -> [CompreFaceImageDTO] {
        guard !ids.isEmpty else { return [] }
        var deleted: [CompreFaceImageDTO] = []
        for chunk in stride(from: 0, to: ids.count, by: 1000).map({ Array(ids[$0..<min(ids.count, $0 + 1000)]) }) {
            let rows = try await FaceEmbedding.query(on: req.db).filter(\.$id ~~ chunk).all()
            guard !rows.isEmpty else { continue }
            let subjects = try await SubjectNames.subjects(of: Set(rows.map(\.$user.id)), on: req.db)
            let gallery = GalleryUpdates(req.application)
            let (faceIDs, owners) = (rows.compactMap(\.id), Set(rows.map(\.$user.id)))
            try await req.db.transaction { db in
                try await FaceEmbedding.query(on: db).filter(\.$id ~~ faceIDs).delete()
                for owner in owners.sorted() { try await gallery.record(.person, of: owner, on: db) }
            }
            for row in rows {
                let id = try row.requireID()
                gallery.removedFace(id)
                deleted.append(CompreFaceImageDTO(imageID: String(id), subject: subjects[row.$user.id] ?? ""))
            }
        }
        return deleted
    }

    /// An enrolment rejection in CompreFace's terms.
    static func error(for rejection: EnrollmentService.Rejection) -> CompreFaceError {
        switch rejection.code {
        case .noFace: return .noFace()
        case .multipleFaces: return CompreFaceError(status: .badRequest, code: .tooManyFaces, message: rejection.message)
        case .tooLarge: return CompreFaceError(status: .payloadTooLarge, code: .validationConstraintViolation, message: rejection.message)
        default: return .validation(rejection.message)
        }
    }
}
