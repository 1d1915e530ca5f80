@testable import App
import Fluent
import Testing

@Suite("Migrations", .serialized)
struct MigrationTests {
    static let tables: Set<String> = ["users", "face_embeddings", "recognition_logs", "api_keys", "unknown_clusters", "gallery_changes"]
    static let indexes: Set<String> = Set(AddLogIndexes.indexes.map(\.name) + [AddUnknownClusterToRecognitionLog.index])

    @Test func upCreatesTablesAndIndexesDownRemovesThem() async throws {
        try await withApp { app in
            #expect(try await Schema.tables(app.db).isSuperset(of: Self.tables))
            #expect(try await Schema.indexes(app.db).isSuperset(of: Self.indexes))

            try await app.autoRevert()
            #expect(try await Schema.tables(app.db).isDisjoint(with: Self.tables))
            #expect(try await Schema.indexes(app.db).isDisjoint(with: Self.indexes))

            // And up again: a revert must leave nothing behind that blocks the next prepare.
            try await app.autoMigrate()
            #expect(try await Schema.tables(app.db).isSuperset(of: Self.tables))
        }
    }

    @Test func migrationsAreRegisteredInOrder() async throws {
        try await withApp(migrate: false) { app in
            try await app.migrator.setupIfNeeded().get()
            let names = try await app.migrator.previewPrepareBatch().get().map { $0.0.name }
            #expect(names == ["App.CreateUser", "App.CreateFaceEmbedding", "App.CreateRecognitionLog",
                              "App.CreateAPIKey", "App.AddLogIndexes", "App.AddFaceToRecognitionLog",
                              "App.CreateUnknownCluster", "App.AddUnknownClusterToRecognitionLog", "App.CreateGalleryChange"])
        }
    }
}
