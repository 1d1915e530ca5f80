@testable import App
import FaceKit
import Foundation
import Testing
import Vapor

/// The stream's rules: rate limit, one waiting frame, bad input answered in-band, binary frames,
/// several clients at once, keys.
@Suite("Streaming protocol", .serialized)
struct StreamProtocolTests {
    let composer = FrameComposer(width: 640, height: 480)

    func faceFrame(_ shift: Int = 0) throws -> Data {
        try composer.jpeg([.init(photo: try FaceFixtures.image("face_recognition/obama2.jpg"), x: 100 + shift, y: 60, size: 320)])
    }

    @Test("frames beyond MAX_FRAME_RATE are answered throttled with their frame_id")
    func rateLimit() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "2"]) { _, port in
            let client = try await StreamClient.connect(port: port)
            #expect(try await client.next().maxFrameRate == 2)
            let frame = try faceFrame()
            for id in 1...4 { try await client.sendFrame(frame, id: id) }
            var answers: [Int: StreamClient.Message] = [:]
            for _ in 1...4 {
                let message = try await client.next()
                answers[try #require(message.frameID)] = message
            }
            // A burst of two: the first two are processed (the second waits for the first).
            #expect(answers[1]?.type == "recognition_result")
            #expect(answers[2]?.type == "recognition_result")
            for id in 3...4 {
                #expect(answers[id]?.type == "throttled" && answers[id]?.reason == "rate_limit")
            }
            // After the bucket refills, frames are processed again.
            try await Task.sleep(for: .milliseconds(600))
            try await client.sendFrame(frame, id: 5)
            #expect(try await client.next().type == "recognition_result")
        }
    }

    @Test("only one frame waits: a newer frame replaces it and the replaced one is throttled")
    func onePendingFrame() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "1000"]) { _, port in
            let client = try await StreamClient.connect(port: port)
            _ = try await client.next()
            // The first frame needs detection and embedding (~50 ms); the next four arrive meanwhile.
            // Encoded beforehand and sent back to back, so the four follow within well under a millisecond.
            let messages = try (0..<5).map { index in
                "{\"type\":\"frame\",\"data\":\"\(try faceFrame(index * 3).base64EncodedString())\",\"frame_id\":\(index + 1)}"
            }
            for message in messages { try await client.sendText(message) }
            var answers: [Int: StreamClient.Message] = [:]
            for _ in 1...5 {
                let message = try await client.next()
                answers[try #require(message.frameID)] = message
            }
            #expect(answers.count == 5)
            #expect(answers[1]?.type == "recognition_result")
            #expect(answers[5]?.type == "recognition_result")
            // Frames 2–4 arrive while frame 1 runs, so each is replaced by the next; on a machine so busy
            // that the server reads a frame only after frame 1 is done, that one runs instead. Never
            // queued: every frame in between is either answered or superseded, and some are superseded.
            let middle = (2...4).compactMap { answers[$0] }
            #expect(middle.allSatisfy { $0.type == "recognition_result" || ($0.type == "throttled" && $0.reason == "superseded") })
            #expect(middle.contains { $0.reason == "superseded" })
        }
    }

    @Test("bad input is answered with an error and the connection stays usable")
    func badInput() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "1000", "MAX_FRAME_BYTES": "200000"]) { _, port in
            let client = try await StreamClient.connect(port: port)
            _ = try await client.next()
            let cases: [(String, String, Int?)] = [
                ("{not json", "invalid_json", nil),
                ("{\"type\":\"dance\",\"frame_id\":7}", "unknown_type", 7),
                ("{\"type\":\"frame\",\"frame_id\":8,\"data\":\"@@@not base64@@@\"}", "invalid_base64", 8),
                ("{\"type\":\"frame\",\"frame_id\":9,\"data\":\"\(Data("just some text, not an image".utf8).base64EncodedString())\"}", "unsupported_format", 9),
                ("{\"type\":\"frame\",\"frame_id\":10,\"data\":\"\(Data(repeating: 0x41, count: 250_000).base64EncodedString())\"}", "frame_too_large", 10),
                ("{\"type\":\"frame\",\"frame_id\":11}", "invalid_message", 11),
                ("[1,2,3]", "invalid_message", nil),
            ]
            for (text, code, frameID) in cases {
                try await client.sendText(text)
                let answer = try await client.next()
                #expect(answer.type == "error" && answer.code == code && answer.frameID == frameID, "\(code)")
            }
            let truncated = try faceFrame().prefix(3000)
            try await client.sendFrame(Data(truncated), id: 12)
            let corrupt = try await client.next()
            #expect(corrupt.type == "error" && corrupt.code == "corrupt_image" && corrupt.frameID == 12)
            try await client.sendFrame(try faceFrame(), id: 13)
            let ok = try await client.next()
            #expect(ok.type == "recognition_result" && ok.frameID == 13 && ok.faces?.count == 1)
        }
    }

    @Test("binary frames carry raw JPEG bytes and are numbered by the server")
    func binaryFrames() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "1000"]) { _, port in
            let client = try await StreamClient.connect(port: port)
            _ = try await client.next()
            for expected in 1...3 {
                try await client.sendBinary(try faceFrame(expected * 5))
                let answer = try await client.next()
                #expect(answer.type == "recognition_result" && answer.frameID == expected && answer.faces?.count == 1)
            }
            try await client.sendBinary(Data([0xFF, 0xD8, 0xFF, 0x00, 0x01]))
            let bad = try await client.next()
            #expect(bad.type == "error" && bad.code == "corrupt_image" && bad.frameID == 4)
        }
    }

    @Test("several clients at once each get their own session and every answer")
    func concurrentClients() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "1000"]) { _, port in
            let frame = try faceFrame()
            let sessions = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let client = try await StreamClient.connect(port: port)
                        let session = try #require(try await client.next().sessionID)
                        var answered = 0
                        for id in 1...5 {
                            try await client.sendFrame(frame, id: id)
                            let answer = try await client.next()
                            if answer.type == "recognition_result" && answer.frameID == id && answer.faces?.count == 1 { answered += 1 }
                        }
                        await client.close()
                        return (session, answered)
                    }
                }
                var all: [(String, Int)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(Set(sessions.map(\.0)).count == 4)
            #expect(sessions.allSatisfy { $0.1 == 5 })
        }
    }

    @Test("a stream needs a key; a continued session keeps its id")
    func keysAndSessions() async throws {
        try await withStreamingServer { _, port in
            await #expect(throws: (any Error).self) { _ = try await StreamClient.connect(port: port, query: "") }
            await #expect(throws: (any Error).self) { _ = try await StreamClient.connect(port: port, query: "api_key=wrong-key-wrong-key") }
            let client = try await StreamClient.connect(port: port, query: "api_key=\(TestKeys.admin)&session_id=lobby-cam-1")
            #expect(try await client.next().sessionID == "lobby-cam-1")
        }
    }

    @Test("/metrics counts the stream's frames (processed, errored, throttled by reason) and its open streams")
    func streamMetrics() async throws {
        try await withStreamingServer(["MAX_FRAME_RATE": "2"]) { app, port in
            let client = try await StreamClient.connect(port: port)
            _ = try await client.next()
            #expect(try await metric("facestream_open_streams", in: app) == 1)
            // A burst of two: frame 1 is no image (an error), frame 2 is processed, frame 3 is over the rate.
            try await client.sendText("{\"type\":\"frame\",\"frame_id\":1,\"data\":\"\(Data("not an image".utf8).base64EncodedString())\"}")
            try await client.sendFrame(try faceFrame(), id: 2)
            try await client.sendFrame(try faceFrame(), id: 3)
            var answers: [Int: StreamClient.Message] = [:]
            for _ in 1...3 {
                let message = try await client.next()
                answers[try #require(message.frameID)] = message
            }
            #expect(answers[1]?.code == "unsupported_format")
            #expect(answers[2]?.type == "recognition_result")
            #expect(answers[3]?.reason == "rate_limit")
            #expect(try await metric(#"facestream_stream_frames_total{result="processed"}"#, in: app) == 1)
            #expect(try await metric(#"facestream_stream_frames_total{result="error"}"#, in: app) == 1)
            #expect(try await metric(#"facestream_stream_frames_throttled_total{reason="rate_limit"}"#, in: app) == 1)
            await client.close()
            var open = try await metric("facestream_open_streams", in: app)
            for _ in 0..<100 where open != 0 {
                try await Task.sleep(for: .milliseconds(50))
                open = try await metric("facestream_open_streams", in: app)
            }
            #expect(open == 0)
        }
    }

    @Test("a message over the hard limit gets close 1009, and the connection ends though the client never answers")
    func oversizedMessageEndsTheConnection() async throws {
        try await withStreamingServer(["WS_PING_SECONDS": "0.5"]) { app, port in
            let client = try RawTCPClient(port: port)
            try client.send(Data(("GET /ws/recognize?api_key=\(TestKeys.admin) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))
            var opening = Data()
            while !String(decoding: opening, as: UTF8.self).contains(#""type":"session""#) {
                guard case .bytes(let bytes) = client.read(timeout: 10) else { Issue.record("no session message"); return }
                opening += bytes
            }
            #expect(String(decoding: opening, as: UTF8.self).hasPrefix("HTTP/1.1 101"))
            // A masked text frame announcing 30 MiB (the limit is ~5.6 MB), then a little of it and silence:
            // the client neither finishes it, nor answers the close frame, nor the pings, nor closes.
            var header = Data([0x81, 0x80 | 127])
            withUnsafeBytes(of: UInt64(30 << 20).bigEndian) { header += $0 }
            try client.send(header + Data([1, 2, 3, 4]) + Data(repeating: 0x41, count: 1000))
            let rest = try #require(client.readToEnd(timeout: 10), "the server kept the connection open")
            #expect(rest.range(of: Data([0x88, 0x02, 0x03, 0xF1])) != nil, "no close frame with 1009")
            var open = try await metric("facestream_open_streams", in: app)
            for _ in 0..<100 where open != 0 {
                try await Task.sleep(for: .milliseconds(50))
                open = try await metric("facestream_open_streams", in: app)
            }
            #expect(open == 0)
        }
    }

    /// The value of the sample named `sample` (with its labels) on /metrics.
    private func metric(_ sample: String, in app: Application) async throws -> Double? {
        var value: Double?
        try await app.testing().test(.GET, "metrics", headers: .apiKey(TestKeys.admin)) { res async in
            let line = res.body.string.split(separator: "\n").first { $0.hasPrefix(sample + " ") }
            value = line.flatMap { Double($0.dropFirst(sample.count + 1)) }
        }
        return value
    }
}
