import Foundation
import NIOConcurrencyHelpers

/// One server message as the benchmark needs it.
struct Answer: Sendable {
    let type: String
    let frameID: Int?
    let faceCount: Int
    /// The `faces` array as the server wrote it (for --labels-out).
    let facesJSON: String
    let receivedAt: ContinuousClock.Instant

    init?(text: String, receivedAt: ContinuousClock.Instant) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let type = object["type"] as? String else { return nil }
        self.type = type
        frameID = object["frame_id"] as? Int
        let faces = object["faces"] as? [Any] ?? []
        faceCount = faces.count
        facesJSON = (try? JSONSerialization.data(withJSONObject: faces)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        self.receivedAt = receivedAt
    }
}

/// Server messages in arrival order (timestamped on arrival), read by one task.
final class AnswerInbox: Sendable {
    private struct State {
        var queued: [Answer] = []
        var waiter: CheckedContinuation<Answer?, Never>?
        var finished = false
    }

    private let state = NIOLockedValueBox(State())

    func deliver(_ text: String, at instant: ContinuousClock.Instant) {
        guard let answer = Answer(text: text, receivedAt: instant) else { return }
        let waiter = state.withLockedValue { state -> CheckedContinuation<Answer?, Never>? in
            guard let waiter = state.waiter else {
                state.queued.append(answer)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: answer)
    }

    func finish() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Answer?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next message; nil when the connection closed or nothing came for `timeout` seconds.
    func next(timeout: Double = 60) async -> Answer? {
        let timer = Task {
            try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            self.finish()
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready: Answer?? = state.withLockedValue { state in
                if !state.queued.isEmpty { return .some(state.queued.removeFirst()) }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// The frames to replay: JPEG files of a folder, or a video cut into JPEGs by ffmpeg.
enum FrameSource {
    static func load(folder: String?, video: String?) throws -> [Data] {
        var directory = folder
        if let video {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("facestream-bench-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ffmpeg.arguments = ["ffmpeg", "-v", "error", "-i", video, "-q:v", "4", temporary + "/f%04d.jpg"]
            try ffmpeg.run()
            ffmpeg.waitUntilExit()
            guard ffmpeg.terminationStatus == 0 else { throw ToolError("ffmpeg could not read \(video)") }
            directory = temporary
        }
        guard let directory else { throw ToolError("give --frames DIR or --video FILE") }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.lowercased().hasSuffix(".jpg") || $0.lowercased().hasSuffix(".jpeg") }.sorted()
        guard !names.isEmpty else { throw ToolError("no JPEG frames in \(directory)") }
        return try names.map { try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent($0)) }
    }
}
