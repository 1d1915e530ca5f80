extension OpenAPI {
    static let userID = Parameter.path("id", "The user's id.")

    static var peoplePaths: [(String, JSONValue)] {
        let admin = Access.key(.admin)
        let user = Responses.json("The user.", Schema.ref("User"))
        return [
            ("/api/users", [
                "post": Operation.make(
                    "createUser", tag: "People", summary: "Add a person",
                    description: "Enrol their faces afterwards with `POST /api/users/{id}/faces`.", access: admin,
                    body: jsonBody(Schema.ref("UserCreate")),
                    responses: [("201", user.merging(["headers": ["Location": ["description": "/api/users/{id}", "schema": Schema.string()]]])),
                                ("409", Responses.error("Conflict")), ("415", Responses.error("UnsupportedMediaType")),
                                ("422", Responses.error("ValidationFailed"))]),
                "get": Operation.make(
                    "listUsers", tag: "People", summary: "List people", description: "Ordered by id.", access: admin,
                    parameters: [Parameter.page, Parameter.perPage,
                                 Parameter.query("q", filterText, "Case-insensitive substring of name, email or employee_id."),
                                 Parameter.query("is_active", Schema.boolean(), "Only active (`true`) or inactive (`false`) people.")],
                    responses: [("200", Responses.json("One page of people.", Schema.ref("UserPage"))),
                                ("422", Responses.error("ValidationFailed"))]),
            ]),
            ("/api/users/{id}", [
                "parameters": [userID],
                "get": Operation.make("getUser", tag: "People", summary: "One person", access: admin,
                                      responses: [("200", user), ("404", Responses.error("NotFound"))]),
                "patch": Operation.make(
                    "updateUser", tag: "People", summary: "Change a person",
                    description: "Deactivating removes the person from recognition immediately; reactivating restores their enrolled faces; renaming changes the name recognition answers with.",
                    access: admin, body: jsonBody(Schema.ref("UserUpdate")),
                    responses: [("200", user), ("404", Responses.error("NotFound")), ("409", Responses.error("Conflict")),
                                ("415", Responses.error("UnsupportedMediaType")), ("422", Responses.error("ValidationFailed"))]),
                "delete": Operation.make(
                    "deleteUser", tag: "People", summary: "Delete a person and their biometric data",
                    description: "In one transaction: deletes every face embedding of the person, detaches their sightings (`user_id` becomes null; the rows stay, without the face's embedding, thumbnail and quality) and deletes the person. They are no longer recognised, and their sightings no longer found by photo, from the moment of the response.",
                    access: admin, responses: [("204", Responses.empty("Deleted.")), ("404", Responses.error("NotFound"))]),
            ]),
            ("/api/users/{id}/merge", [
                "parameters": [userID],
                "post": Operation.make(
                    "mergeUsers", tag: "People", summary: "Merge another person into this one",
                    description: """
                        In one transaction: every enrolled face and every sighting of `from_user_id` becomes this person's, and \
                        `from_user_id` is deleted. Recognition answers with this person for those faces from the moment of the \
                        response (if this person is active). 404 when either person doesn't exist; 422 `validation_failed` \
                        for a person merged into themselves.
                        """,
                    access: admin, body: jsonBody(Schema.ref("UserMerge")),
                    responses: [("200", Responses.json("The person merged into, with their faces counted anew.", Schema.ref("User"))),
                                ("404", Responses.error("NotFound")), ("415", Responses.error("UnsupportedMediaType")),
                                ("422", Responses.error("ValidationFailed"))]),
            ]),
            ("/api/users/{id}/faces", [
                "parameters": [userID],
                "post": Operation.make(
                    "enrollFaces", tag: "Faces", summary: "Enrol photos of a person",
                    description: """
                        Up to \(EnrollmentService.maxImagesPerRequest) images per request, each at most MAX_UPLOAD_BYTES \
                        (the whole request at most about 4/3 of that plus 64 KiB). Each image must decode, show exactly one face \
                        and reach MIN_ENROLL_QUALITY; every image that doesn't is listed in `rejected` with a code \
                        (`no_face`, `multiple_faces`, `low_quality`, `undecodable`, `too_large`) and the others are still stored. \
                        201 when at least one face was stored, 422 (same body) when none was. Faces of an active person \
                        are recognised from the moment of the response.
                        """,
                    access: admin,
                    body: ["required": true, "content": [
                        "multipart/form-data": ["schema": Schema.ref("EnrollMultipart")],
                        "application/json": ["schema": Schema.ref("EnrollJSON")],
                    ]],
                    responses: [("201", Responses.json("At least one face was stored.", Schema.ref("EnrollmentResult"))),
                                ("422", ["description": "No face was stored (body: EnrollmentResult), or the request itself is invalid (body: Error).",
                                         "content": ["application/json": ["schema": ["oneOf": [Schema.ref("EnrollmentResult"), Schema.ref("Error")]]]]]),
                                ("400", Responses.error("BadRequest")), ("404", Responses.error("NotFound")),
                                ("413", Responses.error("PayloadTooLarge")), ("415", Responses.error("UnsupportedMediaType"))]),
                "get": Operation.make("listFaces", tag: "Faces", summary: "A person's enrolled faces", description: "Ordered by id.",
                                      access: admin,
                                      responses: [("200", Responses.json("The faces.", Schema.ref("FaceList"))),
                                                  ("404", Responses.error("NotFound"))]),
            ]),
            ("/api/users/{id}/faces/{face_id}", [
                "parameters": [userID, Parameter.path("face_id", "The face's id.")],
                "delete": Operation.make("deleteFace", tag: "Faces", summary: "Delete one enrolled face",
                                         description: "Also removed from recognition at once.", access: admin,
                                         responses: [("204", Responses.empty("Deleted.")), ("404", Responses.error("NotFound"))]),
            ]),
        ]
    }

    static func jsonBody(_ schema: JSONValue) -> JSONValue {
        ["required": true, "content": ["application/json": ["schema": schema]]]
    }
}
