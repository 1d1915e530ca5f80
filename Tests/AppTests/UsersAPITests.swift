@testable import App
import FaceKit
import Fluent
import Testing
import VaporTesting

@Suite("People API", .serialized)
struct UsersAPITests {
    @Test func createNormalisesAndReturns201() async throws {
        try await withApp { app in
            let body = try ByteBuffer.json(["name": "  Ada Lovelace ", "email": " Ada@Example.COM ", "employee_id": "E-1"])
            try await app.testing().test(.POST, "api/users", headers: .json(), body: body) { res async throws in
                #expect(res.status == .created)
                let user = try res.content.decode(UserDTO.self)
                #expect(user.name == "Ada Lovelace" && user.email == "ada@example.com" && user.employeeID == "E-1")
                #expect(user.isActive && user.faceCount == 0 && user.createdAt != nil && user.updatedAt != nil)
                #expect(res.headers.first(name: .location) == "/api/users/\(user.id)")
                // Every field is present, nulls included.
                let json = try #require(try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])
                #expect(Set(json.keys) == ["id", "name", "email", "employee_id", "is_active", "face_count", "created_at", "updated_at"])
            }
            try await app.testing().test(.POST, "api/users", headers: .json(), body: .json(["name": "Bob"])) { res async throws in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])
                #expect(json["email"] is NSNull && json["employee_id"] is NSNull)
            }
        }
    }

    @Test func createValidates() async throws {
        try await withApp { app in
            let bad: [[String: String]] = [
                ["name": "   "], ["name": String(repeating: "x", count: 201)], ["name": "A", "email": "not-an-email"],
                ["name": "A", "email": "a@b"], ["name": "A", "email": "a b@c.de"], ["email": "a@b.de"],
                // Control characters (PostgreSQL can't store U+0000 at all: this was a 500 there).
                ["name": "A\u{0}B"], ["name": "bell\u{7}"], ["name": "A", "email": "a\u{0}@b.de"], ["name": "A", "employee_id": "e\u{1B}[31m"],
            ]
            for fields in bad {
                try await app.testing().test(.POST, "api/users", headers: .json(), body: .json(fields)) { res async throws in
                    #expect(res.status == .unprocessableEntity, "\(fields)")
                    #expect(try res.errorBody().error.code == "validation_failed")
                }
            }
            try await app.testing().test(.POST, "api/users", headers: .json(), body: .json(["name": String(repeating: "é", count: 200)])) { res async in
                #expect(res.status == .created)
            }
            // White space around a name, tabs and newlines included, is trimmed, not refused.
            try await app.testing().test(.POST, "api/users", headers: .json(), body: .json(["name": "\tAda Lovelace\n"])) { res async throws in
                #expect(res.status == .created)
                #expect(try res.content.decode(UserDTO.self).name == "Ada Lovelace")
            }
            try await app.testing().test(.POST, "api/users", headers: .apiKey(TestKeys.admin), body: ByteBuffer(string: "name=x")) { res async throws in
                #expect(res.status == .unsupportedMediaType)
            }
        }
    }

    @Test func duplicatesAre409() async throws {
        try await withApp { app in
            try await createUser("A", email: "same@example.com", employeeID: "E1", in: app)
            for fields in [["name": "B", "email": "SAME@example.com"], ["name": "B", "employee_id": "E1"]] {
                try await app.testing().test(.POST, "api/users", headers: .json(), body: .json(fields)) { res async throws in
                    #expect(res.status == .conflict)
                    #expect(try res.errorBody().error.code == "conflict")
                }
            }
            let other = try await createUser("C", email: "c@example.com", in: app)
            try await app.testing().test(.PATCH, "api/users/\(other.id)", headers: .json(), body: .json(["email": "same@example.com"])) { res async throws in
                #expect(res.status == .conflict)
            }
        }
    }

    @Test func listPagesSearchesAndFilters() async throws {
        try await withApp { app in
            for index in 1...25 {
                try await createUser("Person \(index)", email: "p\(index)@example.com", employeeID: "EMP-\(index)", in: app)
            }
            try await createUser("Zoë 100%_real", in: app)
            let inactive = try await createUser("Dormant", in: app)
            try await app.testing().test(.PATCH, "api/users/\(inactive.id)", headers: .json(), body: .json(["is_active": false])) { res async in
                #expect(res.status == .ok)
            }

            let first = try await page(app, "")
            #expect(first.total == 27 && first.page == 1 && first.perPage == 20 && first.items.count == 20)
            #expect(first.items.map(\.id) == first.items.map(\.id).sorted())
            let last = try await page(app, "page=2&per_page=20")
            #expect(last.items.count == 7 && last.total == 27)
            #expect(try await page(app, "page=9").items.isEmpty)
            #expect(try await page(app, "q=PERSON%201").total == 11)  // 1, 10…19
            #expect(try await page(app, "q=p2@EXAMPLE").items.map(\.name) == ["Person 2"])
            #expect(try await page(app, "q=emp-25").items.map(\.name) == ["Person 25"])
            #expect(try await page(app, "q=100%25_").items.map(\.name) == ["Zoë 100%_real"])  // % and _ are literal
            #expect(try await page(app, "q=%25").total == 1)
            #expect(try await page(app, "is_active=false").items.map(\.name) == ["Dormant"])
            #expect(try await page(app, "is_active=true&per_page=100").total == 26)

            for query in ["per_page=101", "per_page=0", "page=0", "page=x", "is_active=maybe", "q=a%00b"] {
                try await app.testing().test(.GET, "api/users?\(query)", headers: .apiKey(TestKeys.admin)) { res async throws in
                    #expect(res.status == .unprocessableEntity, "\(query)")
                    #expect(try res.errorBody().error.code == "validation_failed")
                }
            }
        }
    }

    @Test func getPatchAndNotFound() async throws {
        try await withApp { app in
            let user = try await createUser("Grace", email: "grace@example.com", employeeID: "G1", in: app)
            try await app.testing().test(.GET, "api/users/\(user.id)", headers: .apiKey(TestKeys.admin)) { res async throws in
                #expect(try res.content.decode(UserDTO.self) == user)
            }
            let patch = try ByteBuffer.json(PatchBody(name: " Grace Hopper ", email: .some(nil)))
            try await app.testing().test(.PATCH, "api/users/\(user.id)", headers: .json(), body: patch) { res async throws in
                #expect(res.status == .ok)
                let updated = try res.content.decode(UserDTO.self)
                #expect(updated.name == "Grace Hopper" && updated.email == nil && updated.employeeID == "G1")
            }
            for body in [#"{"name":null}"#, #"{"name":""}"#, #"{"is_active":"yes"}"#, #"{"email":"nope"}"#] {
                try await app.testing().test(.PATCH, "api/users/\(user.id)", headers: .json(), body: ByteBuffer(string: body)) { res async in
                    #expect(res.status == .unprocessableEntity, "\(body)")
                }
            }
            for path in ["api/users/999999", "api/users/abc", "api/users/1.5"] {
                for method in [HTTPMethod.GET, .DELETE] {
                    try await app.testing().test(method, path, headers: .apiKey(TestKeys.admin)) { res async throws in
                        #expect(res.status == .notFound, "\(method) \(path)")
                        #expect(try res.errorBody().error.code == "not_found")
                    }
                }
            }
        }
    }

    @Test func deleteRemovesEmbeddingsAndDetachesLogs() async throws {
        try await withApp { app in
            let user = try await createUser("Doomed", in: app)
            let keep = try await createUser("Kept", in: app)
            let embedding = try Embedding([Float](repeating: 0.01, count: 128))
            for owner in [user.id, user.id, keep.id] {
                try await FaceEmbedding(userID: owner, embedding: embedding, qualityScore: 0.9).create(on: app.db)
            }
            let log = RecognitionLog(userID: user.id, trackID: "1", confidence: 0.9, isUnknown: false, bbox: [1, 2, 3, 4], sessionID: "s")
            try await log.create(on: app.db)
            try await app.testing().test(.GET, "api/users/\(user.id)", headers: .apiKey(TestKeys.admin)) { res async throws in
                #expect(try res.content.decode(UserDTO.self).faceCount == 2)
            }

            try await app.testing().test(.DELETE, "api/users/\(user.id)", headers: .apiKey(TestKeys.admin)) { res async in
                #expect(res.status == .noContent)
            }
            #expect(try await User.find(user.id, on: app.db) == nil)
            #expect(try await FaceEmbedding.query(on: app.db).filter(\.$user.$id == user.id).count() == 0)
            #expect(try await FaceEmbedding.query(on: app.db).count() == 1)
            let detached = try #require(try await RecognitionLog.find(log.id, on: app.db))
            #expect(detached.$user.id == nil)
            try await app.testing().test(.GET, "api/users/\(user.id)", headers: .apiKey(TestKeys.admin)) { res async in
                #expect(res.status == .notFound)
            }
        }
    }

    private func page(_ app: Application, _ query: String) async throws -> PageDTO<UserDTO> {
        let response = try await app.testing().sendRequest(.GET, "api/users?\(query)", headers: .apiKey(TestKeys.admin))
        #expect(response.status == .ok, "\(query): \(response.body.string)")
        return try response.content.decode(PageDTO<UserDTO>.self)
    }

    /// A PATCH body that can say `"email": null`.
    struct PatchBody: Encodable {
        var name: String?
        var email: String??

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(name, forKey: .name)
            if let email { try container.encode(email, forKey: .email) }
        }

        enum CodingKeys: String, CodingKey { case name, email }
    }
}
