import Fluent
import Vapor

/// CompreFace's subjects (role `admin`): a subject is a person (`SubjectNames` says how names
/// map). Renaming onto an existing subject merges the two people; deleting a subject deletes the
/// person with their faces, as `DELETE /api/users/{id}` does.
struct CompreFaceSubjectsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let subjects = routes.grouped("recognition", "subjects")
        subjects.get(use: list)
        subjects.post(use: add)
        subjects.delete(use: deleteAll)
        subjects.put(":subject", use: rename)
        subjects.delete(":subject", use: delete)
    }

    struct SubjectBody: Content {
        var subject: String?
    }

    @Sendable
    func list(req: Request) async throws -> CompreFaceSubjectListDTO {
        let people = try await User.query(on: req.db).sort(\.$id).all()
        let subjects = try await SubjectNames.subjects(of: people, on: req.db)
        return CompreFaceSubjectListDTO(subjects: people.compactMap { $0.id.flatMap { subjects[$0] } })
    }

    /// `{"subject":"Name"}`; 400 code 43 when the subject exists.
    @Sendable
    func add(req: Request) async throws -> Response {
        let name = try Self.subject(in: req)
        if try await SubjectNames.resolve(name, on: req.db) != nil {
            throw CompreFaceError(status: .badRequest, code: .subjectAlreadyExists, message: "Subject \(name.prefix(200)) already exists")
        }
        let user = try await Self.create(name, req: req)
        return try await CompreFaceSubjectDTO(subject: user.name).encodeResponse(status: .created, for: req)
    }

    /// `{"subject":"New name"}`: renames; onto an existing subject, merges into it.
    @Sendable
    func rename(req: Request) async throws -> CompreFaceUpdatedDTO {
        let source = try await SubjectNames.require(req.parameters.get("subject") ?? "", on: req.db)
        let newName = try Self.subject(in: req)
        let gallery = GalleryUpdates(req.application)
        if let target = try await SubjectNames.resolve(newName, on: req.db) {
            if target.id != source.id { try await PeopleChanges.merge(source, into: target, on: req.db, gallery: gallery) }
        } else {
            source.name = newName
            try await gallery.save(source, on: req.db)
            try await gallery.updated(source, wasActive: source.isActive, on: req.db, logger: req.logger)
        }
        return CompreFaceUpdatedDTO(updated: true)
    }

    @Sendable
    func delete(req: Request) async throws -> CompreFaceSubjectDTO {
        let subject = req.parameters.get("subject") ?? ""
        let user = try await SubjectNames.require(subject, on: req.db)
        try await PeopleChanges.delete(try user.requireID(), on: req.db, gallery: GalleryUpdates(req.application))
        return CompreFaceSubjectDTO(subject: subject)
    }

    @Sendable
    func deleteAll(req: Request) async throws -> CompreFaceDeletedDTO {
        CompreFaceDeletedDTO(deleted: try await PeopleChanges.deleteEveryone(on: req.db, gallery: GalleryUpdates(req.application)))
    }

    /// The `subject` of a JSON body, checked as a person's name. A name ending in ` #<digits>` is
    /// refused: that form names a namesake (`SubjectNames`).
    static func subject(in req: Request) throws -> String {
        guard let raw = (try? req.content.decode(SubjectBody.self))?.subject else {
            throw CompreFaceError.validation("expected a JSON body {\"subject\":\"<name>\"}")
        }
        let name = try checkedName(raw)
        if let marker = name.range(of: " #", options: .backwards), Int(name[marker.upperBound...]) != nil {
            throw CompreFaceError.validation("subject: a name may not end in \" #<number>\", the form that names a namesake")
        }
        return name
    }

    /// A person's name rule (`UserFieldRules.name`), failing as CompreFace's 400 code 26 about `subject`.
    static func checkedName(_ raw: String) throws -> String {
        do {
            return try UserFieldRules.name(raw)
        } catch let error as FaceStreamError {
            throw CompreFaceError.validation(error.message.replacingOccurrences(of: "name:", with: "subject:"))
        }
    }

    /// A new, active person named `name`.
    static func create(_ name: String, req: Request) async throws -> User {
        let user = User(name: try checkedName(name))
        try await user.create(on: req.db)
        GalleryUpdates(req.application).created(user)
        return user
    }
}
