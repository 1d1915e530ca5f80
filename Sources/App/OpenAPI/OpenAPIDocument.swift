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

    /// The shared error responses: the `Error` body with the codes each can carry (from `ErrorCode`).
    static var errorResponses: [(String, JSONValue)] {
        [
            ("BadRequest", "The request can't be read.", [.badRequest]),
            ("Unauthorized", "No valid API key.", [.unauthorized]),
            ("Forbidden", "The API key's role may not do this.", [.forbidden]),
            ("NotFound", "No such resource.", [.notFound]),
            ("Conflict", "A unique field is taken.", [.conflict]),
            ("PayloadTooLarge", "The request or an image is above the limits.", ErrorCode.answered(with: .payloadTooLarge)),
            ("UnsupportedMediaType", "The body's content type is not accepted here.", [.unsupportedMediaType]),
            ("ValidationFailed", "A field or parameter is invalid.", [.validationFailed]),
            ("ImageRejected", "The request or its image can't be used.",
             [.validationFailed, .corruptImage, .unsupportedFormat, .emptyImage, .invalidArgument, .noFace, .multipleFaces,
              .noEnrolledFaces, .userInactive]),
            ("ServiceUnavailable", "Try again later.", ErrorCode.answered(with: .serviceUnavailable)),
            ("InternalError", "A bug or an unexpected failure.", [.internalError]),
        ].map { (name: String, description: String, codes: [ErrorCode]) in
            (name, Responses.error(description, codes: codes))
        }
    }

    /// `document` as JSON bytes, members in the order written.
    static let json: Data = document.serialized()
}
