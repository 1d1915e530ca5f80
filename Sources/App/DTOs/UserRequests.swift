import Vapor

/// `POST /api/users`.
struct CreateUserRequest: Content {
    var name: String
    var email: String?
    var employeeID: String?

    enum CodingKeys: String, CodingKey {
        case name, email
        case employeeID = "employee_id"
    }
}

/// `PATCH /api/users/{id}`: only the fields present change. `email` and `employee_id` may be set to
/// `null` to clear them, so "absent" and "null" are told apart (`.some(nil)` is an explicit null).
struct UpdateUserRequest: Decodable {
    var name: String?
    var email: String??
    var employeeID: String??
    var isActive: Bool?

    enum CodingKeys: String, CodingKey {
        case name, email
        case employeeID = "employee_id"
        case isActive = "is_active"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        isActive = try container.decodeIfPresent(Bool.self, forKey: .isActive)
        email = try Self.clearable(container, .email)
        employeeID = try Self.clearable(container, .employeeID)
        if container.contains(.name) && name == nil {
            throw FaceStreamError.validationFailed("name: can't be null")
        }
        if container.contains(.isActive) && isActive == nil {
            throw FaceStreamError.validationFailed("is_active: can't be null")
        }
    }

    private static func clearable(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String?? {
        guard container.contains(key) else { return .none }
        return .some(try container.decodeNil(forKey: key) ? nil : container.decode(String.self, forKey: key))
    }
}

/// `POST /api/users/{id}/merge`.
struct MergeUsersRequest: Content {
    var fromUserID: Int

    enum CodingKeys: String, CodingKey {
        case fromUserID = "from_user_id"
    }
}
