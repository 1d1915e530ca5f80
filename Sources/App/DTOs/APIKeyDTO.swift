import Vapor

/// An API key as listings show it: never the key or its hash, only the display prefix.
public struct APIKeyDTO: Content, Equatable {
    public var id: Int
    public var name: String
    public var role: APIRole
    public var keyPrefix: String
    public var createdAt: Date?
    public var lastUsedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, role
        case keyPrefix = "key_prefix"
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
    }
}

extension APIKey {
    public func toDTO() throws -> APIKeyDTO {
        APIKeyDTO(id: try requireID(), name: name, role: role, keyPrefix: keyPrefix,
                  createdAt: createdAt, lastUsedAt: lastUsedAt)
    }
}
