import FaceKit
import NIOConcurrencyHelpers
import Vapor

/// `GET /ws/recognize`: the real-time recognition stream (protocol in README and DESIGN.md).
/// The API key is checked before the upgrade (`?api_key=` for browsers, or the headers).
struct RecognizeSocketController {
    let connections: StreamRegistry

    func register(on routes: any RoutesBuilder, app: Application) {
        let config = app.config
        // Frames up to twice the limit are read and answered with `frame_too_large`; anything
        // bigger is a protocol violation and closes the connection (1009).
        let hardLimit = max(64 * 1024, config.maxFrameBytes / 3 * 4 * 2 + 4096)
        routes.webSocket("recognize", maxFrameSize: WebSocketMaxFrameSize(integerLiteral: hardLimit)) { req, socket in
            await run(req, socket)
        }
    }

    private func run(_ req: Request, _ socket: WebSocket) async {
        let app = req.application
        guard let runtime = app.faceRuntime else {
            await refuse(socket, code: "engine_unavailable", message: "the face engine is not loaded on this server")
            return
        }
        let ticket = UUID()
        guard connections.admit(socket, as: ticket) else {
            await refuse(socket, code: "too_many_connections", message: "the server is at its limit of \(connections.limit) streams; retry later")
            return
        }
        defer { connections.remove(ticket) }

        let session = StreamSession(
            id: Self.sessionID(requested: req.query[String.self, at: "session_id"]), socket: socket, runtime: runtime,
            settings: StreamSettings(config: app.config, runtime: runtime), sightings: app.sightingLog)
        // Callbacks arrive in order on the channel's event loop (where they must be installed);
        // one consumer keeps that order. Clients send after the `session` message, which follows.
        let (inbox, input) = AsyncStream<Inbound>.makeStream()
        try? await socket.eventLoop.submit {
            socket.onText { _, text in input.yield(.text(text)) }
            socket.onBinary { _, buffer in input.yield(.binary(buffer)) }
        }.get()
        socket.onClose.whenComplete { _ in input.finish() }
        await session.start()

        let idleTimeout = app.config.wsIdleTimeoutSeconds
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if await session.idleSeconds > idleTimeout {
                    try? await socket.close(code: .normalClosure)
                    return
                }
            }
        }
        for await message in inbox {
            switch message {
            case .text(let text): await session.receive(text: text)
            case .binary(let buffer): await session.receive(binary: buffer)
            }
        }
        watchdog.cancel()
    }

    private func refuse(_ socket: WebSocket, code: String, message: String) async {
        if let data = try? JSONEncoder().encode(StreamErrorMessage(code: code, message: message, frameID: nil)) {
            try? await socket.send(String(decoding: data, as: UTF8.self))
        }
        try? await socket.close(code: .unknown(1013)) // "try again later"
    }

    /// A client may continue a session by passing its id; anything else gets a fresh one.
    static func sessionID(requested: String?) -> String {
        if let requested, (1...64).contains(requested.count),
           requested.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            return requested
        }
        return UUID().uuidString.lowercased()
    }

    enum Inbound: Sendable {
        case text(String)
        case binary(ByteBuffer)
    }
}

/// The open streams: counted against MAX_CONNECTIONS, closed together at shutdown.
final class StreamRegistry: Sendable {
    let limit: Int
    private let open = NIOLockedValueBox<[UUID: WebSocket]>([:])

    init(limit: Int) { self.limit = limit }

    var count: Int { open.withLockedValue { $0.count } }

    func admit(_ socket: WebSocket, as ticket: UUID) -> Bool {
        open.withLockedValue { streams in
            guard streams.count < limit else { return false }
            streams[ticket] = socket
            return true
        }
    }

    func remove(_ ticket: UUID) { open.withLockedValue { _ = $0.removeValue(forKey: ticket) } }

    /// Says goodbye to every client (1001 "going away"), so the HTTP server can stop at once.
    func closeAll() async {
        for socket in open.withLockedValue({ Array($0.values) }) { try? await socket.close(code: .goingAway) }
    }
}

extension Application {
    private struct StreamRegistryKey: StorageKey {
        typealias Value = StreamRegistry
    }

    var streams: StreamRegistry {
        if let registry = storage[StreamRegistryKey.self] { return registry }
        let registry = StreamRegistry(limit: config.maxConnections)
        storage[StreamRegistryKey.self] = registry
        return registry
    }
}
