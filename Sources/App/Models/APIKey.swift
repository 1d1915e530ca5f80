import Fluent
import Foundation

/// An API key besides the configured admin key. Only the SHA-256 of the key is stored; the key
/// itself is shown once, when it is created. Table `api_keys`.
public final class APIKey: Model, @unchecked Sendable {
    // @unchecked: Fluent's documented model pattern (mutable property wrappers); don't share across tasks.
    public static let schema = "api_keys"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @Field(key: "role") public var role: APIRole
    /// Lowercase hex SHA-256 of the key; unique.
    @Field(key: "key_hash") public var keyHash: String
    /// First 8 characters of the key, so operators can tell keys apart.
    @Field(key: "key_prefix") public var keyPrefix: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @OptionalField(key: "last_used_at") public var lastUsedAt: Date?

    public init() {}

    /// Stores the hash and prefix of `key`; the key itself is not kept.
    public init(id: Int? = nil, name: String, role: APIRole, key: String) {
        self.id = id
        self.name = name
        self.role = role
        self.keyHash = APIKeyCrypto.hash(key)
        self.keyPrefix = APIKeyCrypto.displayPrefix(key)
    }
}
