import Foundation

/// The webhooks sightings are posted to (WEBHOOK_URLS, WEBHOOK_SECRETS, WEBHOOK_QUEUE_SIZE,
/// WEBHOOK_TIMEOUT_SECONDS). No URLs: no webhooks, and nothing of this runs.
public struct WebhookConfiguration: Sendable, Equatable {
    public struct Endpoint: Sendable, Equatable {
        /// 1-based position in WEBHOOK_URLS: the `webhook` label of the metrics.
        public var index: Int
        public var url: String
        /// The HMAC-SHA256 key; nil: events go out unsigned.
        public var secret: String?

        /// Scheme, host and port only: what logs show. The path is left out because it often is
        /// the credential (Home Assistant's webhook id).
        public var displayName: String {
            guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
                return "webhook \(index)"
            }
            return "webhook \(index) (\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? ""))"
        }
    }

    public var endpoints: [Endpoint] = []
    /// Events waiting per webhook; past it the oldest is dropped.
    public var queueSize = 1000
    /// Per delivery attempt, connecting included.
    public var timeoutSeconds = 5.0

    public init() {}
}

extension WebhookConfiguration {
    /// Secrets: unset (every webhook unsigned), one (used for every webhook) or one per URL in the
    /// same order, where an empty entry leaves that webhook unsigned. Neither URLs (they may carry a
    /// token) nor secrets are echoed in errors.
    init(_ env: EnvironmentReader) throws(ConfigurationError) {
        queueSize = try env.int("WEBHOOK_QUEUE_SIZE", default: 1000, in: 1...1_000_000)
        timeoutSeconds = try env.double("WEBHOOK_TIMEOUT_SECONDS", default: 5, lower: 0, lowerExclusive: true, upper: 300)
        let urls = try Self.urls(env.raw("WEBHOOK_URLS"))
        let secrets = try Self.secrets(env.raw("WEBHOOK_SECRETS"), webhooks: urls.count)
        endpoints = urls.indices.map { Endpoint(index: $0 + 1, url: urls[$0], secret: secrets[$0]) }
    }

    private static func urls(_ value: String?) throws(ConfigurationError) -> [String] {
        guard let value else { return [] }
        let entries = value.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for (offset, entry) in entries.enumerated() {
            let position = "entry \(offset + 1) of \(entries.count)"
            guard !entry.isEmpty else {
                throw ConfigurationError(variable: "WEBHOOK_URLS", value: nil, expected: "\(position) is empty; expected comma-separated http:// or https:// URLs")
            }
            guard let components = URLComponents(string: entry), let scheme = components.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
                throw ConfigurationError(variable: "WEBHOOK_URLS", value: nil, expected: "\(position) is not an http:// or https:// URL with a host")
            }
        }
        return entries
    }

    private static func secrets(_ value: String?, webhooks: Int) throws(ConfigurationError) -> [String?] {
        guard let value else { return Array(repeating: nil, count: webhooks) }
        guard webhooks > 0 else {
            throw ConfigurationError(variable: "WEBHOOK_SECRETS", value: nil, expected: "set without WEBHOOK_URLS; expected the URLs as well")
        }
        let entries = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if entries.count == 1 { return Array(repeating: entries[0], count: webhooks) }
        guard entries.count == webhooks else {
            throw ConfigurationError(variable: "WEBHOOK_SECRETS", value: nil,
                                     expected: "expected one secret for all webhooks or one per URL (\(webhooks)), got \(entries.count)")
        }
        return entries.map { $0.isEmpty ? nil : $0 }
    }
}
