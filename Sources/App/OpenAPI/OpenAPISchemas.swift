extension OpenAPI {
    /// `components.schemas`: the REST bodies. WebSocket messages are in `OpenAPIStreamSchemas.swift`.
    static var schemas: [(String, JSONValue)] {
        [
            ("Error", Schema.record([
                ("error", Schema.record([
                    ("code", Schema.string("Stable, machine-readable: one of the codes listed, or `http_<status>` for an HTTP error of the framework's that has none of its own.")
                        .merging(["anyOf": [["enum": .array(ErrorCode.used(in: .rest).map { .string($0.rawValue) })],
                                            ["pattern": "^http_[0-9]{3}$"]]])),
                    ("message", Schema.string("For people; may change between versions.")),
                ])),
            ], "The body of every error response.")),
            ("Health", Schema.record([
                ("status", Schema.string("`ok`, or `degraded` when the database doesn't answer.")),
                ("database", Schema.string("`ok` or `unavailable`.")),
                ("version", Schema.string()),
                ("uptime_seconds", Schema.integer(minimum: 0)),
            ])),
        ] + peopleSchemas + recognitionSchemas + logSchemas + streamSchemas
    }

    static var peopleSchemas: [(String, JSONValue)] {
        [
            ("User", Schema.record([
                ("id", Schema.integer(minimum: 1)),
                ("name", Schema.string()),
                ("email", Schema.nullable(Schema.string("`local@domain.tld`, lowercase; unique."))),
                ("employee_id", Schema.nullable(Schema.string("Unique."))),
                ("is_active", Schema.boolean("Inactive people are never recognised (their faces stay stored).")),
                ("face_count", Schema.integer("Enrolled face embeddings.", minimum: 0)),
                ("created_at", Schema.dateTime()),
                ("updated_at", Schema.dateTime()),
            ])),
            ("UserCreate", Schema.object([
                ("name", userName),
                ("email", Schema.nullable(userEmail("Stored lowercase; must be unique (409 otherwise)."))),
                ("employee_id", Schema.nullable(employeeID("Must be unique (409 otherwise)."))),
            ], required: ["name"])),
            ("UserUpdate", Schema.object([
                ("name", userName),
                ("email", Schema.nullable(userEmail("`null` or blank clears it."))),
                ("employee_id", Schema.nullable(employeeID("`null` or blank clears it."))),
                ("is_active", Schema.boolean("`false` removes the person from recognition at once; `true` brings their faces back.")),
            ], required: [], "Only the fields present change.")),
            ("UserPage", page(of: "User")),
            ("UserMerge", Schema.object([
                ("from_user_id", Schema.integer("The person merged in (and then deleted).", minimum: 1)),
            ], required: ["from_user_id"])),
            ("Face", Schema.record([
                ("id", Schema.integer(minimum: 1)),
                ("user_id", Schema.integer(minimum: 1)),
                ("capture_angle", Schema.nullable(Schema.string())),
                ("quality_score", Schema.unit("Quality of the face when it was enrolled.")),
                ("created_at", Schema.dateTime()),
            ], "An enrolled face. The 128-number descriptor itself never leaves the server.")),
            ("FaceList", Schema.record([("items", Schema.array(Schema.ref("Face")))])),
            ("EnrollJSON", Schema.object([
                ("images", Schema.array(base64Image("Base64 (standard or URL-safe) or a data URL such as `data:image/jpeg;base64,…`."),
                                        minItems: 1, maxItems: EnrollmentService.maxImagesPerRequest)),
                ("capture_angle", Schema.string("Free text such as `front`, `left`; at most \(EnrollmentService.maxCaptureAngleLength) characters after trimming, no control characters.")
                    .merging(["maxLength": .integer(EnrollmentService.maxCaptureAngleLength), "pattern": .string(TextControlCharacters.absentPattern)])),
            ], required: ["images"])),
            ("EnrollMultipart", Schema.object([
                ("file", Schema.array(Schema.binaryFile("A JPEG or PNG photo."), "One or more parts named `file`.",
                                      minItems: 1, maxItems: EnrollmentService.maxImagesPerRequest)),
                ("capture_angle", Schema.string("Free text such as `front`, `left`; at most \(EnrollmentService.maxCaptureAngleLength) characters after trimming, no control characters.")
                    .merging(["maxLength": .integer(EnrollmentService.maxCaptureAngleLength), "pattern": .string(TextControlCharacters.absentPattern)])),
            ], required: ["file"])),
            ("EnrollmentResult", Schema.record([
                ("created", Schema.array(Schema.ref("EnrolledFace"))),
                ("rejected", Schema.array(Schema.ref("EnrollmentRejection"))),
            ])),
            ("EnrolledFace", Schema.record([
                ("id", Schema.integer(minimum: 1)),
                ("index", Schema.integer("Position of the image in the request (0-based).", minimum: 0)),
                ("quality_score", Schema.unit("")),
                ("capture_angle", Schema.nullable(Schema.string())),
                ("bbox", Schema.bbox),
                ("created_at", Schema.dateTime()),
            ])),
            ("EnrollmentRejection", Schema.record([
                ("index", Schema.integer("Position of the image in the request (0-based).", minimum: 0)),
                ("filename", Schema.nullable(Schema.string("The multipart file name; null for JSON."))),
                ("code", Schema.errorCode(ErrorCode.used(in: .enrollment),
                                          codeList(ErrorCode.used(in: .enrollment)) + ".")),
                ("message", Schema.string()),
            ])),
        ]
    }

    static var recognitionSchemas: [(String, JSONValue)] {
        [
            ("ImageJSON", Schema.object([
                ("image", base64Image("Base64 (standard or URL-safe) or a data URL.")),
            ], required: ["image"])),
            ("ImageMultipart", Schema.object([("file", Schema.binaryFile("A JPEG or PNG photo."))], required: ["file"])),
            ("ImageSize", Schema.record([("width", Schema.integer(minimum: 1)), ("height", Schema.integer(minimum: 1))],
                                        "The decoded image (after EXIF orientation): the space of every bbox and landmark.")),
            ("RecognitionResult", Schema.record([
                ("image", Schema.ref("ImageSize")),
                ("faces", Schema.array(Schema.ref("RecognizedFace"))),
            ])),
            ("RecognizedFace", Schema.record([
                ("bbox", Schema.bbox),
                ("user_id", Schema.nullable(Schema.integer("null when unknown.", minimum: 1))),
                ("user_name", Schema.nullable(Schema.string("null when unknown."))),
                ("confidence", Schema.unit("Known: confidence in the match, `1 / (1 + exp((distance − 0.66) / 0.034))`. Unknown: confidence that the face is nobody enrolled (1 − the nearest person's confidence).")),
                ("distance", Schema.nullable(Schema.number("Euclidean distance to the nearest enrolled person; null when nobody is enrolled.", minimum: 0))),
                ("is_unknown", Schema.boolean("True unless distance ≤ FACE_MATCH_THRESHOLD and confidence ≥ FACE_CONFIDENCE_THRESHOLD.")),
                ("quality", Schema.unit("The face's quality score (the parts are in /api/detect).")),
                ("candidates", Schema.array(Schema.ref("Candidate"), "The nearest people (each by their closest embedding), nearest first; `top_k` of them.")),
            ])),
            ("Candidate", Schema.record([
                ("user_id", Schema.integer(minimum: 1)),
                ("user_name", Schema.nullable(Schema.string())),
                ("distance", Schema.number(minimum: 0)),
                ("confidence", Schema.unit("The same monotone function of distance as above.")),
            ])),
            ("VerifyJSON", Schema.object([
                ("image", base64Image("Base64 or a data URL.")),
                ("user_id", Schema.integer("Compare with this user's enrolled faces (the nearest counts).", minimum: 1)),
                ("image2", base64Image("Or compare with a second image (base64 or a data URL).")),
            ], required: ["image"], "`image` plus exactly one of `user_id` and `image2`.").merging(exactlyOne("image", of: "user_id", "image2"))),
            ("VerifyMultipart", Schema.object([
                ("file", Schema.binaryFile("The photo to check.")),
                ("user_id", Schema.integer(minimum: 1)),
                ("file2", Schema.binaryFile("A second photo, instead of `user_id`.")),
            ], required: ["file"], "`file` plus exactly one of `user_id` and `file2`.").merging(exactlyOne("file", of: "user_id", "file2"))),
            ("VerifyResult", Schema.record([
                ("match", Schema.boolean("distance ≤ FACE_MATCH_THRESHOLD and confidence ≥ FACE_CONFIDENCE_THRESHOLD.")),
                ("distance", Schema.number(minimum: 0)),
                ("confidence", Schema.unit("`1 / (1 + exp((distance − 0.66) / 0.034))`.")),
            ])),
            ("DetectionResult", Schema.record([
                ("image", Schema.ref("ImageSize")),
                ("faces", Schema.array(Schema.ref("DetectedFace"))),
            ])),
            ("DetectedFace", Schema.record([
                ("bbox", Schema.bbox),
                ("landmarks", Schema.array(Schema.array(Schema.number(), minItems: 2, maxItems: 2),
                                           "dlib's 5 points as [x, y]: two corners of each eye, then the base of the nose.",
                                           minItems: 5, maxItems: 5)),
                ("score", Schema.number("Detector confidence (HOG margin).")),
                ("quality", Schema.ref("FaceQuality")),
            ])),
            ("FaceQuality", Schema.record([
                ("score", Schema.unit("Weighted mean of the parts: size 0.3, sharpness 0.25, pose 0.3, detection 0.15 (without sharpness, the rest renormalised).")),
                ("size", Schema.unit("0 at a face width of 40 px or less, 1 at 120 px or more.")),
                ("sharpness", Schema.nullable(Schema.unit("Laplacian variance of the aligned chip; null unless `sharpness=true`."))),
                ("pose", Schema.unit("1 for a frontal face, 0 for a near profile.")),
                ("detection", Schema.unit("Detector margin / 1.5, clipped.")),
            ])),
        ]
    }

    static var logSchemas: [(String, JSONValue)] {
        [
            ("RecognitionLog", Schema.record([
                ("id", Schema.integer(minimum: 1)),
                ("user_id", Schema.nullable(Schema.integer("null for unknown faces and for people deleted since.", minimum: 1))),
                ("user_name", Schema.nullable(Schema.string("The person's current name."))),
                ("track_id", Schema.string("The face's track in its stream session.")),
                ("confidence", Schema.unit("")),
                ("is_unknown", Schema.boolean()),
                ("frame_position", Schema.nullable(Schema.bbox)),
                ("session_id", Schema.string()),
                ("created_at", Schema.dateTime("When the face was seen.")),
                ("has_face", Schema.boolean("The embedding of the face that decided the sighting is stored: it can be found by photo (`POST /api/logs/search`). False for people deleted since.")),
                ("face_quality", Schema.nullable(Schema.unit("That face's quality score."))),
                ("face_url", Schema.nullable(Schema.string("`/api/logs/{id}/face`, the face's JPEG thumbnail; null without one."))),
                ("unknown_id", Schema.nullable(Schema.integer("The unknown visitor (`/api/unknowns/{id}`) this unknown sighting was placed in; null for known faces, before clustering, and once forgotten or named.", minimum: 1))),
            ], "One sighting of a face: in a WebSocket stream, or in a photo recognised with `log=true`.")),
            ("RecognitionLogPage", page(of: "RecognitionLog")),
            ("SightingSearchJSON", Schema.object([
                ("image", base64Image("Base64 (standard or URL-safe) or a data URL; exactly one face.")),
            ] + sightingSearchFilters, required: ["image"], "The photo, and optionally the filters (as in the query string).")),
            ("SightingSearchMultipart", Schema.object([
                ("file", Schema.binaryFile("A JPEG or PNG photo showing exactly one face.")),
            ] + sightingSearchFilters, required: ["file"])),
            ("SightingSearchResult", Schema.record([
                ("items", Schema.array(Schema.ref("SightingMatch"), "Nearest first.")),
                ("max_distance", Schema.number("The distance limit applied.", minimum: 0)),
                ("searched", Schema.integer("Sightings with a face this server searched through (before the filters).", minimum: 0)),
            ])),
            ("SightingMatch", Schema.record([
                ("sighting", Schema.ref("RecognitionLog")),
                ("distance", Schema.number("Euclidean distance between the photo's face and the sighting's.", minimum: 0)),
                ("confidence", Schema.unit("`1 / (1 + exp((distance − 0.66) / 0.034))`: how sure it is the same person.")),
            ])),
        ]
    }

    /// A text filter as `QueryParameters.string` takes it: anything but control characters.
    static var filterText: JSONValue {
        Schema.string().merging(["pattern": .string(TextControlCharacters.absentPattern)])
    }

    /// A person's name as `UserFieldRules.name` takes it.
    static var userName: JSONValue {
        Schema.string("1–\(UserFieldRules.maxNameLength) characters after trimming white space, no control characters.").merging([
            "minLength": 1, "maxLength": .integer(UserFieldRules.maxNameLength), "pattern": .string(TextWhiteSpace.notBlankPattern(excluding: TextControlCharacters.ranges)),
        ])
    }

    /// An e-mail address as `UserFieldRules.email` takes it (not `format: email`: the check is looser).
    static func userEmail(_ note: String) -> JSONValue {
        Schema.string("`local@domain.tld` (one `@`, no white space, a dot in the domain), at most \(UserFieldRules.maxEmailLength) characters after trimming white space; blank means none. \(note)")
            .merging(["maxLength": .integer(UserFieldRules.maxEmailLength), "pattern": .string(UserFieldRules.emailPattern)])
    }

    static func employeeID(_ note: String) -> JSONValue {
        Schema.string("At most \(UserFieldRules.maxEmployeeIDLength) characters after trimming white space, no control characters; blank means none. \(note)")
            .merging(["maxLength": .integer(UserFieldRules.maxEmployeeIDLength), "pattern": .string(TextControlCharacters.absentPattern)])
    }

    private static func page(of item: String) -> JSONValue {
        Schema.record([
            ("items", Schema.array(Schema.ref(item))),
            ("page", Schema.integer(minimum: 1)),
            ("per_page", Schema.integer(minimum: 1, maximum: PageParameters.maxPerPage)),
            ("total", Schema.integer("Rows matching the filters, over all pages.", minimum: 0)),
        ])
    }

    /// The filters `POST /api/logs/search` takes in its body, as JSON fields or multipart parts.
    static var sightingSearchFilters: [(String, JSONValue)] {
        [
            ("user_id", Schema.integer(minimum: 1)),
            ("session_id", filterText),
            ("is_unknown", Schema.boolean()),
            ("from", Schema.dateTime()),
            ("to", Schema.dateTime()),
            ("limit", Schema.integer(minimum: 1, maximum: SightingSearch.maxLimit)),
            ("max_distance", Schema.number(minimum: 0, maximum: 2).merging(["exclusiveMinimum": true])),
        ]
    }

    /// An image sent as base64 text: never empty.
    static func base64Image(_ description: String) -> JSONValue { Schema.string(description).merging(["minLength": 1]) }

    /// `first` and exactly one of `a` and `b` (the object's `required` lists `first`).
    static func exactlyOne(_ first: String, of a: String, _ b: String) -> JSONValue {
        ["oneOf": [["required": [.string(first), .string(a)]], ["required": [.string(first), .string(b)]]]]
    }
}
