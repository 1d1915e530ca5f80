import Vapor

/// The web console's pages under clean paths (`/live` rather than `/live.html`). The pages are
/// static files in `Public/`; their CSS and JS are served by `FileMiddleware`. The pages need no key
/// to load — every `/api` and `/ws` call they make carries one — so a kiosk can open
/// `/live?api_key=…` directly.
struct WebConsoleController: RouteCollection {
    /// Path → file in the public directory.
    static let pages: [(path: PathComponent, file: String)] = [
        ("live", "live.html"),
        ("people", "people.html"),
        ("sightings", "sightings.html"),
        ("unknowns", "unknowns.html"),
    ]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: Self.page("index.html"))
        for page in Self.pages {
            routes.get(page.path, use: Self.page(page.file))
        }
    }

    static func page(_ file: String) -> @Sendable (Request) async throws -> Response {
        { req in
            let response = try await req.fileio.asyncStreamFile(
                at: req.application.directory.publicDirectory + file,
                mediaType: .html
            )
            // The pages change with every deploy; let browsers revalidate instead of guessing.
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
            return response
        }
    }
}
