import Fluent
import Vapor

/// A user's enrolled faces: `/api/users/{id}/faces` (admin).
struct FacesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let faces = routes.grouped("users", ":id", "faces")
        faces.post(use: enroll)
        faces.get(use: list)
        faces.delete(":face_id", use: delete)
    }

    /// multipart/form-data (parts named `file`, optional field `capture_angle`) or JSON
    /// `{"images":["<base64>",…],"capture_angle":"front"}`. 201 if at least one face was stored, else 422.
    @Sendable
    func enroll(req: Request) async throws -> Response {
        let user = try await UsersController.find(req)
        let service = try EnrollmentService(req)
        let uploads: [ImageUpload]
        let angle: String?
        switch try UploadBody(req) {
        case .multipart(let form):
            uploads = form.files(named: "file").enumerated().map { ImageUpload(index: $0.offset, part: $0.element) }
            angle = form.text("capture_angle")
        case .json:
            let input = try req.content.decode(EnrollRequest.self)
            uploads = input.images.enumerated().map { ImageUpload(index: $0.offset, base64: $0.element) }
            angle = input.captureAngle
        }
        guard !uploads.isEmpty else {
            throw FaceStreamError.validationFailed("no images: send multipart parts named \"file\" or JSON {\"images\":[\"<base64>\"]}")
        }
        guard uploads.count <= EnrollmentService.maxImagesPerRequest else {
            throw FaceStreamError.validationFailed("at most \(EnrollmentService.maxImagesPerRequest) images per request, got \(uploads.count)")
        }
        let result = try await service.enroll(uploads, captureAngle: try EnrollmentService.captureAngle(angle), for: user,
                                              on: req.db, gallery: GalleryUpdates(req.application))
        return try await result.encodeResponse(status: result.created.isEmpty ? .unprocessableEntity : .created, for: req)
    }

    @Sendable
    func list(req: Request) async throws -> FaceListDTO {
        let user = try await UsersController.find(req)
        let faces = try await FaceEmbedding.query(on: req.db).filter(\.$user.$id == user.requireID()).sort(\.$id).all()
        return FaceListDTO(items: try faces.map { try $0.toDTO() })
    }

    /// Removes one face from the database and from the gallery.
    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        let user = try await UsersController.find(req)
        let faceID = try req.idParameter("face_id", what: "face")
        guard try await FaceEmbedding.query(on: req.db)
            .filter(\.$id == faceID).filter(\.$user.$id == user.requireID()).first() != nil else {
            throw FaceStreamError.notFound("face \(faceID) of user \(try user.requireID()) not found")
        }
        let (userID, gallery) = (try user.requireID(), GalleryUpdates(req.application))
        try await req.db.transaction { db in
            try await FaceEmbedding.query(on: db).filter(\.$id == faceID).delete()
            try await gallery.record(.person, of: userID, on: db)
        }
        gallery.removedFace(faceID)
        return .noContent
    }
}
