extension OpenAPI {
    static var recognitionPaths: [(String, JSONValue)] {
        let recognize = Access.key(.recognize)
        let imageBody: JSONValue = ["required": true, "content": [
            "multipart/form-data": ["schema": Schema.ref("ImageMultipart")],
            "application/json": ["schema": Schema.ref("ImageJSON")],
        ]]
        // What any image endpoint can answer besides its result.
        let imageErrors: [(String, JSONValue)] = [
            ("413", Responses.error("PayloadTooLarge")), ("415", Responses.error("UnsupportedMediaType")),
            ("422", Responses.error("ImageRejected")),
        ]
        return [
            ("/api/recognize", [
                "post": Operation.make(
                    "recognize", tag: "Recognition", summary: "Who is in this photo",
                    description: """
                        Finds every face and identifies it against the enrolled, active people. A face is known only when \
                        the nearest person's distance ≤ FACE_MATCH_THRESHOLD and their confidence ≥ FACE_CONFIDENCE_THRESHOLD; \
                        otherwise `is_unknown` is true and `user_id`/`user_name` are null. Nothing is logged.
                        """,
                    access: recognize,
                    parameters: [Parameter.query("top_k", Schema.integer(minimum: 1, maximum: RecognitionController.maxTopK)
                        .merging(["default": .integer(RecognitionController.defaultTopK)]), "Candidates per face.")],
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
        return [
            ("/api/logs", [
                "get": Operation.make(
                    "listLogs", tag: "Sightings", summary: "Sightings, newest first",
                    description: "Rows older than LOG_RETENTION_DAYS (when set) are purged hourly.", access: admin,
                    parameters: [
                        Parameter.page, Parameter.perPage,
                        Parameter.query("user_id", Schema.integer(minimum: 1), "Only this person's sightings."),
                        Parameter.query("session_id", Schema.string(), "Only this stream session's sightings."),
                        Parameter.query("is_unknown", Schema.boolean(), "Only unknown (`true`) or known (`false`) faces."),
                        Parameter.query("from", Schema.dateTime(), "Seen at or after (ISO 8601, e.g. 2024-05-01T12:00:00Z)."),
                        Parameter.query("to", Schema.dateTime(), "Seen before (ISO 8601)."),
                    ],
                    responses: [("200", Responses.json("One page of sightings.", Schema.ref("RecognitionLogPage"))),
                                ("422", Responses.error("ValidationFailed"))]),
            ]),
            ("/api/logs/{id}", [
                "parameters": [Parameter.path("id", "The sighting's id.")],
                "get": Operation.make("getLog", tag: "Sightings", summary: "One sighting", access: admin,
                                      responses: [("200", Responses.json("The sighting.", Schema.ref("RecognitionLog"))),
                                                  ("404", Responses.error("NotFound"))]),
            ]),
        ]
    }
}
