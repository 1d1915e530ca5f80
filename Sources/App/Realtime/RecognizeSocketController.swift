import FaceKit
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// `GET /ws/recognize`: the real-time recognition stream (protocol in README, messages in the OpenAPI document).
/// The API key is checked before the upgrade (`?api_key=` for browsers, or the headers).
struct RecognizeSocketController {
    let connections: StreamRegistry

    func register(on routes: any RoutesBuilder, app: Application) {
        let config = app.config
        // Frames up to twice the limit are read and answered with `frame_too_large`; anything
        // bigger is a protocol violation and closes the connection (1009).
        let hardLimit = max(64 * 1024, config.maxFrameBytes / 3 * 4 * 2 + 4096)
        let pingInterval = TimeAmount.milliseconds(Int64(config.wsPingSeconds * 1000))
        routes.webSocket("recognize", maxFrameSize: WebSocketMaxFrameSize(integerLiteral: hardLimit)) { req, socket in
            // A close frame (idle, 1009, shutdown) ends the connection only once the client answers
            // it; a client that answers no ping by the next one is cut off, so none outlives that.
            socket.pingInterval = pingInterval
            // Called on the channel's event loop before it reads any frame: handlers installed
            // here see every message, including one sent the instant the handshake completed.
            let (inbox, input) = AsyncStream<Inbound>.makeStream()
            socket.onText { _, text in input.yield(.text(text)) }
            socket.onBinary { _, buffer in input.yield(.binary(buffer)) }
            socket.onClose.whenComplete { _ in input.finish() }
            Task { await run(req, socket, inbox) }
        }
    }

    /// The connection's whole life: reading, processing and the idle watchdog in one task group
    /// that ends when the socket does.
    private func run(_ req: Request, _ socket: WebSocket, _ inbox: AsyncStream<Inbound>) async {
        let app = req.application
        guard let runtime = app.faceRuntime else {
            await refuse(socket, code: .engineUnavailable, message: "the face engine is not loaded on this server")
            return
        }
        let session = StreamSession(
            id: Self.sessionID(requested: req.query[String.self, at: "session_id"]), socket: socket, runtime: runtime,
            settings: StreamSettings(config: app.config, runtime: runtime),
            sightings: SightingReporter(log: app.sightingLog, webhooks: app.webhooks, people: runtime.people,
                                        apiKeyName: req.apiPrincipal?.keyName),
            metrics: app.faceStreamMetrics)
        let ticket = UUID()
        switch connections.admit(socket, session: session, as: ticket) {
        case .admitted: break
        case .full:
            await refuse(socket, code: .tooManyConnections, message: "the server is at its limit of \(connections.limit) streams; retry later")
            return
        case .shuttingDown:
            await refuse(socket, code: .shuttingDown, message: "the server is shutting down; reconnect to another node or retry later")
            return
        }
        app.faceStreamMetrics.setOpenStreams(connections.count)
        defer {
            connections.remove(ticket)
            app.faceStreamMetrics.setOpenStreams(connections.count)
        }

        await session.start()
        let idleTimeout = app.config.wsIdleTimeoutSeconds
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await session.processFrames() }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    if !Task.isCancelled, await session.idleSeconds > idleTimeout {
                        try? await socket.close(code: .normalClosure)
                        return
                    }
                }
            }
            // Messages that arrived before the session message went out waited in the inbox.
            for await message in inbox {
                switch message {
                case .text(let text): await session.receive(text: text)
                case .binary(let buffer): await session.receive(binary: buffer)
                }
            }
            // The socket closed: stop the watchdog; the frame in flight finishes, nothing after it.
            await session.finishInput()
            group.cancelAll()
        }
    }

    private func refuse(_ socket: WebSocket, code: ErrorCode, message: String) async {
        if let data = try? JSONCoding.makeEncoder().encode(StreamErrorMessage(code: code, message: message, frameID: nil)) {
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
    enum Admission { case admitted, full, shuttingDown }

    private struct Stream {
        let socket: WebSocket
        let session: StreamSession
    }

    private struct State {
        var open: [UUID: Stream] = [:]
        var accepting = true
    }

    let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) { self.limit = limit }

    var count: Int { state.withLockedValue { $0.open.count } }

    func admit(_ socket: WebSocket, session: StreamSession, as ticket: UUID) -> Admission {
        state.withLockedValue { state in
            guard state.accepting else { return .shuttingDown }
            guard state.open.count < limit else { return .full }
            state.open[ticket] = Stream(socket: socket, session: session)
            return .admitted
        }
    }

    func remove(_ ticket: UUID) { state.withLockedValue { _ = $0.open.removeValue(forKey: ticket) } }

    /// Graceful shutdown of every stream, all at once: no new streams are admitted, each stream's
    /// frame in flight is answered (waiting ones get `throttled`, `shutting_down`), then the client
    /// gets a close frame (1001 "going away").
    func closeAll(drainTimeout: Double = 5) async {
        let streams = state.withLockedValue { state in
            state.accepting = false
            return Array(state.open.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for stream in streams {
                group.addTask {
                    await stream.session.drainForShutdown(timeout: drainTimeout)
                    try? await stream.socket.close(code: .goingAway)
                }
            }
        }
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
