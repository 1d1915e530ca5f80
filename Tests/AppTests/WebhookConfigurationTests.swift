@testable import App
import Foundation
import Testing

@Suite("Webhook configuration, events and signatures")
struct WebhookConfigurationTests {
    func webhooks(_ environment: [String: String]) throws(ConfigurationError) -> WebhookConfiguration {
        try AppConfig(environment: environment.merging(["DATA_DIR": "/srv/fs"]) { $1 }).webhooks
    }

    func error(_ environment: [String: String]) -> ConfigurationError? {
        do {
            _ = try webhooks(environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func defaultsAreNoWebhooks() throws {
        let config = try webhooks([:])
        #expect(config.endpoints.isEmpty)
        #expect(config.queueSize == 1000 && config.timeoutSeconds == 5)
    }

    @Test func urlsSecretsQueueAndTimeoutAreRead() throws {
        let config = try webhooks([
            "WEBHOOK_URLS": " http://ha.local:8123/api/webhook/abc , https://hooks.example.com/fs",
            "WEBHOOK_SECRETS": "first-secret, ", "WEBHOOK_QUEUE_SIZE": "7", "WEBHOOK_TIMEOUT_SECONDS": "0.5",
        ])
        #expect(config.endpoints == [
            .init(index: 1, url: "http://ha.local:8123/api/webhook/abc", secret: "first-secret"),
            .init(index: 2, url: "https://hooks.example.com/fs", secret: nil),
        ])
        #expect(config.queueSize == 7 && config.timeoutSeconds == 0.5)
        // Logs name the host, never the path (Home Assistant's webhook id is the credential).
        #expect(config.endpoints.map(\.displayName) == ["webhook 1 (http://ha.local:8123)", "webhook 2 (https://hooks.example.com)"])
    }

    @Test func oneSecretSignsEveryWebhook() throws {
        let config = try webhooks(["WEBHOOK_URLS": "http://a/1,http://b/2,http://c/3", "WEBHOOK_SECRETS": "shared"])
        #expect(config.endpoints.map(\.secret) == ["shared", "shared", "shared"])
        #expect(try webhooks(["WEBHOOK_URLS": "http://a/1"]).endpoints.map(\.secret) == [nil])
    }

    @Test func invalidValuesNameTheVariableAndHideSecretsAndURLs() {
        let badURL = error(["WEBHOOK_URLS": "http://ok/1,ftp://files/secret-token"])
        #expect(badURL == ConfigurationError(variable: "WEBHOOK_URLS", value: nil, expected: "entry 2 of 2 is not an http:// or https:// URL with a host"))
        #expect(error(["WEBHOOK_URLS": "http://ok/1,,http://ok/2"])?.expected == "entry 2 of 3 is empty; expected comma-separated http:// or https:// URLs")
        #expect(error(["WEBHOOK_URLS": "not a url"])?.variable == "WEBHOOK_URLS")
        #expect(error(["WEBHOOK_URLS": "http:///no-host"])?.variable == "WEBHOOK_URLS")
        let count = error(["WEBHOOK_URLS": "http://a/1,http://b/2,http://c/3", "WEBHOOK_SECRETS": "s1,s2"])
        #expect(count == ConfigurationError(variable: "WEBHOOK_SECRETS", value: nil, expected: "expected one secret for all webhooks or one per URL (3), got 2"))
        #expect(count?.description.contains("s1") == false)
        #expect(error(["WEBHOOK_SECRETS": "orphan"])?.expected == "set without WEBHOOK_URLS; expected the URLs as well")
        #expect(error(["WEBHOOK_URLS": "http://a/1", "WEBHOOK_QUEUE_SIZE": "0"])?.variable == "WEBHOOK_QUEUE_SIZE")
        #expect(error(["WEBHOOK_URLS": "http://a/1", "WEBHOOK_TIMEOUT_SECONDS": "0"])?.value == "0")
    }

    @Test("the signature is HMAC-SHA256 of the exact body, hex, as RFC 4231 test case 2 gives it")
    func signature() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        let body = Data("what do ya want for nothing?".utf8)
        let expected = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(WebhookSigner.signature(of: body, secret: "Jefe") == expected)
        #expect(WebhookSigner.isValid(expected, body: body, secret: "Jefe"))
        #expect(!WebhookSigner.isValid(expected, body: body + Data(" ".utf8), secret: "Jefe"))
        #expect(!WebhookSigner.isValid(expected, body: body, secret: "jefe"))
    }

    @Test("the event JSON: snake_case, sorted keys, ISO 8601, person and api_key_name null when absent")
    func eventJSON() throws {
        let row = SightingLogWriter.Sighting(userID: 4, trackID: "3", confidence: 0.5, isUnknown: false, bbox: [1, 2, 30, 40],
                                             sessionID: "lobby-cam-1", seenAt: Date(timeIntervalSince1970: 1_800_000_000))
        let known = try WebhookEvent(row, personName: "Ada / Lovelace", apiKeyName: "lobby-cam", eventID: "e-1").body()
        #expect(String(decoding: known, as: UTF8.self) == """
            {"event_id":"e-1","person":{"name":"Ada / Lovelace","user_id":4},"session":{"api_key_name":"lobby-cam","session_id":"lobby-cam-1"},\
            "sighting":{"bbox":[1,2,30,40],"confidence":0.5,"is_unknown":false,"seen_at":"2027-01-15T08:00:00Z","track_id":"3"},"type":"sighting"}
            """)
        let stranger = SightingLogWriter.Sighting(userID: nil, trackID: "9", confidence: 1, isUnknown: true, bbox: [0, 0, 1, 1],
                                                  sessionID: "s", seenAt: .now)
        let unknown = try JSONSerialization.jsonObject(with: WebhookEvent(stranger, personName: nil, apiKeyName: nil).body()) as? [String: Any]
        #expect(unknown?["person"] is NSNull)
        #expect((unknown?["session"] as? [String: Any])?["api_key_name"] is NSNull)
        #expect((unknown?["event_id"] as? String)?.count == 36)
    }
}
