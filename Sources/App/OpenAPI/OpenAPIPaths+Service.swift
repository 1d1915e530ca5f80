extension OpenAPI {
    static var servicePaths: [(String, JSONValue)] {
        [
            ("/health", [
                "get": Operation.make(
                    "health", tag: "Service", summary: "Liveness and database reachability", access: .open,
                    responses: [("200", Responses.json("Up, database reachable.", Schema.ref("Health"))),
                                ("503", Responses.json("Up, database unreachable (`degraded`).", Schema.ref("Health")))]),
            ]),
            ("/metrics", [
                "get": Operation.make(
                    "metrics", tag: "Service", summary: "Prometheus metrics",
                    description: """
                        Text exposition format. Open unless METRICS_API_KEY is set. FaceStream's own series: \
                        `facestream_http_requests_total{method,route,status}`, `facestream_http_request_duration_seconds{method,route}`, \
                        `facestream_faces_detected_total`, `facestream_recognitions_total{result="known|unknown"}`, \
                        `facestream_gallery_embeddings`, `facestream_engine_queue_depth`, \
                        `facestream_stage_duration_seconds{stage="decode|detect|landmarks|align|embed"}`.
                        """,
                    access: .metrics,
                    responses: [("200", ["description": "The metrics.", "content": ["text/plain": ["schema": Schema.string()]]])]),
            ]),
            ("/openapi.json", [
                "get": Operation.make("openAPI", tag: "Service", summary: "This document", access: .open,
                                      responses: [("200", Responses.json("OpenAPI 3.0.3.", ["type": "object"]))]),
            ]),
            ("/docs", [
                "get": Operation.make("docs", tag: "Service", summary: "Interactive API documentation (Swagger UI)", access: .open,
                                      responses: [("200", ["description": "An HTML page.", "content": ["text/html": ["schema": Schema.string()]]])]),
            ]),
            ("/ws/recognize", ["get": recognizeStream]),
        ]
    }

    /// `/ws/recognize` is a WebSocket: an HTTP GET that upgrades (101). OpenAPI 3.0 has no words for
    /// the messages that follow, so they are named under `x-websocket` (schemas in `streamSchemas`).
    static var recognizeStream: JSONValue {
        Operation.make(
            "recognizeStream", tag: "Streaming", summary: "Real-time recognition over a WebSocket",
            description: """
                A WebSocket opening handshake (RFC 6455; the headers are under `x-websocket`, a request without \
                them is 400); role `recognize` or `admin`, browsers pass the key as `?api_key=`. The key is \
                checked before the upgrade. After the 101 the server first sends \
                `StreamSession`. The client then sends frames — `StreamFrame` as text, or raw JPEG/PNG bytes as a \
                binary message — and `StreamPing` when idle. For each processed frame the server answers \
                `StreamRecognitionResult` (faces with stable `track_id`s); frames above MAX_FRAME_RATE, or replaced \
                by a newer one while waiting, are answered with `StreamThrottled`; a message that can't be handled \
                with `StreamError` (the connection stays open). Every face seen is recorded as a sighting \
                (`GET /api/logs`). Connections idle for WS_IDLE_TIMEOUT_SECONDS are closed. The server pings every \
                WS_PING_SECONDS; a client that has answered none by the next ping is disconnected. The messages \
                are listed under `x-websocket`.
                """,
            access: .webSocket,
            parameters: [Parameter.query("session_id", Schema.string(),
                                         "Continue a session (sightings are grouped by it): 1–64 of `[A-Za-z0-9_-]`. Anything else, or none, starts a new session with a fresh UUID.")],
            responses: [
                ("101", Responses.empty("Switching protocols: the WebSocket is open; the messages are under `x-websocket`.")),
                ("400", Responses.error("Not a WebSocket opening handshake.", codes: [.badRequest])),
            ]).merging([
                "x-websocket": [
                    // Not header parameters: WebSocket clients (browsers included) send them themselves, and an
                    // HTTP client that sent them would get a socket it can't speak.
                    "handshake-headers": .object(WebSocketHandshake.headers.map { header in
                        (key: header.name, value: header.value.map { Schema.string().merging(["enum": [.string($0)]]) }
                            ?? Schema.string("16 random bytes, base64.").merging(["pattern": .string(WebSocketHandshake.keyPattern)]))
                    }),
                    "client-messages": ["oneOf": [Schema.ref("StreamFrame"), Schema.ref("StreamPing")],
                                        "description": "Text messages; a binary message is a frame's raw JPEG or PNG bytes."],
                    "server-messages": ["oneOf": [Schema.ref("StreamSession"), Schema.ref("StreamRecognitionResult"), Schema.ref("StreamThrottled"),
                                                  Schema.ref("StreamError"), Schema.ref("StreamPong")],
                                        "description": "Text messages, `StreamSession` first."],
                    "close-codes": [
                        "1000": "idle for WS_IDLE_TIMEOUT_SECONDS",
                        "1001": "the server is shutting down",
                        "1009": "a message of more than twice MAX_FRAME_BYTES (as base64)",
                        "1013": "refused (`StreamError` first): too many connections, no face engine, or shutting down",
                    ],
                ],
            ])
    }
}
