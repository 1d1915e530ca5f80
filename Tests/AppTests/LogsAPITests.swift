@testable import App
import Fluent
import Testing
import VaporTesting

@Suite("Sightings API and retention", .serialized)
struct LogsAPITests {
    /// 2024-05-01T00:00:00Z
    static let base = Date(timeIntervalSince1970: 1_714_521_600)

    /// 30 sightings, one a minute from `base`: every third unknown, the rest alternating between two
    /// people; sessions "a" (first 20) and "b".
    private func seed(_ app: Application) async throws -> (ann: Int, ben: Int) {
        let ann = try await createUser("Ann", in: app).id
        let ben = try await createUser("Ben", in: app).id
        for minute in 0..<30 {
            let unknown = minute % 3 == 0
            let log = RecognitionLog(
                userID: unknown ? nil : (minute % 2 == 0 ? ann : ben), trackID: "\(minute)", confidence: 0.9,
                isUnknown: unknown, bbox: [minute, 2, 30, 40], sessionID: minute < 20 ? "a" : "b",
                createdAt: Self.base.addingTimeInterval(Double(minute) * 60))
            try await log.create(on: app.db)
        }
        return (ann, ben)
    }

    private func list(_ app: Application, _ query: String) async throws -> PageDTO<RecognitionLogDTO> {
        let response = try await app.testing().sendRequest(.GET, "api/logs?\(query)", headers: .apiKey(TestKeys.admin))
        #expect(response.status == .ok, "\(query): \(response.body.string)")
        return try response.content.decode(PageDTO<RecognitionLogDTO>.self)
    }

    @Test func listsNewestFirstWithFiltersAndPaging() async throws {
        try await withApp { app in
            let (ann, ben) = try await seed(app)
            let all = try await list(app, "")
            #expect(all.total == 30 && all.items.count == 20 && all.perPage == 20)
            #expect(all.items.first?.trackID == "29" && all.items.last?.trackID == "10")
            #expect(all.items.map(\.createdAt) == all.items.map(\.createdAt).sorted(by: >))
            let second = try await list(app, "page=2&per_page=20")
            #expect(second.items.map(\.trackID) == (0..<10).reversed().map(String.init))

            let annRows = try await list(app, "user_id=\(ann)&per_page=100")
            #expect(annRows.total == 10 && annRows.items.allSatisfy { $0.userID == ann && $0.userName == "Ann" && !$0.isUnknown })
            #expect(try await list(app, "user_id=\(ben)").total == 10)
            let unknown = try await list(app, "is_unknown=true&per_page=100")
            #expect(unknown.total == 10 && unknown.items.allSatisfy { $0.isUnknown && $0.userID == nil && $0.userName == nil })
            #expect(try await list(app, "is_unknown=false").total == 20)
            #expect(try await list(app, "session_id=b").total == 10)
            #expect(try await list(app, "session_id=b&is_unknown=true").total == 3)  // 21, 24, 27

            // from inclusive, to exclusive; a +02:00 offset sent unencoded arrives as a space and still parses.
            #expect(try await list(app, "from=2024-05-01T00:10:00Z&to=2024-05-01T00:20:00Z").total == 10)
            #expect(try await list(app, "from=2024-05-01T02:25:00+02:00").total == 5)
            #expect(try await list(app, "to=2024-05-01T00:00:00.500Z").total == 1)
            let row = try #require(all.items.first)
            #expect(row.framePosition == [29, 2, 30, 40] && row.sessionID == "b" && row.confidence == 0.9)

            for query in ["from=yesterday", "to=2024-13-01T00:00:00Z", "user_id=x", "is_unknown=2", "per_page=500",
                          "from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z", "session_id=a%00b"] {
                try await app.testing().test(.GET, "api/logs?\(query)", headers: .apiKey(TestKeys.admin)) { res async throws in
                    #expect(res.status == .unprocessableEntity, "\(query)")
                    #expect(try res.errorBody().error.code == "validation_failed")
                }
            }
        }
    }

    @Test func getOneAndNotFound() async throws {
        try await withApp { app in
            let (ann, _) = try await seed(app)
            let some = try #require(try await RecognitionLog.query(on: app.db).filter(\.$user.$id == ann).first())
            try await app.testing().test(.GET, "api/logs/\(some.requireID())", headers: .apiKey(TestKeys.admin)) { res async throws in
                #expect(res.status == .ok)
                let dto = try res.content.decode(RecognitionLogDTO.self)
                #expect(dto.id == some.id && dto.userName == "Ann" && dto.trackID == some.trackID)
            }
            for path in ["api/logs/999999", "api/logs/nope"] {
                try await app.testing().test(.GET, path, headers: .apiKey(TestKeys.admin)) { res async in
                    #expect(res.status == .notFound)
                }
            }
        }
    }

    @Test func purgeDeletesOnlyOlderRows() async throws {
        try await withApp { app in
            _ = try await seed(app)
            let cutoff = Self.base.addingTimeInterval(15 * 60)
            #expect(try await LogRetention.purge(olderThan: cutoff, on: app.db) == 15)
            #expect(try await RecognitionLog.query(on: app.db).count() == 15)
            #expect(try await RecognitionLog.query(on: app.db).filter(\.$createdAt < cutoff).count() == 0)
            #expect(try await LogRetention.purge(olderThan: cutoff, on: app.db) == 0)
            let now = Date()
            #expect(abs(LogRetention.cutoff(days: 2, now: now).timeIntervalSince(now) + 2 * 86_400) < 0.001)
        }
    }

    @Test func retentionRunsInTheBackgroundAtBoot() async throws {
        try await withApp(["LOG_RETENTION_DAYS": "7"]) { app in
            let old = RecognitionLog(userID: nil, trackID: "old", confidence: 0.5, isUnknown: true, bbox: [0, 0, 1, 1],
                                     sessionID: "s", createdAt: Date().addingTimeInterval(-8 * 86_400))
            let recent = RecognitionLog(userID: nil, trackID: "recent", confidence: 0.5, isUnknown: true, bbox: [0, 0, 1, 1],
                                        sessionID: "s", createdAt: Date().addingTimeInterval(-6 * 86_400))
            try await old.create(on: app.db)
            try await recent.create(on: app.db)
            try await app.asyncBoot()
            var remaining: [String] = []
            for _ in 0..<50 {
                remaining = try await RecognitionLog.query(on: app.db).all().map(\.trackID)
                if remaining == ["recent"] { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(remaining == ["recent"])
        }
    }
}
