import Fluent
import Foundation

/// A group of unknown sightings that look like one person. Table `unknown_clusters`; its members
/// are the `recognition_logs` rows whose `unknown_cluster_id` is this id.
public final class UnknownCluster: Model, @unchecked Sendable {
    // @unchecked: Fluent's documented model pattern (mutable property wrappers); don't share across tasks.
    public static let schema = "unknown_clusters"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}
