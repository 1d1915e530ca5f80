/// `/api/v1`: CompreFace's contract, described for its clients. Schemas are prefixed `CompreFace`.
extension OpenAPI {
    static var compreFacePaths: [(String, JSONValue)] {
        let recognize = Access.compreFace(.recognize), admin = Access.compreFace(.admin)
        let tag = "CompreFace"
        func image(_ fields: [String]) -> JSONValue {
            ["required": true, "content": [
                "multipart/form-data": ["schema": Schema.object(fields.map { ($0, Schema.binaryFile("A JPEG or PNG photo.")) }, required: fields)],
                "application/json": ["schema": Schema.object(fields.map { ($0, base64Image("The photo, base64.")) }, required: fields)],
            ]]
        }
        let faceParameters = [
            Parameter.query("limit", Schema.integer(minimum: 0).merging(["default": 0]), "At most this many faces, the largest first; 0 = all."),
            Parameter.query("det_prob_threshold", Schema.unit(""), "Faces whose detection probability is lower are left out."),
            Parameter.query("face_plugins", Schema.string(), "Comma-separated: `calculator` (the 128-number embedding), `landmarks` (5 points). Others (age, gender, mask, pose) are not available and are ignored."),
            Parameter.query("status", Schema.boolean().merging(["default": false]), "Add `execution_time` per face and `plugins_versions`. `True`/`False` accepted."),
            Parameter.query("detect_faces", Schema.boolean().merging(["default": true]), "false: the whole image is one face (for face crops)."),
        ]
        let predictionCount = Parameter.query("prediction_count", Schema.integer(minimum: 1, maximum: CompreFaceOptions.maxPredictionCount)
            .merging(["default": 1]), "Subjects per face, closest first.")
        let subjectQuery = { (text: String) in Parameter.query("subject", filterText, text) }
        let imageID: JSONValue = ["name": "image_id", "in": "path", "required": true, "description": "The face's id.", "schema": Schema.string()]
        let subject: JSONValue = ["name": "subject", "in": "path", "required": true, "description": "The subject.", "schema": Schema.string()]
        let subjectBody: JSONValue = ["required": true, "content": ["application/json": ["schema": Schema.ref("CompreFaceSubjectName")]]]
        return [
            ("/api/v1/recognition/recognize", ["post": Operation.make(
                "compreFaceRecognize", tag: tag, summary: "Recognize faces (CompreFace)",
                description: "Every face with its closest subjects, whatever their similarity (clients apply their own thresholds). No face: 400 code 28.",
                access: recognize, parameters: faceParameters + [predictionCount], body: image(["file"]),
                responses: [("200", Responses.json("The faces.", Schema.ref("CompreFaceResult")))])]),
            ("/api/v1/recognition/faces", [
                "post": Operation.make(
                    "compreFaceAddFace", tag: tag, summary: "Add a face to a subject (CompreFace)",
                    description: "The photo must show one face of enrolment quality (MIN_ENROLL_QUALITY). A new subject creates the person.",
                    access: admin, parameters: [Parameter.query("subject", userName, "The subject.").merging(["required": true]), faceParameters[1]],
                    body: image(["file"]), responses: [("201", Responses.json("The stored face.", Schema.ref("CompreFaceImage")))]),
                "get": Operation.make(
                    "compreFaceListFaces", tag: tag, summary: "List faces (CompreFace)", access: admin,
                    parameters: [Parameter.query("page", Schema.integer(minimum: 0, maximum: 1_000_000).merging(["default": 0]), "0-based page."),
                                 Parameter.query("size", Schema.integer(minimum: 1, maximum: CompreFaceFacesController.maxPageSize).merging(["default": 20]), "Faces per page."),
                                 subjectQuery("Only this subject's faces.")],
                    responses: [("200", Responses.json("One page of faces.", Schema.ref("CompreFaceFacePage")))]),
                "delete": Operation.make(
                    "compreFaceDeleteFaces", tag: tag, summary: "Delete a subject's faces, or all faces (CompreFace)", access: admin,
                    parameters: [subjectQuery("Only this subject's faces (the person stays); without it every face.")],
                    responses: [("200", Responses.json("How many were deleted.", Schema.ref("CompreFaceDeleted")))]),
            ]),
            ("/api/v1/recognition/faces/{image_id}", ["parameters": [imageID], "delete": Operation.make(
                "compreFaceDeleteFace", tag: tag, summary: "Delete a face (CompreFace)", access: admin,
                responses: [("200", Responses.json("The deleted face.", Schema.ref("CompreFaceImage")))])]),
            ("/api/v1/recognition/faces/delete", ["post": Operation.make(
                "compreFaceDeleteFaceList", tag: tag, summary: "Delete faces by id (CompreFace)", access: admin,
                body: ["required": true, "content": ["application/json": ["schema": Schema.array(Schema.string())]]],
                responses: [("200", Responses.json("The faces deleted (unknown ids skipped).", Schema.array(Schema.ref("CompreFaceImage"))))])]),
            ("/api/v1/recognition/faces/{image_id}/verify", ["parameters": [imageID], "post": Operation.make(
                "compreFaceVerifyFace", tag: tag, summary: "Compare a photo's faces with a stored face (CompreFace)", access: recognize,
                parameters: faceParameters, body: image(["file"]),
                responses: [("200", Responses.json("Each face with `subject` and `similarity`.", Schema.ref("CompreFaceResult")))])]),
            ("/api/v1/recognition/subjects", [
                "get": Operation.make("compreFaceListSubjects", tag: tag, summary: "List subjects (CompreFace)", access: admin,
                                      responses: [("200", Responses.json("Every subject.", Schema.ref("CompreFaceSubjectList")))]),
                "post": Operation.make("compreFaceAddSubject", tag: tag, summary: "Add a subject (CompreFace)", access: admin, body: subjectBody,
                                       responses: [("201", Responses.json("The new subject.", Schema.ref("CompreFaceSubject")))]),
                "delete": Operation.make("compreFaceDeleteSubjects", tag: tag, summary: "Delete every subject (CompreFace)",
                                         description: "Deletes every person and their faces; sightings stay, detached.", access: admin,
                                         responses: [("200", Responses.json("How many were deleted.", Schema.ref("CompreFaceDeleted")))]),
            ]),
            ("/api/v1/recognition/subjects/{subject}", [
                "parameters": [subject],
                "put": Operation.make("compreFaceRenameSubject", tag: tag, summary: "Rename a subject (CompreFace)",
                                      description: "Onto an existing subject: the two people merge (faces and sightings move).", access: admin,
                                      body: subjectBody, responses: [("200", Responses.json("Done.", Schema.ref("CompreFaceUpdated")))]),
                "delete": Operation.make("compreFaceDeleteSubject", tag: tag, summary: "Delete a subject (CompreFace)", access: admin,
                                         responses: [("200", Responses.json("The deleted subject.", Schema.ref("CompreFaceSubject")))]),
            ]),
            ("/api/v1/detection/detect", ["post": Operation.make(
                "compreFaceDetect", tag: tag, summary: "Detect faces (CompreFace)", access: recognize, parameters: faceParameters,
                body: image(["file"]), responses: [("200", Responses.json("The faces.", Schema.ref("CompreFaceResult")))])]),
            ("/api/v1/verification/verify", ["post": Operation.make(
                "compreFaceVerify", tag: tag, summary: "Compare two photos (CompreFace)",
                description: "The largest face of `source_image` against every face of `target_image`, most similar first.",
                access: recognize, parameters: faceParameters, body: image(["source_image", "target_image"]),
                responses: [("200", Responses.json("The comparison.", Schema.ref("CompreFaceVerification")))])]),
        ]
    }

    static var compreFaceSchemas: [(String, JSONValue)] {
        let image: [(String, JSONValue)] = [("image_id", Schema.string()), ("subject", Schema.string())]
        return [
            ("CompreFaceError", Schema.record([("message", Schema.string()), ("code", Schema.integer())])),
            ("CompreFaceBox", Schema.record([("probability", Schema.unit("Detection probability.")), ("x_min", Schema.integer()),
                                             ("y_min", Schema.integer()), ("x_max", Schema.integer()), ("y_max", Schema.integer())])),
            ("CompreFaceFace", Schema.object([
                ("box", Schema.ref("CompreFaceBox")),
                ("subjects", Schema.array(Schema.object([("subject", Schema.string()), ("similarity", Schema.unit(""))], required: ["subject", "similarity"]),
                                          "Recognition: the closest subjects.")),
                ("subject", Schema.string("Verifying against a stored face: its subject.")),
                ("similarity", Schema.unit("1 / (1 + exp((distance − FACE_MATCH_THRESHOLD) / 0.05)).")),
                ("landmarks", Schema.array(Schema.array(Schema.integer(), minItems: 2, maxItems: 2), "Plugin `landmarks`.")),
                ("embedding", Schema.array(Schema.number(), "Plugin `calculator`.", minItems: 128, maxItems: 128)),
                ("execution_time", ["type": "object", "additionalProperties": Schema.number(), "description": "`status=true`: milliseconds."]),
            ], required: ["box"])),
            ("CompreFaceResult", Schema.object([("result", Schema.array(Schema.ref("CompreFaceFace"))),
                                                ("plugins_versions", ["type": "object", "additionalProperties": Schema.string()])], required: ["result"])),
            ("CompreFaceVerification", Schema.record([("result", Schema.array(Schema.object([
                ("source_image_face", Schema.ref("CompreFaceFace")), ("face_matches", Schema.array(Schema.ref("CompreFaceFace"))),
                ("plugins_versions", ["type": "object", "additionalProperties": Schema.string()]),
            ], required: ["source_image_face", "face_matches"])))])),
            ("CompreFaceImage", Schema.record(image)),
            ("CompreFaceFacePage", Schema.record([("faces", Schema.array(Schema.ref("CompreFaceImage"))), ("page_number", Schema.integer()),
                                                  ("page_size", Schema.integer()), ("total_pages", Schema.integer()), ("total_elements", Schema.integer())])),
            ("CompreFaceDeleted", Schema.record([("deleted", Schema.integer(minimum: 0))])),
            ("CompreFaceSubject", Schema.record([("subject", Schema.string())])),
            ("CompreFaceSubjectName", Schema.object([("subject", userName)], required: ["subject"])),
            ("CompreFaceSubjectList", Schema.record([("subjects", Schema.array(Schema.string()))])),
            ("CompreFaceUpdated", Schema.record([("updated", Schema.boolean())])),
        ]
    }
}
