import Fluent
import Vapor

/// Unknown visitors: `/api/unknowns` (admin). Clusters of unknown sightings that look like one
/// person, to be named (`assign`) or forgotten (`DELETE`).
struct UnknownsController: RouteCollection {
    /// Largest `?min_size=` (the same bound as UNKNOWN_MIN_CLUSTER_SIZE).
    static let maxMinSize = 1_000_000

    func boot(routes: any RoutesBuilder) throws {
        let unknowns = routes.grouped("unknowns")
        unknowns.get(use: list)
        unknowns.get(":id", use: show)
        unknowns.post(":id", "assign", use: assign)
        unknowns.delete(":id", use: forget)
    }

    /// `?min_size=&page=&per_page=`, most recently seen first. `min_size` defaults to
    /// UNKNOWN_MIN_CLUSTER_SIZE: one-off sightings are hidden unless asked for.
    @Sendable
    func list(req: Request) async throws -> PageDTO<UnknownClusterDTO> {
        let paging = try PageParameters(req)
        let minSize = try QueryParameters(req).int("min_size", in: 1...Self.maxMinSize) ?? req.application.config.unknowns.minClusterSize
        let clusters = try await UnknownClusterQueries.clusters(minSize: minSize, on: req.db)
        let page = clusters.dropFirst(paging.offset).prefix(paging.perPage).map(\.id)
        return PageDTO(items: try await UnknownClusterQueries.describe(Array(page), on: req.db),
                       page: paging.page, perPage: paging.perPage, total: clusters.count)
    }

    @Sendable
    func show(req: Request) async throws -> UnknownClusterDTO {
        let id = try req.idParameter(what: "unknown visitor")
        guard let cluster = try await UnknownClusterQueries.describe([id], on: req.db).first else {
            throw FaceStreamError.notFound("unknown visitor \(id) not found")
        }
        return cluster
    }

    /// `{"user_id": 7}` names an existing person, `{"name": "Ada"}` creates one.
    @Sendable
    func assign(req: Request) async throws -> UnknownAssignmentDTO {
        let id = try req.idParameter(what: "unknown visitor")
        let input = try req.content.decode(AssignUnknownRequest.self)
        let person: UnknownClusterActions.Person
        switch (input.userID, input.name) {
        case (let userID?, nil):
            guard let user = try await User.find(userID, on: req.db) else { throw FaceStreamError.notFound("user \(userID) not found") }
            person = .existing(user)
        case (nil, let name?):
            person = .new(name: try UserFieldRules.name(name))
        default:
            throw FaceStreamError.validationFailed("give exactly one of user_id and name")
        }
        return try await UnknownClusterActions(req.application).assign(id, to: person, on: req.db)
    }

    @Sendable
    func forget(req: Request) async throws -> HTTPStatus {
        try await UnknownClusterActions(req.application).forget(try req.idParameter(what: "unknown visitor"))
        return .noContent
    }
}
