@testable import App
import FaceKit
import Fluent
import Foundation
import Testing
import VaporTesting

/// `/api/v1` with real photos and models: CompreFace's shapes, its error codes, the roles, the
/// subject ↔ person mapping (namesakes, merging) and that both APIs see the same people and faces.
/// (The CompreFace Python SDK itself runs against a live server in `scripts/compreface-test`.)
@Suite("CompreFace API", .serialized)
struct CompreFaceAPITests {
    @Test func facesAndSubjectsAreFaceStreamsPeople() async throws {
        try await withFaceApp { app in
            let http = try await app.live()
            let salley = try FaceFixtures.johns("John_Salley"), savage = try FaceFixtures.johns("John_Savage")

            // Multipart and base64 JSON adds; the first creates the person.
            let first = try await add(salley[0], subject: "John Salley", via: http)
            #expect(first.subject == "John Salley" && Int(first.imageID) != nil)
            _ = try await add(salley[1], subject: "John Salley", via: http)
            let json = try ByteBuffer.json(["file": try FaceFixtures.data(savage[0]).base64EncodedString()])
            try await http.test(.POST, "api/v1/recognition/faces?subject=John%20Savage", headers: .json(), body: json) { res async throws in
                #expect(res.status == .created, "\(res.body.string)")
                #expect(try res.content.decode(CompreFaceImageDTO.self).subject == "John Savage")
            }

            // FaceStream's API sees them, and a person enrolled there is a subject here.
            let users = try await http.sendRequest(.GET, "api/users", headers: .apiKey(TestKeys.admin)).content.decode(PageDTO<UserDTO>.self).items
            #expect(users.map(\.name) == ["John Salley", "John Savage"] && users.map(\.faceCount) == [2, 1])
            let simm = try await createUser("John Simm", in: app)
            let enrol = try MultipartBody.photos([try FaceFixtures.johns("John_Simm")[0]])
            #expect(try await http.sendRequest(.POST, "api/users/\(simm.id)/faces", headers: MultipartBody.headers(), body: enrol.body).status == .created)
            #expect(try await subjects(via: http) == ["John Salley", "John Savage", "John Simm"])
            let page = try await http.sendRequest(.GET, "api/v1/recognition/faces?page=1&size=2", headers: .apiKey(TestKeys.admin))
                .content.decode(CompreFaceFacePageDTO.self)
            #expect(page.totalElements == 4 && page.totalPages == 2 && page.pageNumber == 1 && page.faces.map(\.subject) == ["John Savage", "John Simm"])

            // Two people with one name: the first is "John Salley", the other "John Salley #<id>".
            let namesake = try await createUser("John Salley", in: app)
            let namesakeSubject = "John Salley #\(namesake.id)"
            #expect(try await subjects(via: http) == ["John Salley", "John Savage", "John Simm", namesakeSubject])
            let added = try await add(salley[2], subject: namesakeSubject, via: http)
            #expect(added.subject == namesakeSubject)
            #expect(try await faceCount(of: namesake.id, via: http) == 1)

            // Renaming onto an existing subject merges: faces (and sightings) move, the source goes.
            try await http.test(.PUT, "api/v1/recognition/subjects/\(escaped(namesakeSubject))", headers: .json(),
                                body: .json(["subject": "John Salley"])) { res async throws in
                #expect(res.status == .ok && res.body.string.contains(#""updated":true"#), "\(res.body.string)")
            }
            #expect(try await subjects(via: http) == ["John Salley", "John Savage", "John Simm"])
            #expect(try await faceCount(of: first.userID(in: users), via: http) == 3)
            #expect(app.faceRuntime?.gallery.count == 5)
            let probe = try await recognize(salley[3], via: http)
            #expect(probe.first?.subjects?.first?.subject == "John Salley")

            // A plain rename answers under the new name at once.
            _ = try await http.sendRequest(.PUT, "api/v1/recognition/subjects/John%20Savage", headers: .json(), body: .json(["subject": "J. Savage"]))
            #expect(try await recognize(savage[4], via: http).first?.subjects?.first?.subject == "J. Savage")

            // Deleting a subject's faces keeps the person; deleting the subject removes both.
            try await http.test(.DELETE, "api/v1/recognition/faces?subject=J.%20Savage", headers: .apiKey(TestKeys.admin)) { res async throws in
                #expect(try res.content.decode(CompreFaceDeletedDTO.self).deleted == 1)
            }
            #expect(try await subjects(via: http).contains("J. Savage"))
            #expect(try await recognize(savage[4], via: http).first?.subjects?.contains { $0.subject == "J. Savage" } == false)
            try await http.test(.DELETE, "api/v1/recognition/subjects/John%20Simm", headers: .apiKey(TestKeys.admin)) { res async throws in
                #expect(try res.content.decode(CompreFaceSubjectDTO.self).subject == "John Simm")
            }
            #expect(try await http.sendRequest(.GET, "api/users/\(simm.id)", headers: .apiKey(TestKeys.admin)).status == .notFound)
            #expect(app.faceRuntime?.gallery.count == 3)
            try await http.test(.DELETE, "api/v1/recognition/subjects", headers: .apiKey(TestKeys.admin)) { res async throws in
                #expect(try res.content.decode(CompreFaceDeletedDTO.self).deleted == 2)
            }
            #expect(try await subjects(via: http).isEmpty && app.faceRuntime?.gallery.count == 0)
        }
    }

    @Test func errorsSpeakCompreFacesCodes() async throws {
        try await withFaceApp { app in
            let http = try await app.live()
            let recognizeKey = try await createAPIKey(.recognize, on: app)
            let photo = try FaceFixtures.johns("John_Salley")[0]
            let blank = try SyntheticImages.gradient()

            try expectError(try await http.sendRequest(.GET, "api/v1/recognition/subjects"), 401, code: 20)
            try expectError(try await http.sendRequest(.GET, "api/v1/recognition/subjects", headers: .apiKey("not-a-key-0123456789")), 401, code: 10)
            var upload = MultipartBody()
            upload.file("file", filename: "a.jpg", try FaceFixtures.data(photo))
            try expectError(try await http.sendRequest(.POST, "api/v1/recognition/faces?subject=X", headers: MultipartBody.headers(key: recognizeKey),
                                                             body: upload.body), 403, code: 32)
            // No face: what Double Take reads as "nobody here", on every image endpoint.
            var empty = MultipartBody()
            empty.file("file", filename: "blank.jpg", blank)
            for path in ["api/v1/recognition/recognize?det_prob_threshold=0.8&face_plugins=undefined", "api/v1/detection/detect",
                         "api/v1/recognition/faces?subject=Nobody"] {
                let response = try await http.sendRequest(.POST, path, headers: MultipartBody.headers(), body: empty.body)
                try expectError(response, 400, code: 28, message: "No face is found in the given image")
            }
            #expect(try await subjects(via: http).isEmpty, "a rejected face must not create its subject")
            var corrupt = MultipartBody()
            corrupt.file("file", filename: "bad.jpg", Data("not an image".utf8))
            try expectError(try await http.sendRequest(.POST, "api/v1/recognition/recognize", headers: MultipartBody.headers(), body: corrupt.body), 400, code: 21)
            for query in ["det_prob_threshold=2", "limit=-1", "prediction_count=0", "status=maybe"] {
                try expectError(try await http.sendRequest(.POST, "api/v1/recognition/recognize?\(query)", headers: MultipartBody.headers(),
                                                                 body: upload.body), 400, code: 26)
            }
            var wrongPart = MultipartBody()
            wrongPart.file("image", filename: "a.jpg", try FaceFixtures.data(photo))
            try expectError(try await http.sendRequest(.POST, "api/v1/recognition/recognize", headers: MultipartBody.headers(), body: wrongPart.body), 400, code: 34)
            try expectError(try await http.sendRequest(.POST, "api/v1/recognition/faces/999/verify", headers: MultipartBody.headers(), body: upload.body), 404, code: 11)
            try expectError(try await http.sendRequest(.DELETE, "api/v1/recognition/faces/abc", headers: .apiKey(TestKeys.admin)), 404, code: 11)
            try expectError(try await http.sendRequest(.DELETE, "api/v1/recognition/subjects/Nobody", headers: .apiKey(TestKeys.admin)), 404, code: 42)
            // A control character names no subject (on PostgreSQL the lookup itself failed: 500).
            try expectError(try await http.sendRequest(.DELETE, "api/v1/recognition/subjects/a%00b", headers: .apiKey(TestKeys.admin)), 404, code: 42)
            try expectError(try await http.sendRequest(.POST, "api/v1/recognition/subjects", headers: .json(), body: .json(["subject": "A\u{0}"])), 400, code: 26)
            _ = try await http.sendRequest(.POST, "api/v1/recognition/subjects", headers: .json(), body: .json(["subject": "Ann"]))
            try expectError(try await http.sendRequest(.POST, "api/v1/recognition/subjects", headers: .json(), body: .json(["subject": "Ann"])), 400, code: 43)
            try expectError(try await http.sendRequest(.POST, "api/v1/recognition/subjects", headers: .json(), body: .json(["subject": "Ann #3"])), 400, code: 26)
            try expectError(try await http.sendRequest(.POST, "api/v1/recognition/faces?det_prob_threshold=0.8", headers: MultipartBody.headers(), body: upload.body), 400, code: 33)
            // The rest of the API keeps its own error shape.
            #expect(try await http.sendRequest(.GET, "api/users/999", headers: .apiKey(TestKeys.admin)).errorBody().error.code == "not_found")
        }
    }

    @Test func recognitionPluginsAndSDKQueryForms() async throws {
        try await withFaceApp { app in
            let http = try await app.live()
            let recognizeKey = try await createAPIKey(.recognize, on: app)
            let salley = try FaceFixtures.johns("John_Salley")
            for photo in salley.prefix(2) { _ = try await add(photo, subject: "John Salley", via: http) }

            // The Python SDK's forms: a leading `?&` and Python booleans.
            let plain = try await recognize(salley[5], query: "?&limit=0&prediction_count=1&status=False&face_plugins=undefined", key: recognizeKey, via: http)
            #expect(plain.count == 1 && plain[0].embedding == nil && plain[0].landmarks == nil && plain[0].executionTime == nil)
            let match = try #require(plain.first?.subjects?.first)
            #expect(match.subject == "John Salley" && match.similarity >= 0.6 && match.similarity <= 1)
            #expect(plain[0].box.probability >= 0.8 && plain[0].box.xMin < plain[0].box.xMax && plain[0].box.yMin < plain[0].box.yMax)

            let response = try await http.sendRequest(.POST, "api/v1/recognition/recognize?face_plugins=calculator,landmarks,age&status=true",
                                                       headers: MultipartBody.headers(key: recognizeKey), body: try MultipartBody.photos([salley[5]]).body)
            let full = try response.content.decode(CompreFaceResultDTO.self)
            #expect(full.result[0].embedding?.count == 128 && full.result[0].landmarks?.count == 5)
            #expect((full.result[0].executionTime?["detector"] ?? 0) > 0 && (full.result[0].executionTime?["calculator"] ?? 0) > 0)
            #expect(full.pluginsVersions?["calculator"] != nil && full.pluginsVersions?["age"] == nil)
            // Landmarks lie inside the box: right eye left of the left eye, nose between, mouth below.
            if let points = full.result[0].landmarks, points.count == 5 {
                let box = full.result[0].box
                #expect(points.allSatisfy { box.xMin...box.xMax ~= $0[0] && box.yMin...box.yMax ~= $0[1] })
                #expect(points[0][0] < points[1][0] && points[3][1] > points[2][1])
            }

            // Every face of a group photo, the largest first, `limit` keeping the largest.
            let group = try await http.sendRequest(.POST, "api/v1/detection/detect", headers: MultipartBody.headers(key: recognizeKey),
                                                   body: try MultipartBody.photos(["dlib/faces/bald_guys.jpg"]).body).content.decode(CompreFaceResultDTO.self)
            #expect(group.result.count == 24)
            let areas = group.result.map { ($0.box.xMax - $0.box.xMin) * ($0.box.yMax - $0.box.yMin) }
            #expect(areas == areas.sorted(by: >))
            let two = try await http.sendRequest(.POST, "api/v1/detection/detect?limit=2", headers: MultipartBody.headers(key: recognizeKey),
                                                 body: try MultipartBody.photos(["dlib/faces/bald_guys.jpg"]).body).content.decode(CompreFaceResultDTO.self)
            #expect(two.result.map(\.box) == Array(group.result.prefix(2).map(\.box)))

            // detect_faces=false: the crop is the face.
            let crop = try await recognize(salley[6], query: "?detect_faces=false", key: recognizeKey, via: http)
            let image = try FaceFixtures.image(salley[6])
            #expect(crop.count == 1 && crop[0].box.xMin == 0 && crop[0].box.xMax == image.width - 1 && crop[0].box.yMax == image.height - 1)
            #expect(crop[0].subjects?.first?.subject == "John Salley")

            // Verification: two photos of one person, then against a stranger.
            var pair = MultipartBody()
            pair.file("source_image", filename: "a.jpg", try FaceFixtures.data(salley[7]))
            pair.file("target_image", filename: "b.jpg", try FaceFixtures.data("face_recognition/obama.jpg"))
            let verified = try await http.sendRequest(.POST, "api/v1/verification/verify", headers: MultipartBody.headers(key: recognizeKey), body: pair.body)
                .content.decode(CompreFaceVerificationDTO.self)
            #expect(verified.result.count == 1 && verified.result[0].faceMatches.count == 1)
            #expect((verified.result[0].faceMatches[0].similarity ?? 1) < 0.5)
        }
    }

    @Test func similarityScale() {
        let scale = MatchSimilarity(midpoint: 0.6)
        #expect(abs(scale.similarity(distance: 0.6) - 0.5) < 1e-12)
        #expect(abs(scale.similarity(distance: 0.58) - 0.599) < 1e-3)
        #expect(abs(scale.similarity(distance: 0.4) - 0.982) < 1e-3 && abs(scale.similarity(distance: 0.7) - 0.119) < 1e-3)
        let values = stride(from: 0.0, through: 1.5, by: 0.05).map(scale.similarity)
        #expect(values == values.sorted(by: >) && values.allSatisfy { 0...1 ~= $0 })
        #expect(MatchSimilarity(midpoint: 0.5).similarity(distance: 0.5) == 0.5)
    }

    // MARK: - helpers

    func add(_ photo: String, subject: String, via http: any TestingApplicationTester) async throws -> CompreFaceImageDTO {
        let response = try await http.sendRequest(.POST, "api/v1/recognition/faces?subject=\(escaped(subject))", headers: MultipartBody.headers(),
                                                  body: try MultipartBody.photos([photo]).body)
        guard response.status == .created else { throw TestSetupError("adding \(photo): \(response.status) \(response.body.string)") }
        return try response.content.decode(CompreFaceImageDTO.self)
    }

    func recognize(_ photo: String, query: String = "", key: String = TestKeys.admin,
                   via http: any TestingApplicationTester) async throws -> [CompreFaceFaceDTO] {
        let response = try await http.sendRequest(.POST, "api/v1/recognition/recognize\(query)", headers: MultipartBody.headers(key: key),
                                                  body: try MultipartBody.photos([photo]).body)
        guard response.status == .ok else { throw TestSetupError("recognizing \(photo): \(response.status) \(response.body.string)") }
        return try response.content.decode(CompreFaceResultDTO.self).result
    }

    func subjects(via http: any TestingApplicationTester) async throws -> [String] {
        try await http.sendRequest(.GET, "api/v1/recognition/subjects", headers: .apiKey(TestKeys.admin)).content.decode(CompreFaceSubjectListDTO.self).subjects
    }

    func faceCount(of userID: Int, via http: any TestingApplicationTester) async throws -> Int {
        try await http.sendRequest(.GET, "api/users/\(userID)", headers: .apiKey(TestKeys.admin)).content.decode(UserDTO.self).faceCount
    }

    func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    func expectError(_ response: TestingHTTPResponse, _ status: UInt, code: Int, message: String? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status.code == status, "\(response.body.string)", sourceLocation: sourceLocation)
        let body = try response.content.decode(CompreFaceError.Body.self)
        #expect(body.code == code, "\(response.body.string)", sourceLocation: sourceLocation)
        if let message { #expect(body.message == message, sourceLocation: sourceLocation) }
    }
}

extension CompreFaceImageDTO {
    /// The id of the user (among `users`) this face's subject names.
    func userID(in users: [UserDTO]) throws -> Int {
        guard let user = users.first(where: { $0.name == subject }) else { throw TestSetupError("no user named \(subject)") }
        return user.id
    }
}
