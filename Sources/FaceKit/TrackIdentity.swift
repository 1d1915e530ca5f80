/// What one embedding of a track said: the nearest enrolled person if close enough, else unknown.
public struct Observation: Sendable, Equatable {
    public let personID: Int?
    public let distance: Double?
    public let confidence: Double
    /// How much this observation counts in its track's vote: the face's quality score (a blurred
    /// profile says less about who it is than a sharp frontal view). 1 unless set.
    public var weight: Double = 1

    /// Classifies the gallery's nearest match with the tracker's rule.
    public init(nearest: Gallery.Match?, configuration: TrackerConfiguration) {
        self.init(nearest: nearest, rule: configuration.matchRule)
    }

    /// The nearest person if `rule` says the face is them; otherwise the face is unknown, with
    /// confidence 1 − the nearest person's (1 for an empty gallery).
    public init(nearest: Gallery.Match?, rule: MatchRule) {
        guard let nearest else {
            self.init(personID: nil, distance: nil, confidence: 1)
            return
        }
        let distance = Double(nearest.distance)
        let confidence = rule.confidence(distance: distance)
        if rule.matches(distance: distance) {
            self.init(personID: nearest.personID, distance: distance, confidence: confidence)
        } else {
            self.init(personID: nil, distance: distance, confidence: 1 - confidence)
        }
    }

    public init(personID: Int?, distance: Double?, confidence: Double) {
        self.personID = personID
        self.distance = distance
        self.confidence = confidence
    }
}

/// The outcome of a track's vote.
public struct TrackIdentity: Sendable, Equatable {
    /// nil: unknown (nobody enrolled, or not settled yet).
    public let personID: Int?
    /// Share of the window's votes for the winner × the winner's mean confidence.
    public let confidence: Double
    public let settled: Bool

    public static let unsettled = TrackIdentity(personID: nil, confidence: 0, settled: false)

    /// Weighted majority vote over the recent observations: the label with the most weight wins
    /// (ties: the higher mean confidence). Settled once the winner has more than half of the weight
    /// and `votesToSettle` votes (`unknownVotesToSettle` for unknown), or a decisive look (see
    /// `TrackerConfiguration.decisiveMargin`), which also wins against any weight of unknown looks.
    static func vote(_ observations: [Observation], votesToSettle: Int, unknownVotesToSettle: Int,
                     isDecisive: (Observation) -> Bool = { _ in false }) -> TrackIdentity
    {
        guard !observations.isEmpty else { return .unsettled }
        var tally: [Int?: (votes: Int, weight: Double, confidence: Double)] = [:]
        var totalWeight = 0.0
        for observation in observations {
            let weight = max(0.05, observation.weight)
            let current = tally[observation.personID] ?? (0, 0, 0)
            tally[observation.personID] = (current.votes + 1, current.weight + weight, current.confidence + observation.confidence)
            totalWeight += weight
        }
        var winner = tally.max { a, b in
            a.value.weight != b.value.weight ? a.value.weight < b.value.weight
                : a.value.confidence / Double(a.value.votes) < b.value.confidence / Double(b.value.votes)
        }!
        // Unknown looks cannot outvote a decisive match still in the window.
        if winner.key == nil, let decisive = observations.last(where: isDecisive), let entry = tally[decisive.personID] {
            winner = (decisive.personID, entry)
        }
        let votes = winner.value.votes
        let share = winner.value.weight / totalWeight
        let decided = winner.key != nil && observations.contains { $0.personID == winner.key && isDecisive($0) }
        let settled = decided || (votes >= (winner.key == nil ? unknownVotesToSettle : votesToSettle) && share > 0.5)
        let confidence = share * winner.value.confidence / Double(votes)
        return settled ? TrackIdentity(personID: winner.key, confidence: confidence, settled: true)
            : TrackIdentity(personID: nil, confidence: confidence, settled: false)
    }
}
