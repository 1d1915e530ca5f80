import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Vapor

/// A real WebSocket client for `/ws/recognize`, collecting the server's messages in order.
final class StreamClient: Sendable {
    struct Face: Decodable, Equatable, Sendable {
        let trackID: String
        let userID: Int?
        let userName: String?
        let confidence: Double
        let bbox: [Int]
        let isUnknown: Bool
        let settled: Bool

        enum CodingKeys: String, CodingKey {
            case confidence, bbox, settled
            case trackID = "track_id"
            case userID = "user_id"
            case userName = "user_name"
            case isUnknown = "is_unknown"
        }
    }

    struct Message: Decodable, Sendable {
        let type: String
        let frameID: Int?
        let faces: [Face]?
        let code: String?
        let reason: String?
        let sessionID: String?
        let maxFrameRate: Double?
        let timestamp: Double?

        enum CodingKeys: String, CodingKey {
            case type, faces, code, reason, timestamp
            case frameID = "frame_id"
            case sessionID = "session_id"
            case maxFrameRate = "max_frame_rate"
        }
    }

    let socket: WebSocket
    private let mailbox: Mailbox

    private init(socket: WebSocket, mailbox: Mailbox) {
        self.socket = socket
        self.mailbox = mailbox
    }

    static func connect(port: Int, query: String = "api_key=\(TestKeys.admin)") async throws -> StreamClient {
        let mailbox = Mailbox()
        let upgraded = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: WebSocket.self)
        // WebSocketKit's future-returning `connect`: Vapor's async wrapper drops the URL's query.
        do {
            try await WebSocket.connect(to: "ws://127.0.0.1:\(port)/ws/recognize?\(query)", on: MultiThreadedEventLoopGroup.singleton) { socket in
                // Synchronous callbacks run in order on the event loop; the mailbox keeps that order.
                socket.onText { _, text in mailbox.deliver(text) }
                socket.onClose.whenComplete { _ in mailbox.finish() }
                upgraded.succeed(socket)
            }.get()
        } catch {
            upgraded.fail(error)
            throw error
        }
        return StreamClient(socket: try await upgraded.futureResult.get(), mailbox: mailbox)
    }

    /// The next message (raw text), or nil once the server closed. Fails after `timeout` seconds.
    func nextText(timeout: Double = 30) async throws -> String? {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { await self.mailbox.receive() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                throw TestSetupError("no message from the server within \(timeout) s")
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    func next(timeout: Double = 30) async throws -> Message {
        guard let text = try await nextText(timeout: timeout) else { throw TestSetupError("the server closed the stream") }
        return try JSONDecoder().decode(Message.self, from: Data(text.utf8))
    }

    func sendFrame(_ jpeg: Data, id: Int, timestamp: Int = 1_234_567_890) async throws {
        let text = "{\"type\":\"frame\",\"data\":\"\(jpeg.base64EncodedString())\",\"timestamp\":\(timestamp),\"frame_id\":\(id)}"
        try await socket.send(text)
    }

    func sendText(_ text: String) async throws { try await socket.send(text) }
    func sendBinary(_ bytes: Data) async throws { try await socket.send([UInt8](bytes)) }
    func close() async { try? await socket.close() }
}

/// Messages in arrival order, handed to one reader at a time.
private final class Mailbox: Sendable {
    private struct State {
        var queued: [String] = []
        var waiting: [CheckedContinuation<String?, Never>] = []
        var finished = false
    }

    private let state = NIOLockedValueBox(State())

    func deliver(_ text: String) {
        let waiter: CheckedContinuation<String?, Never>? = state.withLockedValue { state in
            if state.waiting.isEmpty {
                state.queued.append(text)
                return nil
            }
            return state.waiting.removeFirst()
        }
        waiter?.resume(returning: text)
    }

    func finish() {
        let waiters = state.withLockedValue { state in
            state.finished = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    func receive() async -> String? {
        await withCheckedContinuation { continuation in
            let ready: String?? = state.withLockedValue { state in
                if !state.queued.isEmpty { return .some(state.queued.removeFirst()) }
                if state.finished { return .some(nil) }
                state.waiting.append(continuation)
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
