import Fluent
import Foundation

/// A person who can be recognised. Table `users`.
public final class User: Model, @unchecked Sendable {
    // @unchecked: Fluent models are mutable reference types by design (property wrappers);
    // this is Fluent's documented pattern. Don't share one instance across tasks.
    public static let schema = "users"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    /// Unique when set; several users may have none.
    @OptionalField(key: "email") public var email: String?
    /// Unique when set; several users may have none.
    @OptionalField(key: "employee_id") public var employeeID: String?
    /// Inactive users stay enrolled but are not reported as recognised.
    @Field(key: "is_active") public var isActive: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    @Children(for: \.$user) public var embeddings: [FaceEmbedding]

    public init() {}

    public init(id: Int? = nil, name: String, email: String? = nil, employeeID: String? = nil, isActive: Bool = true) {
        self.id = id
        self.name = name
        self.email = email
        self.employeeID = employeeID
        self.isActive = isActive
    }
}
