extension OpenAPI {
    /// The messages of `/ws/recognize` (OpenAPI has no WebSocket vocabulary: the operation lists them
    /// under `x-websocket`).
    static var streamSchemas: [(String, JSONValue)] {
        [
            ("StreamFrame", Schema.object([
                ("type", Schema.string().merging(["enum": ["frame"]])),
                ("data", Schema.string("The frame as base64 JPEG or PNG (a data URL is accepted).")),
                ("timestamp", Schema.number("Echoed back unchanged, e.g. the client's milliseconds since 1970.")),
                ("frame_id", Schema.integer("Echoed back; the server numbers frames that carry none.")),
            ], required: ["type", "data"], "Client → server. A frame may also be sent as a binary message holding the raw image bytes.")),
            ("StreamPing", Schema.object([("type", Schema.string().merging(["enum": ["ping"]]))], required: ["type"],
                                         "Client → server; answered with `pong`. Keeps an idle connection open.")),
            ("StreamSession", Schema.record([
                ("type", Schema.string().merging(["enum": ["session"]])),
                ("session_id", Schema.string("Recorded with every sighting of this connection.")),
                ("max_frame_rate", Schema.number("Frames per second processed; more are answered with `throttled`.")),
                ("max_frame_bytes", Schema.integer("Largest frame accepted, in bytes.")),
            ], "Server → client, first message of every connection.")),
            ("StreamRecognitionResult", Schema.record([
                ("type", Schema.string().merging(["enum": ["recognition_result"]])),
                ("frame_id", Schema.integer()),
                ("faces", Schema.array(Schema.ref("StreamFace"))),
                ("timestamp", Schema.number("The frame's timestamp as sent.")),
            ], "Server → client: the answer to one processed frame.")),
            ("StreamFace", Schema.record([
                ("track_id", Schema.string("Stable while the face stays in view.")),
                ("user_id", Schema.nullable(Schema.integer(minimum: 1))),
                ("user_name", Schema.nullable(Schema.string())),
                ("confidence", Schema.unit("")),
                ("bbox", Schema.bbox),
                ("is_unknown", Schema.boolean()),
                ("settled", Schema.boolean("True once the track's identity vote has settled. Until then the face is answered with what its latest look said, as a single photo of that frame would be.")),
            ])),
            ("StreamThrottled", Schema.record([
                ("type", Schema.string().merging(["enum": ["throttled"]])),
                ("frame_id", Schema.integer()),
                ("reason", Schema.string("`rate_limit`: above MAX_FRAME_RATE; `superseded`: a newer frame replaced it; `shutting_down`: the server is stopping; `engine_busy`: the server is overloaded and dropped the frame rather than answer it late.")
                    .merging(["enum": ["rate_limit", "superseded", "shutting_down", "engine_busy"]])),
                ("max_frame_rate", Schema.number()),
            ], "Server → client: a frame that was not processed.")),
            ("StreamError", Schema.object([
                ("type", Schema.string().merging(["enum": ["error"]])),
                ("code", Schema.errorCode(ErrorCode.used(in: .stream),
                                          codeList(ErrorCode.used(in: .stream)) + ".")),
                ("message", Schema.string()),
                ("frame_id", Schema.nullable(Schema.integer())),
            ], required: ["type", "code", "message"], "Server → client: a message that could not be handled; the connection stays open unless the server is refusing it.")),
            ("StreamPong", Schema.record([("type", Schema.string().merging(["enum": ["pong"]]))])),
        ]
    }
}
