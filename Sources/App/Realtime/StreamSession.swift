import FaceKit
import Foundation
import Vapor

/// One `/ws/recognize` connection: admits frames (rate limit, one waiting frame at most), runs
/// them through detection → tracking → embedding → identity vote, answers every frame once and
/// hands identity changes to the sighting log.
actor StreamSession {
    struct Frame: Sendable {
        let id: Int
        let bytes: Data
        let timestamp: JSONNumber
    }

    let id: String
    private let socket: WebSocket
    // Internal, not private: the pipeline (StreamSession+Pipeline.swift) uses these.
    let runtime: FaceRuntime
    let settings: StreamSettings
    let tracker: FaceTracker
    var discovery = DiscoveryState()
    var previousGrid: [UInt8]?
    var lastFrameTime = -Double.infinity
    private let sightings: SightingLogWriter
    private var limiter: FrameRateLimiter
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastMessage: ContinuousClock.Instant
    private var nextBinaryFrameID = 1
    private var processing = false
    private var waiting: Frame?

    init(id: String, socket: WebSocket, runtime: FaceRuntime, settings: StreamSettings, sightings: SightingLogWriter) {
        self.id = id
        self.socket = socket
        self.runtime = runtime
        self.settings = settings
        self.sightings = sightings
        self.tracker = FaceTracker(configuration: settings.tracker)
        self.limiter = FrameRateLimiter(rate: settings.maxFrameRate)
        started = clock.now
        lastMessage = started
    }

    /// Seconds since this session's last message from the client.
    var idleSeconds: Double { seconds(since: lastMessage) }

    func start() {
        send(SessionMessage(sessionID: id, maxFrameRate: settings.maxFrameRate, maxFrameBytes: settings.maxFrameBytes))
    }

    func receive(text: String) {
        lastMessage = clock.now
        let message: ClientMessage
        do {
            message = try JSONDecoder().decode(ClientMessage.self, from: Data(text.utf8))
        } catch is DecodingError {
            let isJSON = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil
            return sendError(isJSON ? "invalid_message" : "invalid_json",
                             isJSON ? "expected {\"type\":\"frame\",\"data\":\"<base64>\",\"frame_id\":N,\"timestamp\":T}" : "the message is not valid JSON",
                             frameID: nil)
        } catch {
            return sendError("invalid_json", "the message is not valid JSON", frameID: nil)
        }
        switch message.type {
        case "frame":
            let frameID = message.frameID ?? takeBinaryFrameID()
            guard let data = message.data else {
                return sendError("invalid_message", "a frame needs \"data\": a base64 JPEG or PNG", frameID: frameID)
            }
            guard data.utf8.count <= settings.maxFrameBytes / 3 * 4 + 128 else {
                return sendError("frame_too_large", "frames are limited to \(settings.maxFrameBytes) bytes", frameID: frameID)
            }
            guard let bytes = Self.decodeBase64(data) else {
                return sendError("invalid_base64", "\"data\" is not valid base64", frameID: frameID)
            }
            admit(Frame(id: frameID, bytes: bytes, timestamp: message.timestamp ?? .now))
        case "ping":
            send(PongMessage())
        default:
            sendError("unknown_type", "unknown message type \"\(message.type)\"; expected \"frame\" or \"ping\"", frameID: message.frameID)
        }
    }

    func receive(binary buffer: ByteBuffer) {
        lastMessage = clock.now
        let frameID = takeBinaryFrameID()
        guard buffer.readableBytes <= settings.maxFrameBytes else {
            return sendError("frame_too_large", "frames are limited to \(settings.maxFrameBytes) bytes", frameID: frameID)
        }
        admit(Frame(id: frameID, bytes: Data(buffer.readableBytesView), timestamp: .now))
    }

    private func takeBinaryFrameID() -> Int {
        defer { nextBinaryFrameID += 1 }
        return nextBinaryFrameID
    }

    /// Rate limit first; then either start processing or become the one waiting frame.
    private func admit(_ frame: Frame) {
        guard limiter.admit(at: seconds(since: started)) else {
            return send(ThrottledMessage(frameID: frame.id, reason: .rateLimit, maxFrameRate: settings.maxFrameRate))
        }
        if processing {
            if let replaced = waiting {
                send(ThrottledMessage(frameID: replaced.id, reason: .superseded, maxFrameRate: settings.maxFrameRate))
            }
            waiting = frame
            return
        }
        processing = true
        Task { await self.drain(startingWith: frame) }
    }

    private func drain(startingWith first: Frame) async {
        var next: Frame? = first
        while let frame = next {
            do {
                let faces = try await analyze(frame)
                send(RecognitionResultMessage(frameID: frame.id, faces: faces, timestamp: frame.timestamp))
            } catch let error as FaceKitError {
                sendError(error.code.rawValue, error.message, frameID: frame.id)
            } catch {
                sendError("internal_error", "the frame could not be processed", frameID: frame.id)
            }
            next = waiting
            waiting = nil
        }
        processing = false
    }

    /// Seconds since the session started (the tracker's clock).
    var now: Double { seconds(since: started) }

    func seconds(since instant: ContinuousClock.Instant) -> Double {
        let elapsed = clock.now - instant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func send(_ message: some Encodable) {
        guard let data = try? JSONEncoder().encode(message) else { return }
        socket.send(String(decoding: data, as: UTF8.self))
    }

    private func sendError(_ code: String, _ message: String, frameID: Int?) {
        send(StreamErrorMessage(code: code, message: message, frameID: frameID))
    }

    /// Accepts standard and URL-safe base64, with or without padding or a `data:` URL prefix.
    static func decodeBase64(_ text: String) -> Data? {
        var payload = Substring(text)
        if payload.hasPrefix("data:"), let comma = payload.firstIndex(of: ",") { payload = payload[payload.index(after: comma)...] }
        var normalized = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        normalized = normalized.filter { !$0.isWhitespace }
        if normalized.count % 4 != 0 { normalized += String(repeating: "=", count: 4 - normalized.count % 4) }
        guard let data = Data(base64Encoded: normalized), !data.isEmpty || normalized.isEmpty else { return nil }
        return data
    }

    func recordSighting(_ event: FaceTracker.IdentityEvent) async {
        let personID = event.identity.personID
        await sightings.enqueue(.init(
            userID: personID, trackID: event.trackID, confidence: event.identity.confidence, isUnknown: personID == nil,
            bbox: event.box.array, sessionID: id, seenAt: Date()))
    }
}
