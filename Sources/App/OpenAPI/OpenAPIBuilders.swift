/// The OpenAPI document and the small builders that keep it readable: `Schema` for schema objects,
/// `Parameter`, `Responses` and `Operation` for the paths. Each returns plain `JSONValue`.
enum OpenAPI {}

extension OpenAPI {
    enum Schema {
        static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

        static func string(_ description: String = "", format: String? = nil) -> JSONValue {
            var schema: JSONValue = ["type": "string"]
            if let format { schema = schema.merging(["format": .string(format)]) }
            return schema.described(description)
        }

        static func integer(_ description: String = "", minimum: Int? = nil, maximum: Int? = nil) -> JSONValue {
            var schema: JSONValue = ["type": "integer"]
            if let minimum { schema = schema.merging(["minimum": .integer(minimum)]) }
            if let maximum { schema = schema.merging(["maximum": .integer(maximum)]) }
            return schema.described(description)
        }

        static func number(_ description: String = "", minimum: Double? = nil, maximum: Double? = nil) -> JSONValue {
            var schema: JSONValue = ["type": "number"]
            if let minimum { schema = schema.merging(["minimum": .number(minimum)]) }
            if let maximum { schema = schema.merging(["maximum": .number(maximum)]) }
            return schema.described(description)
        }

        /// A 0…1 score.
        static func unit(_ description: String) -> JSONValue { number(description, minimum: 0, maximum: 1) }

        static func boolean(_ description: String = "") -> JSONValue { (["type": "boolean"] as JSONValue).described(description) }

        static func dateTime(_ description: String = "") -> JSONValue { string(description, format: "date-time") }

        static func array(_ items: JSONValue, _ description: String = "", minItems: Int? = nil, maxItems: Int? = nil) -> JSONValue {
            var schema: JSONValue = ["type": "array", "items": items]
            if let minItems { schema = schema.merging(["minItems": .integer(minItems)]) }
            if let maxItems { schema = schema.merging(["maxItems": .integer(maxItems)]) }
            return schema.described(description)
        }

        /// An object; `required` lists the properties always present.
        static func object(_ properties: [(String, JSONValue)], required: [String] = [], _ description: String = "") -> JSONValue {
            var schema: JSONValue = ["type": "object", "properties": .object(properties.map { (key: $0.0, value: $0.1) })]
            if !required.isEmpty { schema = schema.merging(["required": .array(required.map(JSONValue.string))]) }
            return schema.described(description)
        }

        /// An object whose every property is always present (nullable ones as `null`): how responses look.
        static func record(_ properties: [(String, JSONValue)], _ description: String = "") -> JSONValue {
            object(properties, required: properties.map(\.0), description)
        }

        /// The same schema, allowing `null` (3.0.3 style; a `$ref` can't carry siblings, so it is wrapped).
        static func nullable(_ schema: JSONValue) -> JSONValue {
            if schema["$ref"] != nil { return ["allOf": [schema], "nullable": true] }
            return schema.merging(["nullable": true])
        }

        /// `[x, y, width, height]` in pixels.
        static let bbox = array(integer(), "[x, y, width, height] in pixels of the image as decoded (EXIF orientation applied)",
                                minItems: 4, maxItems: 4)

        static func binaryFile(_ description: String) -> JSONValue { string(description, format: "binary") }

        /// A string that is one of these error codes.
        static func errorCode(_ codes: [ErrorCode], _ description: String = "") -> JSONValue {
            string(description).merging(["enum": .array(codes.map { .string($0.rawValue) })])
        }
    }

    enum Parameter {
        static func path(_ name: String, _ description: String) -> JSONValue {
            ["name": .string(name), "in": "path", "required": true, "description": .string(description), "schema": Schema.integer(minimum: 1)]
        }

        static func query(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
            ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
        }

        static let page = query("page", Schema.integer(minimum: 1, maximum: PageParameters.maxPage).merging(["default": 1]), "1-based page number.")
        static let perPage = query("per_page", Schema.integer(minimum: 1, maximum: PageParameters.maxPerPage)
            .merging(["default": .integer(PageParameters.defaultPerPage)]), "Items per page (at most \(PageParameters.maxPerPage)).")
    }

    enum Responses {
        static func json(_ description: String, _ schema: JSONValue) -> JSONValue {
            ["description": .string(description), "content": ["application/json": ["schema": schema]]]
        }

        static func empty(_ description: String) -> JSONValue { ["description": .string(description)] }

        /// Any error under `/api/v1`: CompreFace's `{"message","code"}`.
        static let compreFaceError = json("""
            CompreFace's error body. Codes: 10 unknown API key, 11 image_id not found, 20 no API key, 21 not a JPEG/PNG, \
            26 invalid parameter or body, 28 no face found, 31 more than one face (adding a face), 32 the key's role may \
            not do this, 33 missing parameter, 34 missing image part, 42 subject not found, 43 subject exists, 0 other.
            """, Schema.ref("CompreFaceError"))

        /// One of the shared error responses in `components.responses`.
        static func error(_ name: String) -> JSONValue { ["$ref": .string("#/components/responses/\(name)")] }

        /// An `Error` response whose code is one of `codes`; the description lists them with their meanings.
        static func error(_ description: String, codes: [ErrorCode]) -> JSONValue {
            let schema: JSONValue = ["allOf": [
                Schema.ref("Error"),
                Schema.object([("error", Schema.object([("code", Schema.errorCode(codes))]))]),
            ]]
            return json("\(description) Codes: \(codeList(codes)).", schema)
        }
    }

    /// Who may call an operation.
    enum Access {
        /// No key (health, docs, the document itself).
        case open
        /// Any key whose role permits `role` (admin permits everything).
        case key(APIRole)
        /// Open unless METRICS_API_KEY is set.
        case metrics
        /// The WebSocket: a key in a header or, for browsers, `?api_key=`.
        case webSocket
        /// `/api/v1`, CompreFace's contract: a key of this role, errors in CompreFace's shape.
        case compreFace(APIRole)

        var security: JSONValue {
            switch self {
            case .open: []
            case .key, .compreFace: [["ApiKeyHeader": []], ["BearerAuth": []]]
            case .metrics: [[:], ["ApiKeyHeader": []], ["BearerAuth": []]]
            case .webSocket: [["ApiKeyHeader": []], ["BearerAuth": []], ["ApiKeyQuery": []]]
            }
        }

        /// The errors every operation with this access can answer.
        var errorResponses: [(String, JSONValue)] {
            switch self {
            case .open: [("500", Responses.error("InternalError"))]
            case .metrics: [("401", Responses.error("Unauthorized"))]
            case .key, .webSocket: [("401", Responses.error("Unauthorized")), ("403", Responses.error("Forbidden")),
                                     ("500", Responses.error("InternalError")), ("503", Responses.error("ServiceUnavailable"))]
            case .compreFace: ["400", "401", "403", "404", "413", "500", "503"].map { ($0, Responses.compreFaceError) }
            }
        }
    }

    enum Operation {
        static func make(
            _ id: String, tag: String, summary: String, description: String = "", access: Access,
            parameters: [JSONValue] = [], body: JSONValue? = nil, responses: [(String, JSONValue)]
        ) -> JSONValue {
            var operation: JSONValue = ["operationId": .string(id), "tags": [.string(tag)], "summary": .string(summary)]
            var text = description
            if case .compreFace(let role) = access {
                text += (text.isEmpty ? "" : "\n\n") + "Needs an API key with role `\(role.rawValue)`" + (role == .admin ? "." : " (or `admin`).")
            }
            if case .key(let role) = access {
                text += (text.isEmpty ? "" : "\n\n") + "Needs an API key with role `\(role.rawValue)`" + (role == .admin ? "." : " (or `admin`).")
            }
            if !text.isEmpty { operation = operation.merging(["description": .string(text)]) }
            if !parameters.isEmpty { operation = operation.merging(["parameters": .array(parameters)]) }
            if let body { operation = operation.merging(["requestBody": body]) }
            var all = responses
            for extra in access.errorResponses where !all.contains(where: { $0.0 == extra.0 }) { all.append(extra) }
            all.sort { $0.0 < $1.0 }
            return operation.merging([
                "security": access.security,
                "responses": .object(all.map { (key: $0.0, value: $0.1) }),
            ])
        }
    }
}

extension OpenAPI {
    /// "`no_face`: no face found in the image; `…`: …", for descriptions.
    static func codeList(_ codes: [ErrorCode]) -> String {
        codes.map { "`\($0.rawValue)`: \($0.meaning)" }.joined(separator: "; ")
    }
}

extension JSONValue {
    /// Adds `description` unless it is empty.
    func described(_ description: String) -> JSONValue {
        description.isEmpty ? self : merging(["description": .string(description)])
    }
}
