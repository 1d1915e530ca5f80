import NIOConcurrencyHelpers

/// Names of the people the gallery can answer with (active users that have embeddings or not).
/// Read on every recognised face, so it lives in memory beside the gallery.
public final class PeopleDirectory: Sendable {
    private let names = NIOLockedValueBox<[Int: String]>([:])

    public init() {}

    public func name(of id: Int) -> String? { names.withLockedValue { $0[id] } }
    public func set(_ id: Int, name: String) { names.withLockedValue { $0[id] = name } }
    public func remove(_ id: Int) { names.withLockedValue { _ = $0.removeValue(forKey: id) } }
    public func replaceAll(_ all: [Int: String]) { names.withLockedValue { $0 = all } }
}
