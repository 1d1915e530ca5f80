import Foundation

/// How unknown sightings are grouped into people to name (UNKNOWN_* variables). The distances are
/// fixed, not configuration: they are tied to dlib's ResNet and were measured (README, "Unknown visitors").
public struct UnknownClusterSettings: Sendable, Equatable {
    /// Measured on the five fixture johns as streams embed them (640×480 frames, no mirror averaging)
    /// and taken from LFW (photos, mirror-averaged). Join at 0.45: under the smallest different-person
    /// distance (johns 0.667, LFW 0.537, less ~0.05 for mirror-less stream looks) and at the johns'
    /// same-person p95 (0.441); a face needs only one member that close. Link at 0.55: above the
    /// largest mean distance within one john (0.396), below the smallest mean between two (0.737)
    /// and LFW's different-person p5 (0.669).
    static let defaultThresholds = UnknownClusterer.Thresholds(joinDistance: 0.45, linkageDistance: 0.55)

    var thresholds: UnknownClusterer.Thresholds = Self.defaultThresholds
    /// Clusters with fewer sightings are hidden from `/api/unknowns` unless `?min_size=` asks.
    public var minClusterSize = 2
    /// At most this many faces are enrolled when a cluster is assigned to a person.
    public var assignMaxFaces = 5
    /// How often the periodic merge/split pass runs; 0 turns it off.
    public var reclusterMinutes = 5.0

    public init() {}
}

extension UnknownClusterSettings {
    init(_ env: EnvironmentReader) throws(ConfigurationError) {
        minClusterSize = try env.int("UNKNOWN_MIN_CLUSTER_SIZE", default: 2, in: 1...1_000_000)
        assignMaxFaces = try env.int("UNKNOWN_ASSIGN_MAX_FACES", default: 5, in: 1...100)
        reclusterMinutes = try env.double("UNKNOWN_RECLUSTER_MINUTES", default: 5, lower: 0, upper: 1440)
    }
}
