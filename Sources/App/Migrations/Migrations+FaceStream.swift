import Fluent

extension Migrations {
    /// FaceStream's schema, in order. Append new migrations at the end; never edit a shipped one.
    func addFaceStreamMigrations() {
        add(CreateUser())
        add(CreateFaceEmbedding())
        add(CreateRecognitionLog())
        add(CreateAPIKey())
        add(AddLogIndexes())
        add(AddFaceToRecognitionLog())
        add(CreateUnknownCluster())
        add(AddUnknownClusterToRecognitionLog())
        add(CreateGalleryChange())
    }
}
