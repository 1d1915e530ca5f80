import Vapor

/// `GET /openapi.json` (the API described, OpenAPI 3.0.3) and `GET /docs` (Swagger UI for it,
/// loaded from a CDN: the page needs internet access in the browser, the server doesn't). Both open.
struct DocsController: RouteCollection {
    /// Pinned: a CDN "latest" could change the page under a deployed server.
    static let swaggerUIVersion = "5.17.14"

    func boot(routes: any RoutesBuilder) throws {
        routes.get("openapi.json", use: openAPI)
        routes.get("docs", use: docs)
    }

    @Sendable
    func openAPI(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: OpenAPI.json))
    }

    @Sendable
    func docs(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: .ok, headers: headers, body: .init(string: Self.page))
    }

    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>FaceStream API</title>
          <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@\(swaggerUIVersion)/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@\(swaggerUIVersion)/swagger-ui-bundle.js" crossorigin="anonymous"></script>
          <script>
            window.onload = () => {
              window.ui = SwaggerUIBundle({
                url: '/openapi.json',
                dom_id: '#swagger-ui',
                deepLinking: true,
                persistAuthorization: false,
              });
            };
          </script>
        </body>
        </html>
        """
}
