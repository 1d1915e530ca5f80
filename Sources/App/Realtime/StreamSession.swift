import FaceKit
import Foundation
import Vapor

/// One `/ws/recognize` connection: admits frames (rate limit, one waiting frame at most), runs
/// them through detection → tracking → embedding → identity vote, answers every frame once and
/// hands identity changes to the sighting log and the webhooks.
///
/// The connection's tasks (reading, `processFrames`, the idle watchdog) run in one task group in
/// `RecognizeSocketController`; nothing here outlives it.
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
    let metrics: FaceStreamMetrics
    private let sightings: SightingReporter
    private var limiter: FrameRateLimiter
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastMessage: ContinuousClock.Instant
    private var nextBinaryFrameID = 1
    /// A frame is taken (`next`) or being processed; until it is answered, newer frames wait.
    private var processing = false
    private var next: Frame?
    private var waiting: Frame?
    private var shuttingDown = false
    /// Rung when a frame is waiting; `processFrames` answers it. Holds one ring at most.
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    init(id: String, socket: WebSocket, runtime: FaceRuntime, settings: StreamSettings, sightings: SightingReporter,
         metrics: FaceStreamMetrics) {
        self.id = id
        self.socket = socket
        self.runtime = runtime
        self.settings = settings
        self.sightings = sightings
        self.metrics = metrics
        (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
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
            return sendError(isJSON ? .invalidMessage : .invalidJSON,
                             isJSON ? "expected {\"type\":\"frame\",\"data\":\"<base64>\",\"frame_id\":N,\"timestamp\":T}" : "the message is not valid JSON",
                             frameID: nil)
        } catch {
            return sendError(.invalidJSON, "the message is not valid JSON", frameID: nil)
        }
        switch message.type {
        case "frame":
            let frameID = message.frameID ?? takeBinaryFrameID()
            guard let data = message.data else {
                return sendError(.invalidMessage, "a frame needs \"data\": a base64 JPEG or PNG", frameID: frameID)
            }
            guard data.utf8.count <= settings.maxFrameBytes / 3 * 4 + 128 else {
                return sendError(.frameTooLarge, "frames are limited to \(settings.maxFrameBytes) bytes", frameID: frameID)
            }
            // The rate limit before the (costly) base64 decoding: a flooding client is cheap to refuse.
            guard admissible(frameID) else { return }
            guard let bytes = Self.decodeBase64(data) else {
                return sendError(.invalidBase64, "\"data\" is not valid base64", frameID: frameID)
            }
            admit(Frame(id: frameID, bytes: bytes, timestamp: message.timestamp ?? .now))
        case "ping":
            send(PongMessage())
        default:
            sendError(.unknownType, "unknown message type \"\(message.type)\"; expected \"frame\" or \"ping\"", frameID: message.frameID)
        }
    }

    func receive(binary buffer: ByteBuffer) {
        lastMessage = clock.now
        let frameID = takeBinaryFrameID()
        guard buffer.readableBytes <= settings.maxFrameBytes else {
            return sendError(.frameTooLarge, "frames are limited to \(settings.maxFrameBytes) bytes", frameID: frameID)
        }
        guard admissible(frameID) else { return }
        admit(Frame(id: frameID, bytes: Data(buffer.readableBytesView), timestamp: .now))
    }

    private func takeBinaryFrameID() -> Int {
        defer { nextBinaryFrameID += 1 }
        return nextBinaryFrameID
    }

    /// Once `admissible`: the frame is taken for processing at once when none is in flight,
    /// or becomes the one waiting frame (superseding an older one that has not started), which
    /// `processFrames` takes as soon as the frame in flight is answered.
    /// Shutdown and the rate limit; a refused frame is answered `throttled` here.
    private func admissible(_ frameID: Int) -> Bool {
        if shuttingDown {
            throttle(frameID, .shuttingDown)
            return false
        }
        guard limiter.admit(at: seconds(since: started)) else {
            throttle(frameID, .rateLimit)
            return false
        }
        return true
    }

    private func admit(_ frame: Frame) {
        if !processing {
            processing = true
            next = frame
            ring.yield()
            return
        }
        if let replaced = waiting { throttle(replaced.id, .superseded) }
        waiting = frame
    }

    private func throttle(_ frameID: Int, _ reason: ThrottledMessage.Reason) {
        metrics.recordStreamFrameThrottled(reason: reason.rawValue)
        send(ThrottledMessage(frameID: frameID, reason: reason, maxFrameRate: settings.maxFrameRate))
    }

    /// Answers frames one at a time until `finishInput()` or cancellation: the one taken, then
    /// the one that waited meanwhile, if any.
    func processFrames() async {
        for await _ in doorbell {
            while let frame = next ?? waiting {
                if next != nil { next = nil } else { waiting = nil }
                await process(frame)
            }
            processing = false
        }
    }

    /// The client is gone: `processFrames` ends after the frame in flight.
    func finishInput() { ring.finish() }

    /// Server shutdown: frames still waiting and any that arrive from now on are answered
    /// `throttled` (`shutting_down`); returns once the frame in flight (if any) is answered, or
    /// after `timeout` seconds. A short grace period first lets frames already on the wire be
    /// read and answered rather than cut off by the close.
    func drainForShutdown(timeout: Double, grace: Duration = .milliseconds(100)) async {
        shuttingDown = true
        if let frame = waiting {
            waiting = nil
            throttle(frame.id, .shuttingDown)
        }
        let deadline = clock.now + .milliseconds(Int(timeout * 1000))
        try? await Task.sleep(for: grace)
        while processing, clock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private func process(_ frame: Frame) async {
        // Overload: without a free engine slot the frame is dropped at once, not answered late.
        guard runtime.frameSlots.tryAcquire() else { return throttle(frame.id, .engineBusy) }
        defer { runtime.frameSlots.release() }
        do {
            let faces = try await analyze(frame)
            metrics.recordStreamFrame(processed: true)
            send(RecognitionResultMessage(frameID: frame.id, faces: faces, timestamp: frame.timestamp))
        } catch let error as FaceKitError {
            metrics.recordStreamFrame(processed: false)
            // The engine's failures under the names the REST API gives them.
            let code = ErrorCode(error.code)
            sendError(code, code == .internalError ? "the frame could not be processed" : error.message, frameID: frame.id)
        } catch {
            metrics.recordStreamFrame(processed: false)
            sendError(.internalError, "the frame could not be processed", frameID: frame.id)
        }
    }

    /// Seconds since the session started (the tracker's clock).
    var now: Double { seconds(since: started) }

    func seconds(since instant: ContinuousClock.Instant) -> Double {
        (clock.now - instant).inSeconds
    }

    private func send(_ message: some Encodable) {
        guard let data = try? JSONCoding.makeEncoder().encode(message) else { return }
        socket.send(String(decoding: data, as: UTF8.self))
    }

    private func sendError(_ code: ErrorCode, _ message: String, frameID: Int?) {
        send(StreamErrorMessage(code: code, message: message, frameID: frameID))
    }

    /// Accepts standard and URL-safe base64, with or without padding or a `data:` URL prefix.
    static func decodeBase64(_ text: String) -> Data? {
        // Fast path: plain standard base64, what nearly every client sends.
        if let data = Data(base64Encoded: text), !data.isEmpty { return data }
        var payload = Substring(text)
        if payload.hasPrefix("data:"), let comma = payload.firstIndex(of: ",") { payload = payload[payload.index(after: comma)...] }
        // Byte-wise: URL-safe alphabet to standard, whitespace dropped, padding restored.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payload.utf8.count + 3)
        for byte in payload.utf8 {
            switch byte {
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "/"))
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            default: bytes.append(byte)
            }
        }
        if bytes.count % 4 != 0 { bytes += [UInt8](repeating: UInt8(ascii: "="), count: 4 - bytes.count % 4) }
        guard let data = Data(base64Encoded: Data(bytes)), !data.isEmpty || bytes.isEmpty else { return nil }
        return data
    }

    func recordSighting(_ event: FaceTracker.IdentityEvent) async {
        await sightings.record(event, sessionID: id)
    }
}
