import Vapor

/// `GET /openapi.json` (the API described, OpenAPI 3.0.3) and `GET /docs` (Swagger UI for it).
/// Swagger UI's two files are served from DOCS_ASSETS_DIR (installed there by scripts/setup from
/// PyPI's swagger-ui-bundle), so the page works on networks without internet access. All open.
struct DocsController: RouteCollection {
    /// The only files `/docs/assets/` serves: a whitelist, so no path from a request reaches the disk.
    static let assets: [String: HTTPMediaType] = [
        "swagger-ui-bundle.js": HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"]),
        "swagger-ui.css": HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]),
    ]

    let assetsDirectory: String

    func boot(routes: any RoutesBuilder) throws {
        routes.get("openapi.json", use: openAPI)
        routes.get("docs", use: docs)
        routes.get("docs", "assets", ":file", use: asset)
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

    /// 404 `not_found` for a name outside the whitelist or a file scripts/setup didn't install.
    @Sendable
    func asset(req: Request) async throws -> Response {
        let name = req.parameters.get("file") ?? ""
        guard let type = Self.assets[name] else { throw FaceStreamError.notFound("no docs asset \(name.prefix(100))") }
        let path = URL(fileURLWithPath: assetsDirectory).appendingPathComponent(name).path
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw FaceStreamError.notFound("\(name) is not installed in DOCS_ASSETS_DIR (\(assetsDirectory)): run scripts/setup")
        }
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.contentType = type
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
        return response
    }

    /// If the assets are missing, the page says so instead of staying blank.
    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>FaceStream API</title>
          <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="/docs/assets/swagger-ui-bundle.js"
                  onerror="document.getElementById('swagger-ui').textContent = 'Swagger UI is not installed on this server (run scripts/setup). The API description is at /openapi.json.'"></script>
          <script>
            window.onload = () => {
              if (typeof SwaggerUIBundle === 'undefined') return;
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
