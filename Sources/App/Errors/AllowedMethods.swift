import Vapor

/// Which methods the router would accept for a path. Vapor answers a known path with the wrong
/// method with a plain 404; this lets the error middleware say 405 with an `Allow` header instead.
///
/// Only the most specific routes count: `/api/logs/search` is a route of its own (POST), so GET
/// `/api/logs/:id` does not make GET an allowed method there, and `MethodDispatch` answers such a GET
/// 405 rather than letting the parameter route take "search" for an id.
enum AllowedMethods {
    static func forPath(_ path: String, in routes: Routes) -> [HTTPMethod] {
        mostSpecific(path, in: routes).methods
    }

    /// The methods of the most specific routes matching `path`, and whether a less specific route matches too.
    static func mostSpecific(_ path: String, in routes: Routes) -> (methods: [HTTPMethod], shadowsOthers: Bool) {
        // Split exactly like Vapor's DefaultResponder, so both agree on what the path is.
        let components = path.split(separator: "/").map(String.init)
        var best: [Bool] = [], methods = Set<String>(), shadowed = false
        for route in routes.all {
            guard let constants = match(route.path, components, caseInsensitive: routes.caseInsensitive) else { continue }
            if constants == best {
                methods.insert(route.method.rawValue)
            } else if constants.lexicographicallyPrecedes(best, by: { !$0 && $1 }) {
                shadowed = true
            } else {
                if !methods.isEmpty { shadowed = true }
                best = constants
                methods = [route.method.rawValue]
            }
        }
        // Vapor answers HEAD from the GET route.
        if methods.contains(HTTPMethod.GET.rawValue) { methods.insert(HTTPMethod.HEAD.rawValue) }
        return (methods.sorted().map { HTTPMethod(rawValue: $0) }, shadowed)
    }

    /// Per path component, whether the route matched it with a constant; nil when it doesn't match.
    /// `false < true`, so comparing these lexicographically ranks routes by specificity.
    private static func match(_ pattern: [PathComponent], _ path: [String], caseInsensitive: Bool) -> [Bool]? {
        let pattern = pattern.filter { if case .constant("") = $0 { false } else { true } }
        var index = 0
        var constants: [Bool] = []
        for component in pattern {
            if case .catchall = component { return index < path.count ? constants + [false] : nil }
            guard index < path.count else { return nil }
            switch component {
            case .constant(let constant):
                let equal = caseInsensitive
                    ? constant.lowercased() == path[index].lowercased()
                    : constant == path[index]
                guard equal else { return nil }
                constants.append(true)
            case .parameter, .anything, .catchall:
                constants.append(false)
            }
            index += 1
        }
        return index == path.count ? constants : nil
    }
}

/// 405 for a method that only a less specific route would take: `GET /api/logs/search` is not
/// `GET /api/logs/:id` with the id "search", it is the search endpoint asked with the wrong method.
struct MethodDispatch: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let (methods, shadowsOthers) = AllowedMethods.mostSpecific(request.url.path, in: request.application.routes)
        if shadowsOthers, !methods.isEmpty, !methods.contains(request.method) {
            throw FaceStreamError.methodNotAllowed(allowed: methods)
        }
        return try await next.respond(to: request)
    }
}
