@testable import App
import FaceKit
import Fluent
import Testing
import VaporTesting

/// The whole REST path with real photos and models, over real HTTP: enrol dlib's five johns from
/// three photos each, recognise every other photo of theirs, keep strangers unknown, verify, and
/// take a person out of recognition by deactivating and by deleting them. One app for all of it:
/// enrolment is the expensive part.
@Suite("Enrollment and recognition, end to end", .serialized)
struct RecognitionEndToEndTests {
    static let enrolledPerPerson = 3

    @Test func enrollRecognizeVerifyAndForget() async throws {
        try await withFaceApp { app in
            let http = try await app.live()
            let people = try Self.johns()
            #expect(people.count == 5 && people.allSatisfy { $0.photos.count == 11 })

            // Enrol: three photos each, as multipart with a capture angle.
            var ids: [String: Int] = [:]
            for (person, photos) in people {
                let user = try await createUser(person, in: app)
                ids[person] = user.id
                let body = try MultipartBody.photos(Array(photos.prefix(Self.enrolledPerPerson)), fields: [("capture_angle", "front")])
                try await http.test(.POST, "api/users/\(user.id)/faces", headers: MultipartBody.headers(), body: body.body) { res async throws in
                    #expect(res.status == .created, "\(person): \(res.body.string)")
                    let result = try res.content.decode(EnrollmentResultDTO.self)
                    #expect(result.created.count == Self.enrolledPerPerson && result.rejected.isEmpty, "\(person): \(result.rejected)")
                    #expect(result.created.map(\.index) == [0, 1, 2])
                    #expect(result.created.allSatisfy { $0.captureAngle == "front" && $0.bbox.count == 4 && $0.qualityScore >= 0.4 })
                }
            }
            let salley = try #require(ids["John_Salley"])
            try await http.test(.GET, "api/users/\(salley)", headers: .apiKey(TestKeys.admin)) { res async throws in
                #expect(try res.content.decode(UserDTO.self).faceCount == Self.enrolledPerPerson)
            }
            try await http.test(.GET, "api/users/\(salley)/faces", headers: .apiKey(TestKeys.admin)) { res async throws in
                let faces = try res.content.decode(FaceListDTO.self).items
                #expect(faces.count == Self.enrolledPerPerson && faces.allSatisfy { $0.userID == salley && $0.captureAngle == "front" })
            }
            #expect(app.faceRuntime?.gallery.count == 15)

            // Every other photo of theirs is identified, half sent as multipart, half as base64 JSON.
            var recognized = 0
            for (person, photos) in people {
                for (offset, photo) in photos.dropFirst(Self.enrolledPerPerson).enumerated() {
                    let faces = try await recognize(photo, asJSON: offset.isMultiple(of: 2), via: http)
                    #expect(faces.count == 1, "\(photo)")
                    guard let face = faces.first else { continue }
                    #expect(face.userID == ids[person] && face.userName == person && !face.isUnknown, "\(photo): \(face)")
                    #expect(face.candidates.count == 3 && face.candidates.first?.userID == ids[person])
                    #expect((face.distance ?? 1) <= 0.6 && face.confidence >= 0.85)
                    if face.userID == ids[person] { recognized += 1 }
                }
            }
            #expect(recognized == 40)

            // People never enrolled are unknown.
            for photo in ["face_recognition/obama.jpg", "face_recognition/biden.jpg"] {
                let faces = try await recognize(photo, via: http, topK: 1)
                #expect(!faces.isEmpty, "\(photo)")
                for face in faces {
                    #expect(face.isUnknown && face.userID == nil && face.userName == nil, "\(photo): \(face)")
                    #expect(face.distance != nil && face.candidates.count == 1)
                }
            }

            try await verify(app, http, ids: ids, people: people)

            // Deactivated: out of recognition at once; reactivated: back.
            let simm = try #require(ids["John_Simm"])
            let simmPhoto = try #require(people.first { $0.person == "John_Simm" }?.photos.last)
            try await setActive(false, simm, http)
            #expect(try await recognize(simmPhoto, via: http).first?.userID != simm)
            try await setActive(true, simm, http)
            #expect(try await recognize(simmPhoto, via: http).first?.userID == simm)

            // Deleted: never recognised again, and their biometric data is gone from the database.
            let deletedPhoto = try #require(people.first { $0.person == "John_Salley" }?.photos.last)
            try await http.test(.DELETE, "api/users/\(salley)", headers: .apiKey(TestKeys.admin)) { res async in
                #expect(res.status == .noContent)
            }
            let after = try #require(try await recognize(deletedPhoto, via: http).first)
            #expect(after.isUnknown && after.userID == nil && !after.candidates.contains { $0.userID == salley })
            #expect(try await FaceEmbedding.query(on: app.db).filter(\.$user.$id == salley).count() == 0)
            #expect(try await FaceEmbedding.query(on: app.db).count() == 12)
            #expect(app.faceRuntime?.gallery.count == 12)

            // One face deleted: gone from the gallery too.
            let schneider = try #require(ids["John_Schneider"])
            let faceID = try #require(try await FaceEmbedding.query(on: app.db).filter(\.$user.$id == schneider).first()?.requireID())
            try await http.test(.DELETE, "api/users/\(schneider)/faces/\(faceID)", headers: .apiKey(TestKeys.admin)) { res async in
                #expect(res.status == .noContent)
            }
            try await http.test(.DELETE, "api/users/\(simm)/faces/\(faceID)", headers: .apiKey(TestKeys.admin)) { res async in
                #expect(res.status == .notFound)  // a face only belongs to its own user
            }
            #expect(app.faceRuntime?.gallery.count == 11)

            try await checkMetrics(http)
        }
    }

    /// `/api/verify` against a user's faces and between two photos, JSON and multipart.
    private func verify(_ app: Application, _ http: any TestingApplicationTester, ids: [String: Int],
                        people: [(person: String, photos: [String])]) async throws {
        let salley = people[0], savage = people[1]
        let probe = try FaceFixtures.data(salley.photos[5])
        func json(_ fields: [String: String], userID: Int? = nil) throws -> ByteBuffer {
            var object: [String: JSONValue] = [:]
            for (key, value) in fields { object[key] = .string(value) }
            if let userID { object["user_id"] = .integer(userID) }
            return try .json(JSONValue.object(object.map { (key: $0.key, value: $0.value) }))
        }
        for (userID, expected) in [(ids[salley.person]!, true), (ids[savage.person]!, false)] {
            let body = try json(["image": probe.base64EncodedString()], userID: userID)
            try await http.test(.POST, "api/verify", headers: .json(), body: body) { res async throws in
                #expect(res.status == .ok, "\(res.body.string)")
                let result = try res.content.decode(VerifyResultDTO.self)
                #expect(result.match == expected && (result.distance <= 0.6) == expected)
                #expect(result.confidence == MatchConfidence.confidence(distance: result.distance))
            }
        }
        for (other, expected) in [(salley.photos[9], true), (savage.photos[9], false)] {
            var body = MultipartBody()
            body.file("file", filename: "a.jpg", probe)
            body.file("file2", filename: "b.jpg", try FaceFixtures.data(other))
            try await http.test(.POST, "api/verify", headers: MultipartBody.headers(), body: body.body) { res async throws in
                #expect(try res.content.decode(VerifyResultDTO.self).match == expected)
            }
        }
        var byUser = MultipartBody()
        byUser.file("file", filename: "a.jpg", probe)
        byUser.field("user_id", String(ids[salley.person]!))
        try await http.test(.POST, "api/verify", headers: MultipartBody.headers(), body: byUser.body) { res async throws in
            #expect(try res.content.decode(VerifyResultDTO.self).match)
        }

        let nobody = try await createUser("No Faces", in: app)
        let cases: [(ByteBuffer, HTTPResponseStatus, String)] = [
            (try json(["image": try FaceFixtures.data("dlib/faces/bald_guys.jpg").base64EncodedString()], userID: nobody.id), .unprocessableEntity, "multiple_faces"),
            (try json(["image": try SyntheticImages.gradient().base64EncodedString()], userID: nobody.id), .unprocessableEntity, "no_face"),
            (try json(["image": probe.base64EncodedString()], userID: nobody.id), .unprocessableEntity, "no_enrolled_faces"),
            (try json(["image": probe.base64EncodedString()], userID: 999_999), .notFound, "not_found"),
            (try json(["image": probe.base64EncodedString(), "image2": probe.base64EncodedString()], userID: nobody.id), .unprocessableEntity, "validation_failed"),
            (try json(["image": probe.base64EncodedString()]), .unprocessableEntity, "validation_failed"),
        ]
        for (body, status, code) in cases {
            try await http.test(.POST, "api/verify", headers: .json(), body: body) { res async throws in
                #expect(res.status == status, "\(code)")
                #expect(try res.errorBody().error.code == code)
            }
        }
    }

    private func checkMetrics(_ http: any TestingApplicationTester) async throws {
        try await http.test(.POST, "api/detect", headers: MultipartBody.headers(),
                            body: try MultipartBody.photos(["dlib/faces/bald_guys.jpg"]).body) { res async throws in
            #expect(res.status == .ok)
            let result = try res.content.decode(DetectionResultDTO.self)
            #expect(result.faces.count == 24)
            #expect(result.image == ImageSizeDTO(width: 1986, height: 1545))
            #expect(result.faces.allSatisfy { $0.landmarks.count == 5 && $0.score > 0 && $0.quality.sharpness == nil })
        }
        try await http.test(.POST, "api/detect?sharpness=true", headers: .json(),
                            body: .json(SingleImageRequest(image: try FaceFixtures.data("face_recognition/obama.jpg").base64EncodedString()))) { res async throws in
            let faces = try res.content.decode(DetectionResultDTO.self).faces
            #expect(faces.count == 1 && faces.first?.quality.sharpness != nil)
        }
        try await http.test(.GET, "metrics") { res async in
            let text = res.body.string
            for name in ["facestream_http_requests_total", "facestream_http_request_duration_seconds", "facestream_faces_detected_total",
                         "facestream_recognitions_total", "facestream_gallery_embeddings", "facestream_engine_queue_depth",
                         "facestream_stage_duration_seconds"] {
                #expect(text.contains("# TYPE \(name) "), "\(name) missing")
            }
            #expect(text.contains(#"facestream_http_requests_total{method="POST",route="/api/recognize",status="200"}"#))
            #expect(text.contains(#"route="/api/users/:id""#))
            #expect(text.contains(#"facestream_stage_duration_seconds_count{stage="embed"}"#))
            #expect(text.contains("facestream_gallery_embeddings 11"))
            let known = text.split(separator: "\n").first { $0.hasPrefix(#"facestream_recognitions_total{result="known"}"#) }
            #expect(known.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 40)
        }
    }

    private func recognize(_ photo: String, asJSON: Bool = false, via http: any TestingApplicationTester,
                           topK: Int? = nil) async throws -> [RecognizedFaceDTO] {
        let path = "api/recognize" + (topK.map { "?top_k=\($0)" } ?? "")
        let response: TestingHTTPResponse
        if asJSON {
            let dataURL = "data:image/jpeg;base64," + (try FaceFixtures.data(photo).base64EncodedString())
            response = try await http.sendRequest(.POST, path, headers: .json(), body: .json(SingleImageRequest(image: dataURL)))
        } else {
            response = try await http.sendRequest(.POST, path, headers: MultipartBody.headers(), body: try MultipartBody.photos([photo]).body)
        }
        #expect(response.status == .ok, "\(photo): \(response.body.string)")
        return try response.content.decode(RecognitionResultDTO.self).faces
    }

    private func setActive(_ active: Bool, _ id: Int, _ http: any TestingApplicationTester) async throws {
        try await http.test(.PATCH, "api/users/\(id)", headers: .json(), body: .json(["is_active": active])) { res async throws in
            #expect(res.status == .ok)
            #expect(try res.content.decode(UserDTO.self).isActive == active)
        }
    }

    static func johns() throws -> [(person: String, photos: [String])] {
        try ["John_Salley", "John_Savage", "John_Schneider", "John_Shimkus", "John_Simm"].map { ($0, try FaceFixtures.johns($0)) }
    }
}
