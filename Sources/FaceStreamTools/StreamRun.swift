import FaceKit
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WebSocketKit

/// One benchmark connection: sends the frames (paced, or each after the previous answer) and
/// times every answer.
struct StreamRun: Sendable {
    var sent = 0
    var throttled = 0
    var errors = 0
    var faces = 0
    var latencies: [Double] = []
    /// Latencies of frames sent after the warm-up (the first `warmup` seconds of the connection).
    var warmLatencies: [Double] = []
    var labels: [String] = []

    /// `phase` delays a paced connection's first frame: independent cameras are not in step.
    /// `offset` is the frame a connection starts at (wrapping around): independent cameras don't
    /// show the same scene at the same moment.
    static func perform(url: String, frames: [Data], loops: Int, fps: Double, phase: Double, offset: Int, binary: Bool,
                        warmup: Double, recordLabels: Bool) async throws -> StreamRun {
        let inbox = AnswerInbox()
        let upgraded = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: WebSocket.self)
        var configuration = WebSocketClient.Configuration()
        configuration.maxFrameSize = 1 << 24
        do {
            try await WebSocket.connect(to: url, configuration: configuration, on: MultiThreadedEventLoopGroup.singleton) { socket in
                socket.onText { _, text in inbox.deliver(text, at: .now) }
                socket.onClose.whenComplete { _ in inbox.finish() }
                upgraded.succeed(socket)
            }.get()
        } catch {
            upgraded.fail(error)
            throw ToolError("cannot open \(url): \(error)")
        }
        let socket = try await upgraded.futureResult.get()
        guard let hello = await inbox.next(), hello.type == "session" else { throw ToolError("the server did not open a session") }

        var run = StreamRun()
        let opened = ContinuousClock.now
        let total = frames.count * loops
        let sendTimes = NIOLockedValueBox<[Int: ContinuousClock.Instant]>([:])
        @Sendable func send(_ index: Int) async throws {
            let id = index + 1
            sendTimes.withLockedValue { $0[id] = .now }
            let jpeg = frames[(index + offset) % frames.count]
            if binary {
                try await socket.send([UInt8](jpeg))
            } else {
                try await socket.send("{\"type\":\"frame\",\"frame_id\":\(id),\"timestamp\":\(id),\"data\":\"\(jpeg.base64EncodedString())\"}")
            }
        }
        func record(_ answer: Answer) {
            guard let id = answer.frameID, let sentAt = sendTimes.withLockedValue({ $0.removeValue(forKey: id) }) else { return }
            switch answer.type {
            case "recognition_result":
                let latency = (answer.receivedAt - sentAt).inMilliseconds
                run.latencies.append(latency)
                if sentAt - opened >= .milliseconds(Int(warmup * 1000)) { run.warmLatencies.append(latency) }
                run.faces += answer.faceCount
                if recordLabels { run.labels.append("{\"frame\":\((id - 1 + offset) % frames.count),\"faces\":\(answer.facesJSON)}") }
            case "throttled": run.throttled += 1
            default: run.errors += 1
            }
        }
        if fps == 0 {
            for index in 0..<total {
                try await send(index)
                run.sent += 1
                guard let answer = await inbox.next() else { break }
                record(answer)
            }
        } else {
            let interval = Duration.milliseconds(Int(1000 / fps))
            let sender = Task {
                var next = ContinuousClock.now + .milliseconds(Int(phase * 1000))
                try await Task.sleep(until: next, clock: .continuous)
                for index in 0..<total {
                    try await send(index)
                    next += interval
                    try await Task.sleep(until: next, clock: .continuous)
                }
            }
            run.sent = total
            var answered = 0
            while answered < total, let answer = await inbox.next(timeout: 10) {
                if answer.frameID != nil { answered += 1 }
                record(answer)
            }
            sender.cancel()
        }
        try? await socket.close()
        return run
    }
}
