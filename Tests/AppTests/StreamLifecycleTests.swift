@testable import App
import FaceKit
import Fluent
import Foundation
import Testing
import Vapor

/// Every message after the handshake is answered; the rate limit lets honest clients through;
/// shutdown answers what is in flight, closes every stream and keeps every sighting.
@Suite("Stream lifecycle", .serialized)
struct StreamLifecycleTests {
    let composer = FrameComposer(width: 320, height: 240)

    func faceFrame() throws -> Data {
        try composer.jpeg([.init(photo: try FaceFixtures.image("face_recognition/obama2.jpg"), x: 80, y: 30, size: 160)])
    }

    @Test("100 connections each sending a frame the instant the handshake completes: all 100 answered")
    func firstMessages() async throws {
        try await withStreamingServer(["MAX_CONNECTIONS": "200", "MAX_FRAME_RATE": "1000"]) { _, port in
            let frame = try faceFrame()
            let answers = try await withThrowingTaskGroup(of: [StreamClient.Message].self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let client = try await StreamClient.connect(port: port)
                        try await client.sendFrame(frame, id: index + 1)
                        let first = try await client.next(timeout: 60), second = try await client.next(timeout: 60)
                        await client.close()
                        return [first, second]
                    }
                }
                var all: [[StreamClient.Message]] = []
                for try await pair in group { all.append(pair) }
                return all
            }
            #expect(answers.count == 100)
            #expect(answers.allSatisfy { $0[0].type == "session" })
            // 100 frames at once overload two engine threads: each is answered, by a result or, past
            // the engine's slots, by an immediate `throttled` `engine_busy` (never a late answer).
            let results = answers.map { $0[1] }
            let recognized = results.filter { $0.type == "recognition_result" && $0.faces?.count == 1 }.count
            let busy = results.filter { $0.type == "throttled" && $0.reason == "engine_busy" }.count
            #expect(recognized + busy == 100, "\(Dictionary(grouping: results, by: \.type).mapValues(\.count))")
            #expect(recognized >= 4)
            #expect(Set(results.compactMap(\.frameID)) == Set(1...100))
        }
    }

    @Test("a malformed first message, sent before the session message arrives, is answered with an error")
    func malformedFirstMessage() async throws {
        try await withStreamingServer { _, port in
            for (text, code) in [("{not json", "invalid_json"), ("{\"type\":\"frame\",\"frame_id\":3}", "invalid_message")] {
                let client = try await StreamClient.connect(port: port)
                try await client.sendText(text)
                #expect(try await client.next().type == "session")
                let answer = try await client.next()
                #expect(answer.type == "error" && answer.code == code)
                await client.close()
            }
        }
    }

    /// Sends `count` frames `interval` apart, each moved by up to ±`jitter` seconds (seeded), and
    /// returns how many were throttled.
    func throttledFrames(port: Int, count: Int, interval: Double, jitter: Double, seed: UInt64) async throws -> Int {
        let client = try await StreamClient.connect(port: port)
        _ = try await client.next()
        let frame = try FrameComposer(width: 64, height: 48).jpeg([])
        var random = SeededRandom(seed: seed)
        let start = ContinuousClock.now
        for index in 0..<count {
            let offset = Double(index) * interval + (random.unit() * 2 - 1) * jitter
            try await Task.sleep(until: start + .milliseconds(Int(max(0, offset) * 1000)), clock: .continuous)
            try await client.sendFrame(frame, id: index + 1)
        }
        var throttled = 0
        for _ in 0..<count where try await client.next().type == "throttled" { throttled += 1 }
        await client.close()
        return throttled
    }

    @Test("a client at exactly MAX_FRAME_RATE with ±40 ms jitter is never throttled; one twice as fast is")
    func jitter() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "5"]) { _, port in
            #expect(try await throttledFrames(port: port, count: 25, interval: 0.2, jitter: 0.04, seed: 7) == 0)
            let fast = try await throttledFrames(port: port, count: 30, interval: 0.1, jitter: 0.04, seed: 8)
            // 3 s at 10 fps against 5 fps and a burst of 2: about half are throttled.
            #expect((10...17).contains(fast), "\(fast) of 30 throttled")
        }
    }

    @Test("shutdown: the frame in flight is answered, every client gets 1001, every settled track has its row")
    func gracefulShutdown() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "1000"]) { app, port in
            let userID = try await enroll("Barack Obama", photos: ["face_recognition/obama.jpg"], in: app)
            let frame = try faceFrame()
            var clients: [StreamClient] = []
            var sessions: [String] = []
            for _ in 0..<4 {
                let client = try await StreamClient.connect(port: port)
                sessions.append(try #require(try await client.next().sessionID))
                // Three frames settle the track's identity (two agreeing votes).
                for id in 1...3 {
                    try await client.sendFrame(frame, id: id)
                    #expect(try await client.next().type == "recognition_result")
                }
                clients.append(client)
            }
            // One more frame per client, in flight when the shutdown starts.
            for client in clients { try await client.sendFrame(frame, id: 4) }
            await app.closeStreamsAndFlushSightings()
            for client in clients {
                // Processed (it was in flight) or, had it still been on the wire, refused as shutting down.
                let answer = try await client.next()
                #expect(answer.frameID == 4)
                #expect(answer.type == "recognition_result" || answer.reason == "shutting_down", "\(answer.type)")
                #expect(try await client.nextText() == nil)
                #expect(client.socket.closeCode == .goingAway)
            }
            // The writer was stopped (flushed); a new connection is refused while shutting down.
            let rows = try await RecognitionLog.query(on: app.db).all()
            #expect(rows.count == 4)
            #expect(Set(rows.map(\.sessionID)) == Set(sessions))
            #expect(rows.allSatisfy { $0.$user.id == userID && !$0.isUnknown })
            let late = try await StreamClient.connect(port: port)
            #expect(try await late.next().code == "shutting_down")
        }
    }
}

/// SplitMix64, for jitter that is the same on every run.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
