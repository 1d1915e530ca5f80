import Vapor

/// One image a client sent, before decoding: its position in the request, the file name it came
/// with (multipart only) and its bytes — or, for base64 that didn't decode, why not.
struct ImageUpload: Sendable {
    enum Content: Sendable {
        case bytes(Data)
        case invalidBase64(String)
    }

    let index: Int
    let filename: String?
    let content: Content

    init(index: Int, filename: String?, bytes: Data) {
        self.index = index
        self.filename = filename
        self.content = .bytes(bytes)
    }

    init(index: Int, base64 text: String) {
        self.index = index
        self.filename = nil
        do {
            self.content = .bytes(try Base64Image.decode(text))
        } catch {
            self.content = .invalidBase64(error.message)
        }
    }

    init(index: Int, part: MultipartForm.Part) {
        self.init(index: index, filename: part.filename, bytes: Data(buffer: part.body))
    }

    /// The bytes, or 422 `validation_failed` for base64 that didn't decode.
    func requireBytes(field: String) throws -> Data {
        switch content {
        case .bytes(let data): return data
        case .invalidBase64(let message): throw FaceStreamError.validationFailed("\(field): \(message)")
        }
    }
}

/// Which kind of body a request carries: images come as multipart/form-data or as base64 in JSON.
enum UploadBody {
    case multipart(MultipartForm)
    case json

    init(_ request: Request) throws {
        guard let type = request.headers.contentType else {
            throw FaceStreamError.unsupportedMediaType("send multipart/form-data or application/json")
        }
        if type.type == "multipart" && type.subType == "form-data" {
            self = .multipart(try MultipartForm(request: request))
        } else if type.type == "application" && type.subType == "json" {
            self = .json
        } else {
            throw FaceStreamError.unsupportedMediaType("send multipart/form-data or application/json, not \(type.type)/\(type.subType)")
        }
    }
}
