import Vapor

/// What `POST /api/verify` compares: an image with a user's enrolled faces, or with a second image.
/// JSON `{"image","user_id"}` / `{"image","image2"}`, or multipart `file` + field `user_id` / `file` + `file2`.
struct VerifyInput {
    enum Target {
        case user(Int)
        case image(Data)
    }

    let image: Data
    let target: Target

    init(_ req: Request) throws {
        let image: Data
        let userID: Int?
        let image2: Data?
        switch try UploadBody(req) {
        case .multipart(let form):
            guard let file = form.files(named: "file").first else {
                throw FaceStreamError.validationFailed("no image: send a multipart part named \"file\"")
            }
            image = Data(buffer: file.body)
            image2 = form.files(named: "file2").first.map { Data(buffer: $0.body) }
            if let text = form.text("user_id") {
                guard let id = Int(text) else { throw FaceStreamError.validationFailed("user_id: expected an integer") }
                userID = id
            } else {
                userID = nil
            }
        case .json:
            let body = try req.content.decode(VerifyRequest.self)
            image = try ImageUpload(index: 0, base64: body.image).requireBytes(field: "image")
            image2 = try body.image2.map { try ImageUpload(index: 1, base64: $0).requireBytes(field: "image2") }
            userID = body.userID
        }
        self.image = image
        switch (userID, image2) {
        case (let id?, nil): target = .user(id)
        case (nil, let other?): target = .image(other)
        default:
            throw FaceStreamError.validationFailed("send either user_id (compare with a user's enrolled faces) or a second image (image2 / file2), not both or neither")
        }
    }
}
