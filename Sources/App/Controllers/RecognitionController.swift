import FaceKit
import Fluent
import Vapor

/// Who is in a photo, is it this person, where are the faces: `/api/recognize`, `/api/verify`,
/// `/api/detect` (role `recognize`; admin keys pass too). Nothing here writes to the database,
/// except `recognize?log=true`, which logs each face as a sighting.
struct RecognitionController: RouteCollection {
    static let defaultTopK = 3
    static let maxTopK = 10

    func boot(routes: any RoutesBuilder) throws {
        routes.post("recognize", use: recognize)
        routes.post("verify", use: verify)
        routes.post("detect", use: detect)
    }

    /// Multipart `file` or JSON `{"image":"<base64>"}`; `?top_k=` (1…10, default 3) candidates per face.
    /// `?log=true` also logs every face as a sighting of session `?session_id=` (default `rest`), with
    /// its embedding, quality and thumbnail, through the stream's sighting writer (and webhooks).
    @Sendable
    func recognize(req: Request) async throws -> RecognitionResultDTO {
        let analyzer = try FaceAnalyzer(req)
        let parameters = QueryParameters(req)
        let topK = try parameters.int("top_k", in: 1...Self.maxTopK) ?? Self.defaultTopK
        let log = try parameters.bool("log") ?? false
        let sessionID = try Self.logSessionID(parameters.raw("session_id"))
        let bytes = try Self.singleImage(req)
        let analysis = try await analyzer.analyze(bytes)
        let metrics = req.application.faceStreamMetrics
        var identified: [(face: Face, identification: Identification)] = []
        let faces = analysis.faces.compactMap { face -> RecognizedFaceDTO? in
            guard let embedding = face.embedding else { return nil }
            let identification = analyzer.runtime.identify(embedding, topK: topK)
            metrics.recordRecognition(known: !identification.isUnknown)
            identified.append((face, identification))
            return identification.toDTO(face: face)
        }
        if log && !identified.isEmpty {
            try await Self.logSightings(identified, in: analysis.image, sessionID: sessionID, req: req, runtime: analyzer.runtime)
        }
        return RecognitionResultDTO(image: ImageSizeDTO(analysis.image), faces: faces)
    }

    static let defaultLogSessionID = "rest"

    /// `session_id` for logged photos: 1–64 letters, digits, `-` or `_` (what streams accept).
    static func logSessionID(_ requested: String?) throws -> String {
        guard let requested else { return defaultLogSessionID }
        guard (1...64).contains(requested.count),
              requested.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw FaceStreamError.validationFailed("session_id: expected 1–64 letters, digits, - or _")
        }
        return requested
    }

    /// One sighting per face, each its own track, all seen now; thumbnails made on an engine thread.
    private static func logSightings(_ identified: [(face: Face, identification: Identification)], in image: Image,
                                     sessionID: String, req: Request, runtime: FaceRuntime) async throws {
        var thumbnails: [Data?] = []
        if let settings = req.application.config.sightingThumbnails {
            thumbnails = try await runtime.engine.thumbnails(of: identified.map(\.face), in: image, settings: settings)
        }
        let reporter = SightingReporter(log: req.application.sightingLog, webhooks: req.application.webhooks, people: runtime.people,
                                        apiKeyName: req.apiPrincipal?.keyName)
        let seenAt = Date()
        for (index, (face, identification)) in identified.enumerated() {
            await reporter.record(SightingLogWriter.Sighting(
                userID: identification.userID, trackID: UUID().uuidString.lowercased(), confidence: identification.confidence,
                isUnknown: identification.isUnknown, bbox: face.box.array, sessionID: sessionID, seenAt: seenAt,
                embedding: face.embedding, thumbnail: index < thumbnails.count ? thumbnails[index] : nil, quality: face.quality.score))
        }
    }

    /// One image against a user's enrolled faces (`user_id`, nearest of them counts) or against a
    /// second image (`image2` / multipart `file2`). Each image must show exactly one face.
    @Sendable
    func verify(req: Request) async throws -> VerifyResultDTO {
        let analyzer = try FaceAnalyzer(req)
        let input = try VerifyInput(req)
        let probe = try await analyzer.singleFace(input.image, what: "image")
        guard let embedding = probe.embedding else { throw FaceStreamError.internalError("the engine returned a face without an embedding") }

        let distance: Double
        switch input.target {
        case .user(let userID):
            distance = try await Self.nearestDistance(embedding, toUser: userID, on: req.db)
        case .image(let bytes):
            let other = try await analyzer.singleFace(bytes, what: "image2")
            guard let otherEmbedding = other.embedding else { throw FaceStreamError.internalError("the engine returned a face without an embedding") }
            distance = Double(embedding.distance(to: otherEmbedding))
        }
        let rule = analyzer.runtime.matchRule
        return VerifyResultDTO(match: rule.matches(distance: distance), distance: distance, confidence: rule.confidence(distance: distance))
    }

    /// Faces, landmarks and quality, no identities. Without `?sharpness=true` faces aren't embedded
    /// (faster: detection and landmarks only) and `quality.sharpness` is null, the score then being
    /// the mean of the other parts; with it, quality is exactly what enrolment would measure.
    @Sendable
    func detect(req: Request) async throws -> DetectionResultDTO {
        let analyzer = try FaceAnalyzer(req)
        let sharpness = try QueryParameters(req).bool("sharpness") ?? false
        let bytes = try Self.singleImage(req)
        var options = analyzer.detection
        options.embed = sharpness
        let analysis = try await analyzer.analyze(bytes, options: options)
        return DetectionResultDTO(image: ImageSizeDTO(analysis.image), faces: analysis.faces.map(DetectedFaceDTO.init))
    }

    /// The one image of a request: multipart part `file`, or JSON `{"image":"<base64>"}`.
    static func singleImage(_ req: Request) throws -> Data {
        switch try UploadBody(req) {
        case .multipart(let form):
            guard let file = form.files(named: "file").first else {
                throw FaceStreamError.validationFailed("no image: send a multipart part named \"file\"")
            }
            return Data(buffer: file.body)
        case .json:
            let body = try req.content.decode(SingleImageRequest.self)
            return try ImageUpload(index: 0, base64: body.image).requireBytes(field: "image")
        }
    }

    /// Distance from `embedding` to the nearest stored embedding of the user.
    static func nearestDistance(_ embedding: Embedding, toUser userID: Int, on db: any Database) async throws -> Double {
        guard let user = try await User.find(userID, on: db) else { throw FaceStreamError.notFound("user \(userID) not found") }
        guard user.isActive else {
            throw FaceStreamError(.userInactive, "user \(userID) is deactivated and can't be verified")
        }
        let rows = try await FaceEmbedding.query(on: db).filter(\.$user.$id == userID).all()
        let distances = try rows.map { Double(embedding.distance(to: try $0.decodedEmbedding())) }
        guard let nearest = distances.min() else {
            throw FaceStreamError(.noEnrolledFaces, "user \(userID) has no enrolled faces")
        }
        return nearest
    }
}

extension ImageSizeDTO {
    init(_ image: Image) {
        self.init(width: image.width, height: image.height)
    }
}
