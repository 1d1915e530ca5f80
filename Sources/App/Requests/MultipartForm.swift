import Vapor

/// A parsed `multipart/form-data` body: file parts and text fields by name, in the order sent.
/// Parsed by hand with MultipartKit's parser rather than decoded into a `Content` type, because
/// Vapor's form decoder only reads repeated parts as an array when they are named `file[]`,
/// and clients (curl `-F file=@a -F file=@b`, browsers' FormData) send plain repeated names.
struct MultipartForm {
    struct Part {
        let name: String
        let filename: String?
        let contentType: HTTPMediaType?
        let body: ByteBuffer
    }

    let parts: [Part]

    /// Parses the request body; throws 415 if the request isn't multipart, 400 if the body is malformed.
    init(request: Request) throws {
        guard let contentType = request.headers.contentType, contentType.type == "multipart",
              contentType.subType == "form-data" else {
            throw FaceStreamError.unsupportedMediaType("expected multipart/form-data")
        }
        guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
            throw FaceStreamError.badRequest("the multipart/form-data content type has no boundary")
        }
        try self.init(body: request.body.data ?? ByteBuffer(), boundary: boundary)
    }

    init(body: ByteBuffer, boundary: String) throws {
        // A form without entries is only the closing delimiter, which the parser calls malformed.
        if body.readableBytes <= boundary.utf8.count + 8,
           String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines) == "--\(boundary)--" {
            self.parts = []
            return
        }
        let parser = MultipartParser(boundary: boundary)
        var parts: [Part] = []
        var headers = HTTPHeaders()
        var content = ByteBuffer()
        parser.onHeader = { name, value in headers.add(name: name, value: value) }
        parser.onBody = { chunk in content.writeBuffer(&chunk) }
        parser.onPartComplete = {
            let disposition = headers.contentDisposition
            parts.append(Part(name: disposition?.name ?? "", filename: disposition?.filename,
                              contentType: headers.contentType, body: content))
            headers = HTTPHeaders()
            content = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw FaceStreamError.badRequest("the multipart/form-data body is malformed")
        }
        self.parts = parts
    }

    /// File parts named `name` (or `name[]`, what some form libraries send).
    func files(named name: String) -> [Part] {
        parts.filter { $0.name == name || $0.name == name + "[]" }
    }

    /// The first part named `name` as trimmed text; nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let part = parts.first(where: { $0.name == name }) else { return nil }
        let text = String(buffer: part.body).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
