import FaceKit
import Fluent
import Vapor

/// `POST /api/logs/search`: the sightings whose face is this photo's face, nearest first.
///
/// The photo must show exactly one face. The sighting index finds the nearest stored faces within
/// `max_distance` that pass the filters; each candidate is then read from the database, where the
/// filters are checked again and a row that lost its face (a person deleted on another node, say)
/// is dropped and taken out of the index.
enum SightingSearch {
    static let defaultLimit = 20
    static let maxLimit = 100
    /// The filters and options, by name: query parameters, JSON body fields or multipart text fields.
    static let parameterNames = ["from", "to", "session_id", "user_id", "is_unknown", "limit", "max_distance"]

    struct Input {
        var image: Data
        var filter = SightingIndex.Filter()
        var limit = SightingSearch.defaultLimit
        var maxDistance: Double
    }

    /// The photo (multipart `file` or JSON `image`) and the parameters; a parameter in the body wins over
    /// the same one in the query string.
    static func input(_ req: Request, defaultMaxDistance: Double) throws -> Input {
        let image: Data
        var fields: [String: String] = [:]
        switch try UploadBody(req) {
        case .multipart(let form):
            guard let file = form.files(named: "file").first else {
                throw FaceStreamError.validationFailed("no image: send a multipart part named \"file\"")
            }
            image = Data(buffer: file.body)
            for name in parameterNames { fields[name] = form.text(name) }
        case .json:
            let body = try req.content.decode(SearchBody.self)
            image = try ImageUpload(index: 0, base64: body.image).requireBytes(field: "image")
            fields = body.parameters
        }
        let query = QueryParameters(req)
        let parameters = QueryParameters(lookup: { fields[$0] ?? query.raw($0) })
        var input = Input(image: image, maxDistance: defaultMaxDistance)
        input.filter.userID = try parameters.int("user_id", in: 1...Int.max)
        input.filter.sessionID = try parameters.string("session_id")
        input.filter.isUnknown = try parameters.bool("is_unknown")
        input.filter.from = try parameters.date("from")
        input.filter.to = try parameters.date("to")
        if let from = input.filter.from, let to = input.filter.to, from > to {
            throw FaceStreamError.validationFailed("from: must not be after to")
        }
        input.limit = try parameters.int("limit", in: 1...maxLimit) ?? defaultLimit
        input.maxDistance = try parameters.double("max_distance", in: 0...2, lowerExclusive: true) ?? defaultMaxDistance
        return input
    }

    static func run(_ req: Request) async throws -> SightingSearchResultDTO {
        let analyzer = try FaceAnalyzer(req)
        let input = try input(req, defaultMaxDistance: analyzer.runtime.matchRule.maxDistance)
        let probe = try await analyzer.singleFace(input.image, what: "the image")
        guard let embedding = probe.embedding else { throw FaceStreamError.internalError("the engine returned a face without an embedding") }
        let index = req.application.sightingIndex
        var found: [(row: RecognitionLog, distance: Double)] = []
        // A few more candidates than asked for, in case some are stale; more only if that wasn't enough.
        var asked = input.limit + 8
        while true {
            // Tens of milliseconds over a million sightings: on the thread pool, not Swift's cooperative one.
            let (limit, maxDistance, filter) = (asked, Float(input.maxDistance), input.filter)
            let candidates = try await req.application.threadPool.runIfActive {
                index.search(embedding, limit: limit, maxDistance: maxDistance, filter: filter)
            }
            let rows = try await RecognitionLog.query(on: req.db).filter(\.$id ~~ candidates.map(\.id)).all()
            let byID = Dictionary(rows.compactMap { row in row.id.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
            var stale: [Int] = []
            found = []
            for candidate in candidates {
                guard let row = byID[candidate.id], row.faceEmbedding != nil else {
                    stale.append(candidate.id)
                    continue
                }
                guard input.filter.admits(userID: row.$user.id, sessionID: row.sessionID, isUnknown: row.isUnknown, seenAt: row.createdAt)
                else { continue }
                found.append((row, Double(candidate.distance)))
                if found.count == input.limit { break }
            }
            index.remove(stale)
            // Enough, or there is no more to find.
            if found.count == input.limit || candidates.count < asked || asked >= 8 * input.limit + 64 { break }
            asked *= 2
        }
        let names = try await SightingNames.of(found.map(\.row), on: req.db)
        let items = try found.map { match in
            SightingMatchDTO(sighting: try match.row.toDTO(userName: match.row.$user.id.flatMap { names[$0] }),
                             distance: match.distance, confidence: MatchConfidence.confidence(distance: match.distance))
        }
        return SightingSearchResultDTO(items: items, maxDistance: input.maxDistance, searched: index.count)
    }

    /// The JSON body: `image` and, optionally, the parameters (numbers and booleans as JSON values or strings).
    struct SearchBody: Decodable {
        var image: String
        var parameters: [String: String] = [:]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            image = try container.decode(String.self, forKey: Key(stringValue: "image"))
            for name in SightingSearch.parameterNames {
                let key = Key(stringValue: name)
                guard container.contains(key), !(try container.decodeNil(forKey: key)) else { continue }
                if let text = try? container.decode(String.self, forKey: key) {
                    parameters[name] = text
                } else if let whole = try? container.decode(Int.self, forKey: key) {
                    parameters[name] = String(whole)
                } else if let number = try? container.decode(Double.self, forKey: key) {
                    parameters[name] = String(number)
                } else if let flag = try? container.decode(Bool.self, forKey: key) {
                    parameters[name] = String(flag)
                } else {
                    throw FaceStreamError.validationFailed("\(name): expected a string, number or boolean")
                }
            }
        }
    }
}

/// Current names of the people some sightings name (one query).
enum SightingNames {
    static func of(_ rows: [RecognitionLog], on db: any Database) async throws -> [Int: String] {
        let ids = Set(rows.compactMap { $0.$user.id })
        guard !ids.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$id ~~ Array(ids)).all()
        return Dictionary(users.compactMap { user in user.id.map { ($0, user.name) } }, uniquingKeysWith: { first, _ in first })
    }
}

/// One sighting found by photo: the sighting as `/api/logs` shows it, and how near its face is.
struct SightingMatchDTO: Content, Equatable {
    var sighting: RecognitionLogDTO
    /// Euclidean distance between the photo's face and the sighting's.
    var distance: Double
    /// `MatchConfidence` of that distance.
    var confidence: Double
}

struct SightingSearchResultDTO: Content, Equatable {
    var items: [SightingMatchDTO]
    var maxDistance: Double
    /// Sightings with a face this node can search.
    var searched: Int

    enum CodingKeys: String, CodingKey {
        case items, searched
        case maxDistance = "max_distance"
    }
}
