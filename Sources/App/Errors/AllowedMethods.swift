import Vapor

/// Which methods the router would accept for a path. Vapor answers a known path with the wrong
/// method with a plain 404; this lets the error middleware say 405 with an `Allow` header instead.
enum AllowedMethods {
    static func forPath(_ path: String, in routes: Routes) -> [HTTPMethod] {
        // Split exactly like Vapor's DefaultResponder, so both agree on what the path is.
        let components = path.split(separator: "/").map(String.init)
        var methods = Set<String>()
        for route in routes.all where matches(route.path, components, caseInsensitive: routes.caseInsensitive) {
            methods.insert(route.method.rawValue)
        }
        // Vapor answers HEAD from the GET route.
        if methods.contains(HTTPMethod.GET.rawValue) { methods.insert(HTTPMethod.HEAD.rawValue) }
        return methods.sorted().map { HTTPMethod(rawValue: $0) }
    }

    private static func matches(_ pattern: [PathComponent], _ path: [String], caseInsensitive: Bool) -> Bool {
        let pattern = pattern.filter { if case .constant("") = $0 { false } else { true } }
        var index = 0
        for component in pattern {
            if case .catchall = component { return index < path.count }
            guard index < path.count else { return false }
            switch component {
            case .constant(let constant):
                let equal = caseInsensitive
                    ? constant.lowercased() == path[index].lowercased()
                    : constant == path[index]
                guard equal else { return false }
            case .parameter, .anything, .catchall:
                break
            }
            index += 1
        }
        return index == path.count
    }
}
