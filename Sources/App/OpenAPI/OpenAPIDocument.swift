import Foundation

extension OpenAPI {
    static let version = "3.0.3"

    /// The whole document served at `/openapi.json`. Built once: it depends on nothing at run time.
    static let document: JSONValue = [
        "openapi": .string(version),
        "info": [
            "title": "FaceStream",
            "version": .string(FaceStreamVersion.current),
            "description": """
                Self-hosted face recognition: enrol people from photos, recognise faces in photos (REST) and in \
                live video (WebSocket), and query who was seen when. Every `/api` and `/ws` call needs an API key \
                (`X-API-Key` or `Authorization: Bearer`); role `admin` may do everything, role `recognize` may \
                recognise, verify, detect and stream. Errors always have the body `{"error":{"code","message"}}`.
                """,
            "license": ["name": "MIT"],
        ],
        "tags": [
            ["name": "People", "description": "Who can be recognised."],
            ["name": "Faces", "description": "Enrolled photos (stored as 128-number descriptors)."],
            ["name": "Recognition", "description": "Identify, verify and detect faces in one photo."],
            ["name": "Streaming", "description": "Real-time recognition of a video stream."],
            ["name": "Sightings", "description": "Faces seen in streams (and in photos recognised with `log=true`), and finding them by photo."],
            ["name": "Unknown visitors", "description": "Unknown faces grouped into people to name or forget."],
            ["name": "Service", "description": "Health, metrics and this documentation."],
            ["name": "CompreFace", "description": "CompreFace's REST API under /api/v1, for Double Take, Viseron and CompreFace SDK clients."],
        ],
        "paths": .object((peoplePaths + recognitionPaths + logPaths + unknownPaths + servicePaths + compreFacePaths).map { (key: $0.0, value: $0.1) }),
        "components": [
            "securitySchemes": [
                "ApiKeyHeader": ["type": "apiKey", "in": "header", "name": "X-API-Key"],
                "BearerAuth": ["type": "http", "scheme": "bearer", "description": "The API key as a bearer token."],
                "ApiKeyQuery": ["type": "apiKey", "in": "query", "name": "api_key",
                                "description": "Only on /ws/*: browsers can't set headers on a WebSocket."],
            ],
            "schemas": .object((schemas + unknownSchemas + compreFaceSchemas).map { (key: $0.0, value: $0.1) }),
            "responses": .object(errorResponses.map { (key: $0.0, value: $0.1) }),
        ],
    ]

    /// The shared error responses; all have the `Error` body.
    static var errorResponses: [(String, JSONValue)] {
        [
            ("BadRequest", "The request is malformed (`bad_request`)."),
            ("Unauthorized", "No API key, or an unknown one (`unauthorized`)."),
            ("Forbidden", "The API key's role may not do this (`forbidden`)."),
            ("NotFound", "No such resource (`not_found`)."),
            ("Conflict", "The email or employee_id is taken (`conflict`)."),
            ("PayloadTooLarge", "The request or an image is above the limits (`payload_too_large`, `image_too_large`)."),
            ("UnsupportedMediaType", "Send application/json (or multipart/form-data where images are accepted) (`unsupported_media_type`)."),
            ("ValidationFailed", "A field or parameter is invalid (`validation_failed`)."),
            ("ImageRejected", "The image can't be used: `validation_failed` (e.g. bad base64), `corrupt_image`, `unsupported_format`, `empty_image`; for verify also `no_face`, `multiple_faces`, `no_enrolled_faces`, `user_inactive`."),
            ("ServiceUnavailable", "Try again later: `database_unavailable`, `engine_unavailable` (no face engine on this server), `engine_overloaded`."),
            ("InternalError", "A bug or an unexpected failure (`internal_error`)."),
        ].map { name, description in
            (name, Responses.json(description, Schema.ref("Error")))
        }
    }

    /// `document` as JSON bytes, members in the order written.
    static let json: Data = document.serialized()
}
