import FaceKit
import Testing

@Suite("Tracking and identity votes")
struct TrackerTests {
    let configuration = TrackerConfiguration()

    func box(_ x: Double, _ y: Double, _ size: Double = 100) -> BoundingBox {
        BoundingBox(x: x, y: y, width: size, height: size)
    }

    /// A look at `distance` from the nearest person: named `person` (a match) or unknown (nil),
    /// with the confidence the match rule gives either.
    func look(_ person: Int?, at distance: Double) -> Observation {
        let confidence = MatchConfidence.confidence(distance: distance)
        return Observation(personID: person, distance: distance, confidence: person == nil ? 1 - confidence : confidence)
    }

    @Test("a moving face keeps its id; a second face gets another; a lost face's track ends")
    func ids() {
        let tracker = FaceTracker()
        var first: String?
        for frame in 0..<30 {
            let t = Double(frame) * 0.1
            let assigned = tracker.assign([box(Double(frame) * 12, 50), box(500, 300, 80)], at: t)
            #expect(assigned.count == 2)
            if first == nil { first = assigned[0].trackID }
            #expect(assigned[0].trackID == first)
            #expect(assigned[1].trackID != first)
        }
        // Unseen for longer than the time to live: the same place now starts a new track.
        let later = tracker.assign([box(360, 50)], at: 3.0 + configuration.timeToLive + 0.1)
        #expect(later[0].trackID != first)
        #expect(tracker.liveTrackCount == 1)
    }

    @Test("identity settles after two agreeing votes and one bad frame does not change it")
    func voting() {
        let tracker = FaceTracker()
        var random = RandomEmbeddings(seed: 3)
        let face = random.next()
        // 0.55: a match, but not a decisive one (those settle at once, see `decisiveLook`).
        let alice = look(42, at: 0.55)
        let stranger = look(nil, at: 0.8)
        let id = tracker.assign([box(0, 0)], at: 0)[0].trackID
        var result = tracker.record(trackID: id, embedding: face, observation: alice, at: 0)
        #expect(result.event == nil && !tracker.identity(of: id).settled)
        _ = tracker.assign([box(5, 0)], at: 0.1)
        result = tracker.record(trackID: id, embedding: random.near(face, distance: 0.1), observation: alice, at: 0.1)
        #expect(result.event?.identity.personID == 42)
        #expect(tracker.identity(of: id).personID == 42)
        _ = tracker.assign([box(10, 0)], at: 0.2)
        result = tracker.record(trackID: id, embedding: random.near(face, distance: 0.2), observation: stranger, at: 0.2)
        #expect(result.event == nil)
        #expect(tracker.identity(of: id).personID == 42)
        #expect(abs(tracker.identity(of: id).confidence - 2.0 / 3.0 * alice.confidence) < 1e-9)
    }

    @Test("a settled track is re-embedded only periodically or when its box changes a lot")
    func reembedding() {
        let tracker = FaceTracker()
        var random = RandomEmbeddings(seed: 5)
        let face = random.next()
        let known = Observation(personID: 1, distance: 0.55, confidence: 0.9)
        var needs: [Bool] = []
        for frame in 0..<25 {
            let a = tracker.assign([box(Double(frame), 0)], at: Double(frame) * 0.04)[0]
            needs.append(a.needsEmbedding)
            if a.needsEmbedding { _ = tracker.record(trackID: a.trackID, embedding: face, observation: known, at: Double(frame) * 0.04) }
        }
        #expect(needs.filter { $0 }.count == 2 + 2) // two to settle, then every 10th frame
        let jump = tracker.assign([box(60, 0)], at: 1.1)[0]
        #expect(jump.needsEmbedding)
    }

    @Test("a sharp frontal view outweighs earlier poor views; a disagreeing look is checked at once")
    func weightedVote() {
        let tracker = FaceTracker()
        var random = RandomEmbeddings(seed: 11)
        let face = random.next()
        var profile = Observation(personID: nil, distance: 0.66, confidence: 0.4)
        profile.weight = 0.15
        var frontal = Observation(personID: 7, distance: 0.52, confidence: 0.93)
        frontal.weight = 0.9
        var id = ""
        for frame in 0..<5 {
            id = tracker.assign([box(Double(frame), 0)], at: Double(frame) * 0.04)[0].trackID
            _ = tracker.record(trackID: id, embedding: face, observation: profile, at: Double(frame) * 0.04)
        }
        #expect(tracker.identity(of: id).settled && tracker.identity(of: id).personID == nil)
        // Settled: the next frame is not embedded, until the periodic re-embedding sees the frontal face.
        var a = tracker.assign([box(5, 0)], at: 0.2)[0]
        #expect(!a.needsEmbedding)
        _ = tracker.record(trackID: a.trackID, embedding: face, observation: frontal, at: 0.2)
        // That look disagreed with the settled vote: the very next frame is embedded again.
        a = tracker.assign([box(6, 0)], at: 0.24)[0]
        #expect(a.needsEmbedding)
        _ = tracker.record(trackID: a.trackID, embedding: face, observation: frontal, at: 0.24)
        // 2 × 0.9 against 5 × 0.15: the person wins after two good looks, not after four.
        #expect(tracker.identity(of: id).personID == 7)
    }

    @Test("a decisive look (0.1 inside the match limit) settles a new track at once and outvotes earlier unknown looks")
    func decisiveLook() {
        let tracker = FaceTracker()
        var random = RandomEmbeddings(seed: 17)
        let face = random.next()
        let decisive = look(3, at: 0.45)
        let unknown = look(nil, at: 0.68)
        // A new track's first look, decisive: named in that very frame, and its sighting event comes with it.
        let first = tracker.assign([box(0, 0)], at: 0)[0].trackID
        let event = tracker.record(trackID: first, embedding: face, observation: decisive, at: 0).event
        #expect(event?.identity.personID == 3 && event?.identity.settled == true)
        // A track settled on unknown by five profile looks turns to the camera.
        let other = random.next()
        let id = tracker.assign([box(300, 0)], at: 1)[0].trackID
        for frame in 0..<5 {
            _ = tracker.assign([box(300 + Double(frame), 0)], at: 1 + Double(frame) * 0.04)
            _ = tracker.record(trackID: id, embedding: other, observation: unknown, at: 1 + Double(frame) * 0.04)
        }
        #expect(tracker.identity(of: id).settled && tracker.identity(of: id).personID == nil)
        _ = tracker.assign([box(306, 0)], at: 1.24)
        _ = tracker.record(trackID: id, embedding: other, observation: decisive, at: 1.24)
        #expect(tracker.identity(of: id).personID == 3 && tracker.identity(of: id).settled)
        // One unknown look after it does not take the name away.
        _ = tracker.assign([box(307, 0)], at: 1.28)
        _ = tracker.record(trackID: id, embedding: other, observation: unknown, at: 1.28)
        #expect(tracker.identity(of: id).personID == 3)
        // A match at 0.55 is not decisive: a new track waits for a second look.
        let plain = look(3, at: 0.55)
        let third = tracker.assign([box(600, 0)], at: 2)[0].trackID
        #expect(tracker.record(trackID: third, embedding: random.next(), observation: plain, at: 2).event == nil)
        #expect(!tracker.identity(of: third).settled)
    }

    @Test("a face that no longer looks like its track is split off under a new id")
    func split() {
        let tracker = FaceTracker()
        var random = RandomEmbeddings(seed: 9)
        let unknown = Observation(personID: nil, distance: nil, confidence: 1)
        let id = tracker.assign([box(0, 0)], at: 0)[0].trackID
        _ = tracker.record(trackID: id, embedding: random.next(), observation: unknown, at: 0)
        _ = tracker.assign([box(2, 0)], at: 0.1)
        let swapped = tracker.record(trackID: id, embedding: random.next(), observation: unknown, at: 0.1)
        #expect(swapped.trackID != id)
    }
}
