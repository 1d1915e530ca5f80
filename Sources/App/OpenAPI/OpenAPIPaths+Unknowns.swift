extension OpenAPI {
    static let unknownID = Parameter.path("id", "The unknown visitor's (cluster's) id.")

    static var unknownPaths: [(String, JSONValue)] {
        let admin = Access.key(.admin)
        return [
            ("/api/unknowns", [
                "get": Operation.make(
                    "listUnknownVisitors", tag: "Unknown visitors", summary: "Unknown visitors: people seen but not enrolled",
                    description: """
                        Clusters of unknown stream sightings (and photos recognised with `log=true`) that look like the same \
                        person, most recently seen first. A new unknown face joins the cluster of its nearest member within \
                        0.45, or starts one; every UNKNOWN_RECLUSTER_MINUTES a pass merges and splits clusters by average \
                        linkage at 0.55 (a merge keeps the larger, then older, cluster's id).
                        """,
                    access: admin,
                    parameters: [Parameter.page, Parameter.perPage,
                                 Parameter.query("min_size", Schema.integer(minimum: 1, maximum: UnknownsController.maxMinSize),
                                                 "Only clusters with at least this many sightings (default UNKNOWN_MIN_CLUSTER_SIZE, 2).")],
                    responses: [("200", Responses.json("One page of unknown visitors.", Schema.ref("UnknownVisitorPage"))),
                                ("422", Responses.error("ValidationFailed"))]),
            ]),
            ("/api/unknowns/{id}", [
                "parameters": [unknownID],
                "get": Operation.make("getUnknownVisitor", tag: "Unknown visitors", summary: "One unknown visitor", access: admin,
                                      responses: [("200", Responses.json("The cluster.", Schema.ref("UnknownVisitor"))),
                                                  ("404", Responses.error("NotFound"))]),
                "delete": Operation.make(
                    "forgetUnknownVisitor", tag: "Unknown visitors", summary: "Forget an unknown visitor",
                    description: "Every sighting of the cluster loses its face (embedding, thumbnail and quality); the rows keep time, place and session. The cluster is deleted.",
                    access: admin, responses: [("204", Responses.empty("Forgotten.")), ("404", Responses.error("NotFound"))]),
            ]),
            ("/api/unknowns/{id}/assign", [
                "parameters": [unknownID],
                "post": Operation.make(
                    "assignUnknownVisitor", tag: "Unknown visitors", summary: "Name an unknown visitor",
                    description: """
                        `{"user_id": 7}` for an existing person or `{"name": "Ada"}` to create one. In one transaction: the \
                        cluster's best faces (highest quality first, at most UNKNOWN_ASSIGN_MAX_FACES, each reaching \
                        MIN_ENROLL_QUALITY) are enrolled, every sighting of the cluster gets the person's `user_id` and \
                        `is_unknown=false`, and the cluster is deleted. The person is recognised from the moment of the \
                        response (if active). 422 `low_quality` when no face of the cluster reaches MIN_ENROLL_QUALITY \
                        (nothing changes, no person is created).
                        """,
                    access: admin, body: jsonBody(Schema.ref("UnknownVisitorAssign")),
                    responses: [("200", Responses.json("What was done.", Schema.ref("UnknownVisitorAssignment"))),
                                ("404", Responses.error("NotFound")), ("415", Responses.error("UnsupportedMediaType")),
                                ("422", Responses.error("Neither or both of user_id and name, a bad name, or no face good enough.",
                                                        codes: [.validationFailed, .lowQuality]))]),
            ]),
        ]
    }

    static var unknownSchemas: [(String, JSONValue)] {
        [
            ("UnknownVisitor", Schema.record([
                ("id", Schema.integer("Stable: kept by merges (the larger, then older, cluster's) and across restarts.", minimum: 1)),
                ("size", Schema.integer("Sightings in the cluster.", minimum: 1)),
                ("first_seen", Schema.dateTime()),
                ("last_seen", Schema.dateTime()),
                ("sample_faces", Schema.array(Schema.string("`/api/logs/{id}/face`"), "Thumbnails of the best-quality sightings, best first (at most \(UnknownClusterQueries.sampleCount)).")),
                ("sessions", Schema.array(Schema.string(), "Stream sessions the visitor was seen in, in order of first appearance.")),
            ])),
            ("UnknownVisitorPage", Schema.record([
                ("items", Schema.array(Schema.ref("UnknownVisitor"))),
                ("page", Schema.integer(minimum: 1)),
                ("per_page", Schema.integer(minimum: 1, maximum: 100)),
                ("total", Schema.integer("Clusters of at least `min_size`, over all pages.", minimum: 0)),
            ])),
            ("UnknownVisitorAssign", Schema.object([
                ("user_id", Schema.integer("An existing person.", minimum: 1)),
                ("name", userName.described("A new person's name: 1–\(UserFieldRules.maxNameLength) characters after trimming white space.")),
            ], "Exactly one of `user_id` and `name`.").merging(["oneOf": [["required": ["user_id"]], ["required": ["name"]]]])),
            ("UnknownVisitorAssignment", Schema.record([
                ("user", Schema.ref("User")),
                ("enrolled_face_ids", Schema.array(Schema.integer(minimum: 1), "The face embeddings created from the cluster.")),
                ("sightings_updated", Schema.integer("Sightings that now carry the person's id.", minimum: 0)),
            ])),
        ]
    }
}
