import Fluent
import Vapor

/// E-mail and employee id are unique among users. Checked before writing so the 409 can say which
/// field clashes; the database's unique constraints still catch a concurrent duplicate (also 409).
enum UserUniqueness {
    static func check(_ user: User, on db: any Database) async throws {
        if let email = user.email, try await taken(\.$email, email, by: user, on: db) {
            throw FaceStreamError.conflict("a user with email \(email) already exists")
        }
        if let employeeID = user.employeeID, try await taken(\.$employeeID, employeeID, by: user, on: db) {
            throw FaceStreamError.conflict("a user with employee_id \(employeeID) already exists")
        }
    }

    private static func taken(_ field: KeyPath<User, OptionalFieldProperty<User, String>>, _ value: String, by user: User,
                              on db: any Database) async throws -> Bool {
        let query = User.query(on: db).filter(field == value)
        if let id = user.id { query.filter(\.$id != id) }
        return try await query.first() != nil
    }
}
