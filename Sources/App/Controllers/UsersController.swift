import Fluent
import FluentSQL
import Vapor

/// People: `/api/users` (admin). Every change that affects recognition (deactivation, renaming,
/// deletion) reaches this node's gallery before the response is sent.
struct UsersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = routes.grouped("users")
        users.post(use: create)
        users.get(use: list)
        users.get(":id", use: show)
        users.patch(":id", use: update)
        users.delete(":id", use: delete)
        users.post(":id", "merge", use: merge)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(CreateUserRequest.self)
        let user = User(name: try UserFieldRules.name(input.name), email: try UserFieldRules.email(input.email),
                        employeeID: try UserFieldRules.employeeID(input.employeeID))
        try await UserUniqueness.check(user, on: req.db)
        try await user.create(on: req.db)
        GalleryUpdates(req.application).created(user)
        let response = try await user.toDTO(faceCount: 0).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/users/\(try user.requireID())")
        return response
    }

    /// `?page=&per_page=&q=&is_active=`; `q` matches name, e-mail or employee id, case-insensitively.
    @Sendable
    func list(req: Request) async throws -> PageDTO<UserDTO> {
        let paging = try PageParameters(req)
        let parameters = QueryParameters(req)
        let query = User.query(on: req.db)
        if let isActive = try parameters.bool("is_active") {
            query.filter(\.$isActive == isActive)
        }
        if let text = try parameters.string("q") {
            let pattern = "%" + SQLLikePattern.escape(text.lowercased()) + "%"
            query.group(.or) { any in
                for column in ["name", "email", "employee_id"] {
                    any.filter(.sql(embed: "LOWER(\(ident: column)) LIKE \(bind: pattern) ESCAPE '\\'"))
                }
            }
        }
        let total = try await query.count()
        let users = try await query.sort(\.$id).range(paging.offset..<(paging.offset + paging.perPage)).all()
        let counts = try await FaceCounts.of(users.compactMap(\.id), on: req.db)
        return PageDTO(items: try users.map { try $0.toDTO(faceCount: counts[$0.id ?? 0] ?? 0) },
                       page: paging.page, perPage: paging.perPage, total: total)
    }

    @Sendable
    func show(req: Request) async throws -> UserDTO {
        let user = try await Self.find(req)
        return try user.toDTO(faceCount: try await FaceCounts.of(try user.requireID(), on: req.db))
    }

    @Sendable
    func update(req: Request) async throws -> UserDTO {
        let input = try req.content.decode(UpdateUserRequest.self)
        let user = try await Self.find(req)
        let wasActive = user.isActive
        if let name = input.name { user.name = try UserFieldRules.name(name) }
        if let email = input.email { user.email = try UserFieldRules.email(email) }
        if let employeeID = input.employeeID { user.employeeID = try UserFieldRules.employeeID(employeeID) }
        if let isActive = input.isActive { user.isActive = isActive }
        try await UserUniqueness.check(user, on: req.db)
        let gallery = GalleryUpdates(req.application)
        try await gallery.save(user, on: req.db)
        try await gallery.updated(user, wasActive: wasActive, on: req.db, logger: req.logger)
        return try user.toDTO(faceCount: try await FaceCounts.of(try user.requireID(), on: req.db))
    }

    /// Deletes the person and all their biometric data (embeddings) in one transaction; their
    /// sightings stay, detached (`user_id` becomes null), so history remains countable.
    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        let user = try await Self.find(req)
        try await PeopleChanges.delete(try user.requireID(), on: req.db, gallery: GalleryUpdates(req.application))
        return .noContent
    }

    /// `{"from_user_id": N}`: N's enrolled faces and sightings become this person's, then N is
    /// deleted; recognition answers with this person for N's faces from the moment of the response.
    @Sendable
    func merge(req: Request) async throws -> UserDTO {
        let input = try req.content.decode(MergeUsersRequest.self)
        let target = try await Self.find(req)
        let targetID = try target.requireID()
        guard input.fromUserID != targetID else {
            throw FaceStreamError.validationFailed("from_user_id: a person can't be merged into themselves")
        }
        guard let source = try await User.find(input.fromUserID, on: req.db) else {
            throw FaceStreamError.notFound("user \(input.fromUserID) not found")
        }
        try await PeopleChanges.merge(source, into: target, on: req.db, gallery: GalleryUpdates(req.application))
        return try target.toDTO(faceCount: try await FaceCounts.of(targetID, on: req.db))
    }

    /// The user named by `:id`, or 404.
    static func find(_ req: Request) async throws -> User {
        let id = try req.idParameter(what: "user")
        guard let user = try await User.find(id, on: req.db) else {
            throw FaceStreamError.notFound("user \(id) not found")
        }
        return user
    }
}

/// `LIKE` patterns from user text: `%`, `_` and the escape character itself match literally
/// (queries use `ESCAPE '\'`).
enum SQLLikePattern {
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
