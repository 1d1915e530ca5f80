import Vapor

/// A user as the API shows it.
public struct UserDTO: Content, Equatable {
    public var id: Int
    public var name: String
    public var email: String?
    public var employeeID: String?
    public var isActive: Bool
    public var createdAt: Date?
    public var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, email
        case employeeID = "employee_id"
        case isActive = "is_active"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

extension User {
    /// Only for saved users (they have an id).
    public func toDTO() throws -> UserDTO {
        UserDTO(id: try requireID(), name: name, email: email, employeeID: employeeID,
                isActive: isActive, createdAt: createdAt, updatedAt: updatedAt)
    }
}
