@testable import App
import FaceKit
import Fluent
import Testing
import VaporTesting

/// Every rejection code produced by a real input, and how image errors surface on the other endpoints.
@Suite("Enrollment rejections and image errors", .serialized)
struct EnrollmentRejectionTests {
    @Test func eachBadImageIsRejectedAndTheGoodOneStored() async throws {
        try await withFaceApp { app in
            let user = try await createUser("Savage", in: app)
            let goodPath = try FaceFixtures.johns("John_Savage")[0]
            let jpeg = try FaceFixtures.data(goodPath)
            var body = MultipartBody()
            body.file("file", filename: "dogs.jpg", try FaceFixtures.data("dlib/faces/dogs.jpg"))
            body.file("file", filename: "bald_guys.jpg", try FaceFixtures.data("dlib/faces/bald_guys.jpg"))
            body.file("file", filename: "truncated.jpg", jpeg.prefix(jpeg.count / 2))
            body.file("file", filename: "gradient.jpg", try SyntheticImages.gradient())
            body.file("file", filename: "good.jpg", jpeg)
            body.file("file", filename: "notes.txt", Data("hello".utf8), type: "text/plain")
            try await app.testing().test(.POST, "api/users/\(user.id)/faces", headers: MultipartBody.headers(), body: body.body) { res async throws in
                #expect(res.status == .created)
                let result = try res.content.decode(EnrollmentResultDTO.self)
                #expect(result.created.map(\.index) == [4])
                #expect(result.created.first?.captureAngle == nil)
                #expect(result.rejected.map(\.index) == [0, 1, 2, 3, 5])
                #expect(result.rejected.map(\.code) == ["no_face", "multiple_faces", "undecodable", "no_face", "undecodable"])
                #expect(result.rejected.map(\.filename) == ["dogs.jpg", "bald_guys.jpg", "truncated.jpg", "gradient.jpg", "notes.txt"])
            }
            #expect(try await FaceEmbedding.query(on: app.db).count() == 1)
            #expect(app.faceRuntime?.gallery.count == 1 && app.faceRuntime?.people.name(of: user.id) == "Savage")

            // JSON: data URLs and plain base64; broken base64 is undecodable.
            let json = try ByteBuffer.json(EnrollRequest(images: ["data:image/jpeg;base64," + jpeg.base64EncodedString(), "%%%not base64%%%"],
                                                         captureAngle: " left "))
            try await app.testing().test(.POST, "api/users/\(user.id)/faces", headers: .json(), body: json) { res async throws in
                #expect(res.status == .created)
                let result = try res.content.decode(EnrollmentResultDTO.self)
                #expect(result.created.count == 1 && result.created.first?.captureAngle == "left")
                #expect(result.rejected.map(\.code) == ["undecodable"] && result.rejected.first?.filename == nil)
            }

            // Nothing usable: 422 with the same body.
            try await app.testing().test(.POST, "api/users/\(user.id)/faces", headers: MultipartBody.headers(),
                                         body: try MultipartBody.photos(["dlib/faces/dogs.jpg"]).body) { res async throws in
                #expect(res.status == .unprocessableEntity)
                #expect(try res.content.decode(EnrollmentResultDTO.self).rejected.map(\.code) == ["no_face"])
            }
            // Requests that are wrong as a whole.
            let tooMany = try ByteBuffer.json(EnrollRequest(images: Array(repeating: jpeg.base64EncodedString(), count: 21)))
            let cases: [(String, HTTPHeaders, ByteBuffer, HTTPResponseStatus, String)] = [
                ("api/users/\(user.id)/faces", .json(), try .json(EnrollRequest(images: [])), .unprocessableEntity, "validation_failed"),
                ("api/users/\(user.id)/faces", .json(), tooMany, .unprocessableEntity, "validation_failed"),
                ("api/users/\(user.id)/faces", MultipartBody.headers(), MultipartBody().body, .unprocessableEntity, "validation_failed"),
                ("api/users/\(user.id)/faces", ["X-API-Key": TestKeys.admin, "Content-Type": "image/jpeg"], ByteBuffer(data: jpeg), .unsupportedMediaType, "unsupported_media_type"),
                ("api/users/999999/faces", MultipartBody.headers(), try MultipartBody.photos([goodPath]).body, .notFound, "not_found"),
            ]
            for (path, headers, body, status, code) in cases {
                try await app.testing().test(.POST, path, headers: headers, body: body) { res async throws in
                    #expect(res.status == status, "\(code): \(res.body.string)")
                    #expect(try res.errorBody().error.code == code)
                }
            }
        }
    }

    @Test func lowQualityAndTooLarge() async throws {
        // 150×150 crops of 7–11 kB; quality at most ~0.9; a 200×200 image exceeds the pixel limit.
        try await withFaceApp(["MAX_UPLOAD_BYTES": "9000", "MIN_ENROLL_QUALITY": "0.99", "MAX_IMAGE_PIXELS": "30000"]) { app in
            let user = try await createUser("Salley", in: app)
            let photos = try FaceFixtures.johns("John_Salley")
            let sized = try photos.map { ($0, try FaceFixtures.data($0).count) }
            let small = try #require(sized.first { $0.1 < 9000 }?.0)
            let big = try #require(sized.first { $0.1 > 9000 }?.0)
            var body = try MultipartBody.photos([small, big])
            body.file("file", filename: "wide.jpg", try SyntheticImages.gradient(width: 200, height: 200))
            try await app.testing().test(.POST, "api/users/\(user.id)/faces", headers: MultipartBody.headers(), body: body.body) { res async throws in
                #expect(res.status == .unprocessableEntity)
                let result = try res.content.decode(EnrollmentResultDTO.self)
                #expect(result.created.isEmpty)
                #expect(result.rejected.map(\.code) == ["low_quality", "too_large", "too_large"])
                let message = result.rejected.first?.message ?? ""
                #expect(message.contains("face quality 0.") && message.contains("0.99"), "\(message)")
            }
            #expect(try await FaceEmbedding.query(on: app.db).count() == 0)

            // The same limits on /api/recognize: 413 for bytes and pixels, 422 for undecodable input.
            let jpeg = try FaceFixtures.data(small)
            let cases: [(HTTPHeaders, ByteBuffer, HTTPResponseStatus, String)] = [
                (MultipartBody.headers(), try MultipartBody.photos([big]).body, .payloadTooLarge, "payload_too_large"),
                (.json(), try .json(SingleImageRequest(image: try SyntheticImages.gradient(width: 200, height: 200).base64EncodedString())),
                 .payloadTooLarge, "image_too_large"),
                (.json(), try .json(SingleImageRequest(image: jpeg.prefix(jpeg.count / 2).base64EncodedString())), .unprocessableEntity, "corrupt_image"),
                (.json(), try .json(SingleImageRequest(image: Data("GIF89a-not-supported".utf8).base64EncodedString())), .unprocessableEntity, "unsupported_format"),
                (.json(), try .json(SingleImageRequest(image: "***")), .unprocessableEntity, "validation_failed"),
                (.json(), ByteBuffer(string: #"{"picture":"x"}"#), .unprocessableEntity, "validation_failed"),
                (MultipartBody.headers(), MultipartBody().body, .unprocessableEntity, "validation_failed"),
                (["X-API-Key": TestKeys.admin], ByteBuffer(data: jpeg), .unsupportedMediaType, "unsupported_media_type"),
            ]
            for (headers, body, status, code) in cases {
                try await app.testing().test(.POST, "api/recognize", headers: headers, body: body) { res async throws in
                    #expect(res.status == status, "\(code): \(res.body.string)")
                    #expect(try res.errorBody().error.code == code)
                }
            }
            try await app.testing().test(.POST, "api/recognize?top_k=11", headers: .json(), body: .json(SingleImageRequest(image: jpeg.base64EncodedString()))) { res async in
                #expect(res.status == .unprocessableEntity)
            }
            // An empty gallery answers unknown, with no distance.
            try await app.testing().test(.POST, "api/recognize", headers: .json(), body: .json(SingleImageRequest(image: jpeg.base64EncodedString()))) { res async throws in
                let face = try #require(try res.content.decode(RecognitionResultDTO.self).faces.first)
                #expect(face.isUnknown && face.distance == nil && face.candidates.isEmpty && face.confidence == 1)
            }
        }
    }
}
