@testable import App
import FaceKit
import Fluent
import Foundation
import Testing
import Vapor

/// Sightings of real streams (real photos, a real WebSocket) posted to real HTTP receivers.
@Suite("Webhook events from streams", .serialized)
struct WebhookStreamTests {
    let composer = FrameComposer(width: 640, height: 480)

    struct Answer {
        let message: StreamClient.Message
        let sentAt: ContinuousClock.Instant
        let answeredAt: ContinuousClock.Instant
        var latency: Duration { answeredAt - sentAt }
    }

    func answer(_ client: StreamClient, _ jpeg: Data, id: Int) async throws -> Answer {
        let sentAt = ContinuousClock.now
        try await client.sendFrame(jpeg, id: id)
        let message = try await client.next()
        return Answer(message: message, sentAt: sentAt, answeredAt: .now)
    }

    /// Six frames of John Salley (left) and John Simm (right), paced like a 5 fps camera: two settled tracks.
    func twoPeople(_ client: StreamClient) async throws -> [Answer] {
        let left = try FaceFixtures.image(try FaceFixtures.johns("John_Salley")[7])
        let right = try FaceFixtures.image(try FaceFixtures.johns("John_Simm")[7])
        var answers: [Answer] = []
        for frame in 1...6 {
            let jpeg = try composer.jpeg([.init(photo: left, x: 20 + frame * 4, y: 120, size: 170),
                                          .init(photo: right, x: 420 - frame * 4, y: 130, size: 170)])
            answers.append(try await answer(client, jpeg, id: frame))
            try await Task.sleep(for: .milliseconds(200))
        }
        return answers
    }

    @discardableResult
    func enrollTheJohns(_ app: Application) async throws -> [String: Int] {
        [
            "John Salley": try await enroll("John Salley", photos: Array(try FaceFixtures.johns("John_Salley").prefix(3)), in: app),
            "John Simm": try await enroll("John Simm", photos: Array(try FaceFixtures.johns("John_Simm").prefix(3)), in: app),
        ]
    }

    @Test("every settled sighting reaches every webhook exactly once, signed with that webhook's secret")
    func exactlyOnceSigned() async throws {
        let alpha = try await WebhookReceiver.start(), beta = try await WebhookReceiver.start()
        let environment = ["WEBHOOK_URLS": "\(alpha.url),\(beta.url)", "WEBHOOK_SECRETS": "alpha-secret,beta-secret"]
        let started = Date()
        try await withStreamingServer(environment) { app, port in
            let ids = try await enrollTheJohns(app)
            let key = APIKeyCrypto.generateKey()
            try await APIKey(name: "lobby-cam", role: .recognize, key: key).create(on: app.db)
            let client = try await StreamClient.connect(port: port, query: "api_key=\(key)&session_id=lobby-cam-1")
            #expect(try await client.next().sessionID == "lobby-cam-1")
            #expect(try await twoPeople(client).allSatisfy { $0.message.faces?.count == 2 })
            // A stranger on a second stream (admin key, generated session id): one unknown track.
            let second = try await StreamClient.connect(port: port)
            let strangerSession = try #require(try await second.next().sessionID)
            let stranger = try FaceFixtures.image("face_recognition/obama.jpg")
            for frame in 1...5 {
                _ = try await answer(second, try composer.jpeg([.init(photo: stranger, x: 150 + frame * 5, y: 40, size: 300)]), id: frame)
                try await Task.sleep(for: .milliseconds(200))
            }
            await client.close()
            await second.close()

            for delivery in app.webhooks.deliveries {
                try await waitUntil(timeout: 15, "3 deliveries") { await delivery.delivered >= 3 }
                #expect(await delivery.pendingCount == 0)
                #expect(await delivery.failedAttempts == 0)
            }
            await app.sightingLog.flush()
            let rows = try await RecognitionLog.query(on: app.db).all()
            #expect(rows.count == 3)
            for (receiver, secret, other) in [(alpha, "alpha-secret", "beta-secret"), (beta, "beta-secret", "alpha-secret")] {
                let requests = receiver.requests
                #expect(requests.count == 3)  // exactly once: no retry, no duplicate
                #expect(requests.allSatisfy { WebhookSigner.isValid($0.signature ?? "", body: $0.body, secret: secret) })
                #expect(requests.allSatisfy { !WebhookSigner.isValid($0.signature ?? "", body: $0.body, secret: other) })
                let events = try requests.map { try $0.event() }
                #expect(events.map(\.eventId) == requests.map(\.eventID))
                #expect(Set(events.map(\.eventId)).count == 3)
                #expect(events.allSatisfy { $0.type == "sighting" && $0.sighting.seenAt >= started.addingTimeInterval(-1) })
                let known = events.filter { $0.person != nil }
                #expect(Set(known.map { $0.person?.name }) == ["John Salley", "John Simm"])
                #expect(known.allSatisfy { ids[$0.person?.name ?? ""] == $0.person?.userId && !$0.sighting.isUnknown })
                #expect(known.allSatisfy { $0.session.sessionId == "lobby-cam-1" && $0.session.apiKeyName == "lobby-cam" })
                let unknown = try #require(events.first { $0.person == nil })
                #expect(unknown.sighting.isUnknown && unknown.session.sessionId == strangerSession)
                #expect(unknown.session.apiKeyName == "admin (configured)")
                #expect(try requests.first { $0.eventID == unknown.eventId }?.json()["person"] is NSNull)
                // One event per log row, with the row's track, box and confidence.
                for row in rows {
                    let match = events.filter { $0.sighting.trackId == row.trackID && $0.session.sessionId == row.sessionID }
                    #expect(match.count == 1)
                    #expect(match.first?.person?.userId == row.$user.id && match.first?.sighting.bbox == row.bbox)
                    #expect(abs((match.first?.sighting.confidence ?? -1) - row.confidence) < 1e-9)
                }
            }
            // Both webhooks got the same events in the same order.
            #expect(alpha.requests.map(\.body) == beta.requests.map(\.body))
        }
        await alpha.stop()
        await beta.stop()
    }

    @Test("a receiver holding each request for 6 s doesn't slow the stream: frames are answered while it holds the event")
    func slowReceiver() async throws {
        let hold = Duration.seconds(6)
        let receiver = try await WebhookReceiver.start(hold: hold)
        let environment = ["WEBHOOK_URLS": receiver.url, "WEBHOOK_TIMEOUT_SECONDS": "30", "TRACK_TTL_SECONDS": "5"]
        try await withStreamingServer(environment) { app, port in
            let salley = try FaceFixtures.johns("John_Salley")
            try await enroll("John Salley", photos: Array(salley.prefix(3)), in: app)
            let photo = try FaceFixtures.image(salley[5])
            let client = try await StreamClient.connect(port: port)
            _ = try await client.next()
            var answers: [Answer] = []
            // Until the settled track's event has reached the receiver, then eight frames more.
            for frame in 1...40 {
                let jpeg = try composer.jpeg([.init(photo: photo, x: 60 + frame * 8, y: 80 + frame * 3, size: 200)])
                answers.append(try await answer(client, jpeg, id: frame))
                if let arrived = receiver.requests.first?.arrivedAt, answers.filter({ $0.sentAt > arrived }).count >= 8 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let stillHeld = receiver.answered.isEmpty
            let arrived = try #require(receiver.requests.first?.arrivedAt)
            let whileHeld = answers.filter { $0.sentAt > arrived }
            #expect(whileHeld.count == 8)
            // Every one of them was answered before the receiver let go of the event…
            #expect(stillHeld)
            #expect(whileHeld.allSatisfy { $0.answeredAt < arrived + hold })
            // …each far faster than the hold a blocking delivery would have added to it, and recognised.
            #expect(whileHeld.allSatisfy { $0.latency < hold / 4 }, "\(whileHeld.map(\.latency))")
            #expect(whileHeld.allSatisfy { $0.message.type == "recognition_result" && $0.message.faces?.first?.userName == "John Salley" })
            await client.close()

            let delivery = try #require(app.webhooks.deliveries.first)
            try await waitUntil(timeout: 20, "the held event to be delivered") { await delivery.delivered == 1 }
            #expect(receiver.requests.count == 1)
            #expect(await delivery.failedAttempts == 0)
            #expect(try receiver.requests.first?.event().person?.name == "John Salley")
        }
        await receiver.stop()
    }

    @Test("events queued while the receiver is down are delivered, once each, when it comes up on the same port")
    func receiverComesUpLater() async throws {
        // The port is held by a listener that never accepts until the receiver takes it (each attempt
        // meanwhile ends at the 5 s request deadline), so no other test's server can be given it.
        let silent = try SilentTCPListener()
        let hookPort = silent.port
        let environment = ["WEBHOOK_URLS": "http://127.0.0.1:\(hookPort)/hook", "WEBHOOK_SECRETS": "later",
                           "WEBHOOK_QUEUE_SIZE": "5", "WEBHOOK_TIMEOUT_SECONDS": "5"]
        let receiver = try await withStreamingServer(environment) { app, port -> WebhookReceiver in
            try await enrollTheJohns(app)
            let client = try await StreamClient.connect(port: port)
            _ = try await client.next()
            let answers = try await twoPeople(client)
            await client.close()
            #expect(answers.allSatisfy { $0.message.type == "recognition_result" && $0.message.faces?.count == 2 })
            #expect(answers.allSatisfy { $0.latency < .seconds(5) / 2 }, "\(answers.map(\.latency))")  // half the request timeout

            let delivery = try #require(app.webhooks.deliveries.first)
            try await waitUntil(timeout: 20, "failed attempts with both events queued") {
                let failed = await delivery.failedAttempts, pending = await delivery.pendingCount
                return failed >= 1 && pending == 2
            }
            #expect(await delivery.delivered == 0)

            silent.close()
            let receiver = try await WebhookReceiver.start(port: hookPort)
            // Within the current back-off (at most 30 s) and an attempt still waiting on the closed listener.
            let requests = try await receiver.waitForRequests(2, timeout: 40)
            try await waitUntil(timeout: 10, "the queue to empty") { await delivery.pendingCount == 0 }
            #expect(await delivery.delivered == 2)
            #expect(await delivery.dropped == 0)
            #expect(receiver.requests.count == 2)
            let events = try requests.map { try $0.event() }
            #expect(Set(events.compactMap { $0.person?.name }) == ["John Salley", "John Simm"])
            #expect(Set(events.map(\.eventId)).count == 2)
            #expect(requests.allSatisfy { WebhookSigner.isValid($0.signature ?? "", body: $0.body, secret: "later") })
            return receiver
        }
        await receiver.stop()
    }
}
