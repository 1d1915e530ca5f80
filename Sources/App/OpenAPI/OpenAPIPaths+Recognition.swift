extension OpenAPI {
    static var recognitionPaths: [(String, JSONValue)] {
        let recognize = Access.key(.recognize)
        let imageBody: JSONValue = ["required": true, "content": [
            "multipart/form-data": ["schema": Schema.ref("ImageMultipart")],
            "application/json": ["schema": Schema.ref("ImageJSON")],
        ]]
        // What any image endpoint can answer besides its result (400: a malformed multipart body).
        let imageErrors: [(String, JSONValue)] = [
            ("400", Responses.error("BadRequest")), ("413", Responses.error("PayloadTooLarge")), ("415", Responses.error("UnsupportedMediaType")),
            ("422", Responses.error("ImageRejected")),
        ]
        return [
            ("/api/recognize", [
                "post": Operation.make(
                    "recognize", tag: "Recognition", summary: "Who is in this photo",
                    description: """
                        Finds every face and identifies it against the enrolled, active people. A face is known only when \
                        the nearest person's distance ≤ FACE_MATCH_THRESHOLD and their confidence ≥ FACE_CONFIDENCE_THRESHOLD; \
                        otherwise `is_unknown` is true and `user_id`/`user_name` are null. Nothing is logged unless \
                        `log=true`: then every face becomes a sighting of session `session_id` (its own track, with the \
                        face's embedding, quality and thumbnail), written as stream sightings are (batched, within about \
                        a second) and posted to the webhooks.
                        """,
                    access: recognize,
                    parameters: [Parameter.query("top_k", Schema.integer(minimum: 1, maximum: RecognitionController.maxTopK)
                        .merging(["default": .integer(RecognitionController.defaultTopK)]), "Candidates per face."),
                                 Parameter.query("log", Schema.boolean().merging(["default": false]),
                                                 "Also log every face as a sighting (see `GET /api/logs`)."),
                                 Parameter.query("session_id", Schema.string().merging([
                                     "default": .string(RecognitionController.defaultLogSessionID), "pattern": "^[A-Za-z0-9_-]{1,64}$",
                                 ]), "The session logged sightings belong to (with `log=true`).")],
                    body: imageBody,
                    responses: [("200", Responses.json("Every face found (possibly none).", Schema.ref("RecognitionResult")))] + imageErrors),
            ]),
            ("/api/verify", [
                "post": Operation.make(
                    "verify", tag: "Recognition", summary: "Is this the same person",
                    description: """
                        Compares the face in `image` with a user's enrolled faces (the nearest counts) or with the face in a \
                        second image. Each image must show exactly one face (422 `no_face` / `multiple_faces`). A user \
                        without faces is 422 `no_enrolled_faces`, a deactivated one 422 `user_inactive`.
                        """,
                    access: recognize,
                    body: ["required": true, "content": [
                        "multipart/form-data": ["schema": Schema.ref("VerifyMultipart")],
                        "application/json": ["schema": Schema.ref("VerifyJSON")],
                    ]],
                    responses: [("200", Responses.json("The comparison.", Schema.ref("VerifyResult"))),
                                ("404", Responses.error("NotFound"))] + imageErrors),
            ]),
            ("/api/detect", [
                "post": Operation.make(
                    "detect", tag: "Recognition", summary: "Where are the faces",
                    description: "Faces with landmarks and quality, without identities. By default faces aren't embedded (faster) and `quality.sharpness` is null; `sharpness=true` measures it too, giving the quality enrolment would measure.",
                    access: recognize,
                    parameters: [Parameter.query("sharpness", Schema.boolean().merging(["default": false]),
                                                 "Also measure sharpness (costs one embedding pass per face).")],
                    body: imageBody,
                    responses: [("200", Responses.json("Every face found (possibly none).", Schema.ref("DetectionResult")))] + imageErrors),
            ]),
        ]
    }

    static var logPaths: [(String, JSONValue)] {
        let admin = Access.key(.admin)
        let filters: [JSONValue] = [
            Parameter.query("user_id", Schema.integer(minimum: 1), "Only this person's sightings."),
            Parameter.query("session_id", filterText, "Only this stream session's sightings."),
            Parameter.query("is_unknown", Schema.boolean(), "Only unknown (`true`) or known (`false`) faces."),
            Parameter.query("unknown_id", Schema.integer(minimum: 1), "Only the sightings of this unknown visitor (`/api/unknowns/{id}`)."),
            Parameter.query("from", Schema.dateTime(), "Seen at or after (ISO 8601, e.g. 2024-05-01T12:00:00Z)."),
            Parameter.query("to", Schema.dateTime(), "Seen before (ISO 8601)."),
        ]
        return [
            ("/api/logs", [
                "get": Operation.make(
                    "listLogs", tag: "Sightings", summary: "Sightings, newest first",
                    description: "Rows older than LOG_RETENTION_DAYS (when set) are purged hourly.", access: admin,
                    parameters: [Parameter.page, Parameter.perPage] + filters,
                    responses: [("200", Responses.json("One page of sightings.", Schema.ref("RecognitionLogPage"))),
                                ("422", Responses.error("ValidationFailed"))]),
            ]),
            ("/api/logs/{id}", [
                "parameters": [Parameter.path("id", "The sighting's id.")],
                "get": Operation.make("getLog", tag: "Sightings", summary: "One sighting", access: admin,
                                      responses: [("200", Responses.json("The sighting.", Schema.ref("RecognitionLog"))),
                                                  ("404", Responses.error("NotFound"))]),
            ]),
            ("/api/logs/{id}/face", [
                "parameters": [Parameter.path("id", "The sighting's id.")],
                "get": Operation.make(
                    "getLogFace", tag: "Sightings", summary: "The face a sighting saw, as a JPEG",
                    description: """
                        The face that decided the sighting (its track's best-quality look), SIGHTING_THUMBNAIL_SIZE pixels square. \
                        404 when the sighting doesn't exist or has no thumbnail (SIGHTING_THUMBNAILS=false, rows from before \
                        faces were kept, or its person was deleted since). Sent with `Cache-Control: private, no-store`.
                        """,
                    access: admin,
                    responses: [("200", ["description": "The JPEG.", "content": ["image/jpeg": ["schema": Schema.binaryFile("JPEG bytes.")]]]),
                                ("404", Responses.error("NotFound"))]),
            ]),
            ("/api/logs/search", [
                "post": Operation.make(
                    "searchLogs", tag: "Sightings", summary: "Sightings of the face in this photo",
                    description: """
                        Who was that: the sightings whose face is within `max_distance` of the one face in the photo \
                        (exactly one, else 422 `no_face` / `multiple_faces`), nearest first, whether the face was known or \
                        unknown when seen. The filters narrow it as in `GET /api/logs`; they (and `limit`, `max_distance`) \
                        may also be sent as JSON fields or multipart text fields, which win over the query string. Only \
                        sightings that still have their face are found (not those of people deleted since, nor rows older \
                        than LOG_RETENTION_DAYS).
                        """,
                    access: admin,
                    parameters: filters + [
                        Parameter.query("limit", Schema.integer(minimum: 1, maximum: SightingSearch.maxLimit)
                            .merging(["default": .integer(SightingSearch.defaultLimit)]), "At most this many sightings."),
                        Parameter.query("max_distance", Schema.number(minimum: 0, maximum: 2).merging(["exclusiveMinimum": true]),
                                        "Largest distance between the faces; default FACE_MATCH_THRESHOLD."),
                    ],
                    body: ["required": true, "content": [
                        "multipart/form-data": ["schema": Schema.ref("SightingSearchMultipart")],
                        "application/json": ["schema": Schema.ref("SightingSearchJSON")],
                    ]],
                    responses: [("200", Responses.json("The matching sightings (possibly none).", Schema.ref("SightingSearchResult"))),
                                ("400", Responses.error("BadRequest")), ("413", Responses.error("PayloadTooLarge")), ("415", Responses.error("UnsupportedMediaType")),
                                ("422", Responses.error("ImageRejected"))]),
            ]),
        ]
    }
}
