import Vapor

/// A user as the API shows it. `face_count` is how many face embeddings are enrolled.
public struct UserDTO: Content, Equatable {
    public var id: Int
    public var name: String
    @ExplicitNull public var email: String?
    @ExplicitNull public var employeeID: String?
    public var isActive: Bool
    public var faceCount: Int
    @ExplicitNull public var createdAt: Date?
    @ExplicitNull public var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, email
        case employeeID = "employee_id"
        case isActive = "is_active"
        case faceCount = "face_count"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

extension User {
    /// Only for saved users (they have an id).
    public func toDTO(faceCount: Int) throws -> UserDTO {
        UserDTO(id: try requireID(), name: name, email: email, employeeID: employeeID,
                isActive: isActive, faceCount: faceCount, createdAt: createdAt, updatedAt: updatedAt)
    }
}
