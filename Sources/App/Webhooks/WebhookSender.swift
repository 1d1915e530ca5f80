import AsyncHTTPClient
import Foundation
import NIOCore
import Vapor

/// One POST of one event to one webhook: headers, signature, per-request deadline. Succeeds on a
/// 2xx answer; anything else (refused, timed out, other status, cancelled) is a failure the caller
/// retries.
struct WebhookSender: Sendable {
    enum Outcome: Sendable, Equatable {
        case delivered
        case failed(String)
    }

    let endpoint: WebhookConfiguration.Endpoint
    let client: HTTPClient
    let timeout: TimeAmount
    let logger: Logger

    init(endpoint: WebhookConfiguration.Endpoint, client: HTTPClient, timeoutSeconds: Double, logger: Logger) {
        self.endpoint = endpoint
        self.client = client
        self.timeout = .milliseconds(Int64(timeoutSeconds * 1000))
        self.logger = logger
    }

    func send(eventID: String, body: Data) async -> Outcome {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "FaceStream/\(FaceStreamVersion.current)")
        request.headers.add(name: "X-FaceStream-Event", value: WebhookEvent.type)
        request.headers.add(name: "X-FaceStream-Event-ID", value: eventID)
        if let secret = endpoint.secret {
            request.headers.add(name: WebhookSigner.header, value: WebhookSigner.signature(of: body, secret: secret))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            // The deadline covers connecting and the answer; its body is read (and ignored) so the
            // connection can be reused, but a 2xx counts even if the body can't be.
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? .delivered : .failed("HTTP \(response.status.code)")
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            return .failed("no answer within \(timeout.nanoseconds / 1_000_000) ms")
        } catch {
            return .failed(String(describing: error))
        }
    }
}
