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
        // Not settled yet: the frame is answered with what this look said.
        let first = tracker.answer(of: id)
        #expect(first.personID == 42 && first.confidence == alice.confidence && !first.settled)
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

    @Test("a settled track is re-embedded only periodically (10 frames and 0.5 s) or when its box changes a lot")
    func reembedding() {
        let known = Observation(personID: 1, distance: 0.55, confidence: 0.9)
        /// The frames embedded when a face is seen `frames` times, `interval` seconds apart, moving `step` px a frame.
        func embeddedFrames(_ frames: Int, every interval: Double, step: Double) -> (frames: [Int], tracker: FaceTracker) {
            let tracker = FaceTracker()
            var random = RandomEmbeddings(seed: 5)
            let face = random.next()
            var embedded: [Int] = []
            for frame in 0..<frames {
                let time = Double(frame) * interval
                let a = tracker.assign([box(Double(frame) * step, 0)], at: time)[0]
                guard a.needsEmbedding else { continue }
                embedded.append(frame)
                _ = tracker.record(trackID: a.trackID, embedding: face, observation: known, at: time)
            }
            return (embedded, tracker)
        }
        // 5 fps: two looks to settle, then every 10th frame (2 s apart).
        let camera = embeddedFrames(25, every: 0.2, step: 1)
        #expect(camera.frames == [0, 1, 11, 21])
        let jump = camera.tracker.assign([box(60, 0)], at: 5.0)[0]
        #expect(jump.needsEmbedding)
        // 100 fps: 10 frames are only 0.1 s, so the periodic look waits for 0.5 s.
        #expect(embeddedFrames(60, every: 0.01, step: 0).frames == [0, 1, 51])
    }

    @Test("unknown settles on the third agreeing look, a person on the second; until then the answer is the latest look's")
    func unknownNeedsAThirdLook() {
        let tracker = FaceTracker()
        var random = RandomEmbeddings(seed: 23)
        let face = random.next()
        // A face turning back to the camera: first a good match, then two poor views, then good ones.
        let good = look(5, at: 0.57), poor = look(nil, at: 0.64)
        var answers: [TrackIdentity] = []
        var ids: Set<String> = []
        for (frame, observation) in [good, poor, poor, good, good].enumerated() {
            let time = Double(frame) * 0.04
            let a = tracker.assign([box(Double(frame), 0)], at: time)[0]
            #expect(a.needsEmbedding, "frame \(frame): an unsettled track is embedded every frame")
            ids.insert(a.trackID)
            _ = tracker.record(trackID: a.trackID, embedding: random.near(face, distance: 0.05), observation: observation, at: time)
            answers.append(tracker.answer(of: a.trackID))
        }
        #expect(ids.count == 1)
        // Two unknown looks of three do not settle unknown, so the track keeps looking and the
        // good views name it: the answers follow the looks until the person has 3 of 5.
        #expect(answers.map(\.personID) == [5, nil, nil, 5, 5])
        #expect(answers.map(\.settled) == [false, false, false, false, true])
        // A stranger: unknown, settled on the third look.
        let strangerFace = random.next(), far = look(nil, at: 0.8)
        var settled: [Bool] = []
        for frame in 0..<3 {
            let time = 1 + Double(frame) * 0.04
            let stranger = tracker.assign([box(400, 0)], at: time)[0].trackID
            _ = tracker.record(trackID: stranger, embedding: strangerFace, observation: far, at: time)
            settled.append(tracker.identity(of: stranger).settled)
        }
        #expect(settled == [false, false, true])
    }

    @Test("a due look of a track embedded before may wait at most maximumDeferrals frames in a row; a new track never waits")
    func deferredLooks() {
        let tracker = FaceTracker()
        var random = RandomEmbeddings(seed: 31)
        let face = random.next(), poor = look(nil, at: 0.64)
        let first = tracker.assign([box(0, 0)], at: 0)[0]
        #expect(first.needsEmbedding && !first.mayWait)
        _ = tracker.record(trackID: first.trackID, embedding: face, observation: poor, at: 0)
        // Unsettled after one look: due every frame; it may wait twice, then it must be embedded.
        var mayWait: [Bool] = []
        for frame in 1...4 {
            let a = tracker.assign([box(Double(frame), 0)], at: Double(frame) * 0.04)[0]
            #expect(a.trackID == first.trackID && a.needsEmbedding)
            mayWait.append(a.mayWait)
            if a.mayWait { tracker.deferEmbedding(of: a.trackID) }
        }
        #expect(mayWait == [true, true, false, false])
        // An embedding starts the count again.
        _ = tracker.record(trackID: first.trackID, embedding: random.near(face, distance: 0.05), observation: poor, at: 0.2)
        #expect(tracker.assign([box(5, 0)], at: 0.24)[0].mayWait)
        // A second face's track has no embedding yet: it is never put off.
        let pair = tracker.assign([box(6, 0), box(400, 0)], at: 0.28)
        #expect(pair[0].mayWait && pair[1].needsEmbedding && !pair[1].mayWait)
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
