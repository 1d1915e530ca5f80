import Vapor

/// The images of a CompreFace request: multipart parts, or JSON with base64 strings under the
/// same names (`{"file":"<base64>"}`; verification `source_image` / `target_image`).
enum CompreFaceUpload {
    static func image(_ req: Request, field: String = "file") throws -> Data {
        try images(req, fields: [field])[0]
    }

    /// One image per field, in the order asked; a missing one is 400 code 34 naming it.
    static func images(_ req: Request, fields: [String]) throws -> [Data] {
        let body: UploadBody
        do {
            body = try UploadBody(req)
        } catch let error as FaceStreamError where error.code == .unsupportedMediaType {
            throw CompreFaceError.missingPart("send the image as multipart/form-data part \"\(fields[0])\" or as JSON {\"\(fields[0])\":\"<base64>\"}")
        }
        switch body {
        case .multipart(let form):
            return try fields.map { field in
                guard let part = form.files(named: field).first else { throw CompreFaceError.missingPart("Required request part '\(field)' is not present") }
                return Data(buffer: part.body)
            }
        case .json:
            let object: [String: String]
            do {
                object = try req.content.decode([String: String].self)
            } catch {
                throw CompreFaceError.validation("expected a JSON object with base64 strings under \(fields.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            return try fields.map { field in
                guard let text = object[field], !text.isEmpty else { throw CompreFaceError.missingPart("Required request part '\(field)' is not present") }
                do throws(Base64Image.InvalidBase64) {
                    return try Base64Image.decode(text)
                } catch {
                    throw CompreFaceError.validation("\(field): \(error.message)")
                }
            }
        }
    }
}
