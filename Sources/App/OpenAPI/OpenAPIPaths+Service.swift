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
            ("/ws/recognize", [
                "get": Operation.make(
                    "recognizeStream", tag: "Streaming", summary: "Real-time recognition over a WebSocket",
                    description: """
                        Upgrade to a WebSocket (role `recognize` or `admin`; browsers pass the key as `?api_key=`). \
                        The server first sends `StreamSession`. The client then sends frames — `StreamFrame` as text, or \
                        raw JPEG/PNG bytes as a binary message — and `StreamPing` when idle. For each processed frame the \
                        server answers `StreamRecognitionResult` (faces with stable `track_id`s); frames above \
                        MAX_FRAME_RATE, or replaced by a newer one while waiting, are answered with `StreamThrottled`; a \
                        message that can't be handled with `StreamError` (the connection stays open). Every face seen is \
                        recorded as a sighting (`GET /api/logs`). Connections idle for WS_IDLE_TIMEOUT_SECONDS are closed.
                        """,
                    access: .webSocket,
                    parameters: [Parameter.query("session_id", Schema.string().merging(["pattern": "^[A-Za-z0-9_-]{1,64}$"]),
                                                 "Continue a session (sightings are grouped by it); a new one is made otherwise.")],
                    responses: [
                        ("101", ["description": "Switching protocols: the WebSocket is open. Messages: StreamSession, StreamRecognitionResult, StreamThrottled, StreamError, StreamPong (server → client); StreamFrame, StreamPing (client → server).",
                                 "content": ["application/json": ["schema": ["oneOf": [
                                     Schema.ref("StreamSession"), Schema.ref("StreamRecognitionResult"), Schema.ref("StreamThrottled"),
                                     Schema.ref("StreamError"), Schema.ref("StreamPong"),
                                 ]]]]]),
                        ("400", Responses.error("BadRequest")),
                    ]),
            ]),
        ]
    }
}
