@testable import App
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A real webhook endpoint: a second Vapor application listening on 127.0.0.1 that records every
/// `POST /hook` (headers, exact body bytes, when it arrived and when it was answered). It can hold
/// each request before answering (a slow receiver) and answer the first requests with chosen statuses.
final class WebhookReceiver: Sendable {
    struct Request: Sendable {
        let headers: HTTPHeaders
        let body: Data
        let arrivedAt: ContinuousClock.Instant

        var eventID: String? { headers.first(name: "X-FaceStream-Event-ID") }
        var signature: String? { headers.first(name: WebhookSigner.header) }
        /// The body as JSON, keeping `null`s visible (`NSNull`).
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw TestSetupError("body is not an object") }
            return object
        }

        func event() throws -> SightingEvent {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(SightingEvent.self, from: body)
        }
    }

    /// What a receiver reads from a sighting event (decoded independently of the server's types).
    struct SightingEvent: Decodable, Sendable {
        struct Sighting: Decodable, Sendable {
            let trackId: String
            let isUnknown: Bool
            let confidence: Double
            let bbox: [Int]
            let seenAt: Date
        }

        struct Person: Decodable, Sendable {
            let userId: Int
            let name: String?
        }

        struct Session: Decodable, Sendable {
            let sessionId: String
            let apiKeyName: String?
        }

        let type: String
        let eventId: String
        let sighting: Sighting
        let person: Person?
        let session: Session
    }

    private struct State {
        var requests: [Request] = []
        var answered: [ContinuousClock.Instant] = []
        var statuses: [HTTPStatus]
        /// GETs of `/hook`: what a client that follows a redirect from `/moved` would send.
        var redirectedGets = 0
    }

    let port: Int
    private let app: Application
    private let state: NIOLockedValueBox<State>

    var url: String { "http://127.0.0.1:\(port)/hook" }
    /// Answers 303 See Other to `/hook`.
    var movedURL: String { "http://127.0.0.1:\(port)/moved" }
    var redirectedGets: Int { state.withLockedValue { $0.redirectedGets } }
    var requests: [Request] { state.withLockedValue { $0.requests } }
    /// When each request was answered, in order.
    var answered: [ContinuousClock.Instant] { state.withLockedValue { $0.answered } }

    private init(app: Application, port: Int, state: NIOLockedValueBox<State>) {
        self.app = app
        self.port = port
        self.state = state
    }

    /// - Parameters:
    ///   - port: 0 for any free port; a given port to come up where a webhook was already pointed.
    ///   - hold: how long each request is held before it is answered.
    ///   - statuses: answers for the first requests, in order; 204 after them.
    static func start(port: Int = 0, hold: Duration = .zero, statuses: [HTTPStatus] = []) async throws -> WebhookReceiver {
        _ = TestLogging.bootstrap
        let app = try await Application.make(.testing)
        let state = NIOLockedValueBox(State(statuses: statuses))
        app.on(.POST, "hook", body: .collect(maxSize: "1mb")) { req async throws -> HTTPStatus in
            let body = req.body.data.map { Data($0.readableBytesView) } ?? Data()
            let status = state.withLockedValue { state in
                state.requests.append(Request(headers: req.headers, body: body, arrivedAt: .now))
                return state.statuses.isEmpty ? .noContent : state.statuses.removeFirst()
            }
            if hold > .zero { try await Task.sleep(for: hold) }
            state.withLockedValue { $0.answered.append(.now) }
            return status
        }
        app.on(.POST, "moved") { req -> Response in req.redirect(to: "/hook", redirectType: .normal) }
        app.on(.GET, "hook") { _ -> HTTPStatus in
            state.withLockedValue { $0.redirectedGets += 1 }
            return .ok
        }
        do {
            try await app.server.start(address: .hostname("127.0.0.1", port: port))
            guard let bound = app.http.server.shared.localAddress?.port else { throw TestSetupError("receiver has no port") }
            return WebhookReceiver(app: app, port: bound, state: state)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// The first `count` requests, once they have arrived; fails after `timeout` seconds.
    func waitForRequests(_ count: Int, timeout: Double = 10) async throws -> [Request] {
        try await waitUntil(timeout: timeout, "\(count) webhook requests (got \(requests.count))") { self.requests.count >= count }
        return Array(requests.prefix(count))
    }

    func stop() async {
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }
}

/// Polls `condition` every 20 ms until it holds; throws after `timeout` seconds.
func waitUntil(timeout: Double, _ what: @autoclosure () -> String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    if try await condition() { return }
    throw TestSetupError("timed out after \(timeout) s waiting for \(what())")
}

