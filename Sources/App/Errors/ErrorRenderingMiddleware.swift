import Vapor

/// Replaces Vapor's `ErrorMiddleware`: renders every error, Vapor's own included, as an `ErrorResponse`
/// with the right status. Installed first, so it sees errors from all later middleware and routes.
struct ErrorRenderingMiddleware: AsyncMiddleware {
    /// `DEBUG=true`: internal error details go to the client too.
    let debug: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return render(error, for: request)
        }
    }

    private func render(_ error: any Error, for request: Request) -> Response {
        // Unknown path → 404; known path with another method → 405 (with `Allow`), in both error shapes.
        let error: any Error = error is RouteNotFound ? routeNotFound(request) : error
        if CompreFaceRoutes.contains(request) { return renderCompreFace(error, for: request) }
        let apiError = ErrorTranslation.translate(error, debug: debug)
        if apiError.status == .internalServerError {
            request.logger.error("\(request.method) \(request.url.path) failed: \(String(reflecting: error))")
        } else if apiError.status.code >= 500 {
            // 503s (database down, engine busy) are conditions, not bugs.
            request.logger.warning("\(request.method) \(request.url.path) → \(apiError)")
        } else {
            request.logger.debug("\(request.method) \(request.url.path) → \(apiError)")
        }

        var headers = apiError.headers
        headers.contentType = .json
        let body: Response.Body
        do {
            body = .init(data: try JSONCoding.makeEncoder().encode(ErrorResponse(apiError)))
        } catch {
            // Two strings can't fail to encode, but never let the error path throw.
            body = .init(string: #"{"error":{"code":"internal_error","message":"an internal error occurred"}}"#)
        }
        return Response(status: apiError.status, headers: headers, body: body)
    }

    /// `/api/v1` speaks CompreFace's error shape, `{"message","code"}`, to CompreFace's clients.
    private func renderCompreFace(_ error: any Error, for request: Request) -> Response {
        let translated = CompreFaceError.translating(error, request: request, debug: debug)
        if translated.status.code >= 500 {
            request.logger.warning("\(request.method) \(request.url.path) → \(translated) (\(String(reflecting: error)))")
        } else {
            request.logger.debug("\(request.method) \(request.url.path) → \(translated)")
        }
        var headers = translated.headers
        headers.contentType = .json
        let body = (try? JSONCoding.makeEncoder().encode(CompreFaceError.Body(message: translated.message, code: translated.code.rawValue)))
            ?? Data(#"{"message":"an internal error occurred","code":0}"#.utf8)
        return Response(status: translated.status, headers: headers, body: .init(data: body))
    }

    /// Unknown path → 404; known path with another method → 405.
    private func routeNotFound(_ request: Request) -> FaceStreamError {
        let allowed = AllowedMethods.forPath(request.url.path, in: request.application.routes)
        if !allowed.isEmpty {
            return .methodNotAllowed(allowed: allowed)
        }
        return .notFound("no route for \(request.method) \(request.url.path.prefix(200))")
    }
}
