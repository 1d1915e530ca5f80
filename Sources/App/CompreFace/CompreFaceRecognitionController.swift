import FaceKit
import Fluent
import Vapor

/// CompreFace's read-only face endpoints (role `recognize`): who is in a photo, is this the
/// person of a stored face, where are the faces, are two photos the same person.
struct CompreFaceRecognitionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("recognition", "recognize", use: recognize)
        routes.post("recognition", "faces", ":image_id", "verify", use: verifyStoredFace)
        routes.post("detection", "detect", use: detect)
        routes.post("verification", "verify", use: verifyImages)
    }

    /// Each face with the `prediction_count` closest people, closest first, whatever their
    /// similarity: clients apply their own thresholds.
    @Sendable
    func recognize(req: Request) async throws -> CompreFaceResultDTO {
        let (analyzer, options) = (try FaceAnalyzer(req), try CompreFaceOptions(req))
        let analysis = try await CompreFaceAnalysis.run(try CompreFaceUpload.image(req), options: options, embed: true, analyzer: analyzer)
        let runtime = analyzer.runtime
        let similarity = runtime.matchRule.similarity
        let identified = analysis.faces.map { face in
            (face, face.embedding.map { runtime.identify($0, topK: options.predictionCount) })
        }
        let subjects = try await SubjectNames.subjects(of: Set(identified.flatMap { $0.1?.candidates.map(\.userID) ?? [] }), on: req.db)
        let result = identified.map { face, identification in
            if let identification { req.application.faceStreamMetrics.recordRecognition(known: !identification.isUnknown) }
            var item = analysis.describe(face, options: options)
            item.subjects = (identification?.candidates ?? []).compactMap { candidate in
                subjects[candidate.userID].map { CompreFaceSubjectMatchDTO(subject: $0, similarity: Self.rounded(similarity.similarity(distance: candidate.distance))) }
            }
            return item
        }
        return CompreFaceResultDTO(result: result, pluginsVersions: Self.versions(analyzer, options))
    }

    /// Every face of the photo against one stored face (`image_id`).
    @Sendable
    func verifyStoredFace(req: Request) async throws -> CompreFaceResultDTO {
        let raw = req.parameters.get("image_id") ?? ""
        guard let id = Int(raw), let stored = try await FaceEmbedding.find(id, on: req.db) else { throw CompreFaceError.imageNotFound(raw) }
        let reference = try stored.decodedEmbedding()
        let subject = try await SubjectNames.subjects(of: [stored.$user.id], on: req.db)[stored.$user.id] ?? ""
        let (analyzer, options) = (try FaceAnalyzer(req), try CompreFaceOptions(req))
        let analysis = try await CompreFaceAnalysis.run(try CompreFaceUpload.image(req), options: options, embed: true, analyzer: analyzer)
        let similarity = analyzer.runtime.matchRule.similarity
        let result = analysis.faces.map { face in
            var item = analysis.describe(face, options: options)
            item.subject = subject
            item.similarity = face.embedding.map { Self.rounded(similarity.similarity(distance: Double($0.distance(to: reference)))) }
            return item
        }
        return CompreFaceResultDTO(result: result.sorted { ($0.similarity ?? 0) > ($1.similarity ?? 0) },
                                   pluginsVersions: Self.versions(analyzer, options))
    }

    /// Faces only; embedded just when the `calculator` plugin asks for embeddings.
    @Sendable
    func detect(req: Request) async throws -> CompreFaceResultDTO {
        let (analyzer, options) = (try FaceAnalyzer(req), try CompreFaceOptions(req))
        let analysis = try await CompreFaceAnalysis.run(try CompreFaceUpload.image(req), options: options, embed: options.calculator,
                                                        analyzer: analyzer)
        return CompreFaceResultDTO(result: analysis.faces.map { analysis.describe($0, options: options) },
                                   pluginsVersions: Self.versions(analyzer, options))
    }

    /// The largest face of `source_image` against every face of `target_image`, most similar first.
    @Sendable
    func verifyImages(req: Request) async throws -> CompreFaceVerificationDTO {
        let (analyzer, options) = (try FaceAnalyzer(req), try CompreFaceOptions(req))
        let images = try CompreFaceUpload.images(req, fields: ["source_image", "target_image"])
        var sourceOptions = options
        sourceOptions.limit = 1
        let source = try await CompreFaceAnalysis.run(images[0], options: sourceOptions, embed: true, analyzer: analyzer)
        let target = try await CompreFaceAnalysis.run(images[1], options: options, embed: true, analyzer: analyzer)
        guard let reference = source.faces[0].embedding else { throw FaceStreamError.internalError("the engine returned a face without an embedding") }
        let similarity = analyzer.runtime.matchRule.similarity
        let matches = target.faces.map { face in
            var item = target.describe(face, options: options)
            item.similarity = face.embedding.map { Self.rounded(similarity.similarity(distance: Double($0.distance(to: reference)))) }
            return item
        }
        return CompreFaceVerificationDTO(result: [.init(
            sourceImageFace: source.describe(source.faces[0], options: options),
            faceMatches: matches.sorted { ($0.similarity ?? 0) > ($1.similarity ?? 0) },
            pluginsVersions: Self.versions(analyzer, options))])
    }

    static func versions(_ analyzer: FaceAnalyzer, _ options: CompreFaceOptions) -> [String: String]? {
        options.status ? CompreFaceAnalysis.pluginVersions(analyzer.detection.detector, options: options) : nil
    }

    /// Five decimals, as CompreFace answers.
    static func rounded(_ value: Double) -> Double { (value * 100_000).rounded() / 100_000 }
}
