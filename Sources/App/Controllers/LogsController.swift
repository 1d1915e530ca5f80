import Fluent
import Vapor

/// Sightings: `/api/logs` (admin), newest first; `/api/logs/search` finds them by photo.
struct LogsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let logs = routes.grouped("logs")
        logs.get(use: list)
        logs.get(":id", use: show)
        logs.get(":id", "face", use: face)
        logs.post("search", use: search)
    }

    /// `?user_id=&session_id=&is_unknown=&from=&to=&page=&per_page=`; `from` is inclusive, `to`
    /// exclusive, both ISO 8601 date-times.
    @Sendable
    func list(req: Request) async throws -> PageDTO<RecognitionLogDTO> {
        let paging = try PageParameters(req)
        let parameters = QueryParameters(req)
        let query = RecognitionLog.query(on: req.db)
        if let userID = try parameters.int("user_id", in: 1...Int.max) { query.filter(\.$user.$id == userID) }
        if let sessionID = try parameters.string("session_id") { query.filter(\.$sessionID == sessionID) }
        if let isUnknown = try parameters.bool("is_unknown") { query.filter(\.$isUnknown == isUnknown) }
        if let unknownID = try parameters.int("unknown_id", in: 1...Int.max) { query.filter(\.$unknownClusterID == unknownID) }
        let from = try parameters.date("from"), to = try parameters.date("to")
        if let from { query.filter(\.$createdAt >= from) }
        if let to { query.filter(\.$createdAt < to) }
        if let from, let to, from > to {
            throw FaceStreamError.validationFailed("from: must not be after to")
        }
        let total = try await query.count()
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(paging.offset..<(paging.offset + paging.perPage)).all()
        let names = try await Self.names(of: rows, on: req.db)
        return PageDTO(items: try rows.map { try $0.toDTO(userName: $0.$user.id.flatMap { names[$0] }) },
                       page: paging.page, perPage: paging.perPage, total: total)
    }

    @Sendable
    func show(req: Request) async throws -> RecognitionLogDTO {
        let id = try req.idParameter(what: "log entry")
        guard let row = try await RecognitionLog.find(id, on: req.db) else {
            throw FaceStreamError.notFound("log entry \(id) not found")
        }
        return try row.toDTO(userName: try await Self.names(of: [row], on: req.db)[row.$user.id ?? 0])
    }

    /// The JPEG of the face that decided the sighting; 404 when the row or its thumbnail doesn't exist.
    @Sendable
    func face(req: Request) async throws -> Response {
        let id = try req.idParameter(what: "log entry")
        guard let row = try await RecognitionLog.find(id, on: req.db) else {
            throw FaceStreamError.notFound("log entry \(id) not found")
        }
        guard let jpeg = row.faceThumbnail else {
            throw FaceStreamError.notFound("log entry \(id) has no face thumbnail")
        }
        let response = Response(status: .ok, body: .init(data: jpeg))
        response.headers.contentType = .jpeg
        // Biometric data: not kept by caches (it is gone once its person is deleted).
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    /// Multipart `file` or JSON `{"image":"<base64>"}` with one face; filters as in `list`, plus
    /// `limit` and `max_distance` (see `SightingSearch`).
    @Sendable
    func search(req: Request) async throws -> SightingSearchResultDTO {
        try await SightingSearch.run(req)
    }

    /// Current names of the users a page of sightings mentions (one query).
    private static func names(of rows: [RecognitionLog], on db: any Database) async throws -> [Int: String] {
        let ids = Set(rows.compactMap { $0.$user.id })
        guard !ids.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$id ~~ Array(ids)).all()
        return Dictionary(users.compactMap { user in user.id.map { ($0, user.name) } }, uniquingKeysWith: { first, _ in first })
    }
}
