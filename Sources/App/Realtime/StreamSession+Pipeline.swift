import FaceKit
import Foundation

extension StreamSession {
    /// One frame through the pipeline:
    /// 1. Decode and detect the whole frame, in one engine job (YuNet: ~15 ms for 640×480, faces
    ///    down to ~10 px). Every frame is searched whole, so a newcomer, a cut or a fast move is
    ///    seen in the frame it happens.
    /// 2. The tracker continues or starts a track per face (overlap, nearness for fast moves;
    ///    embeddings split a track whose face changed and resume one that was briefly lost).
    /// 3. Only tracks that need it (new, unsettled, due, or moved a lot) are embedded and searched:
    ///    a settled track is answered from its vote. While more frames are in the engine than it has
    ///    threads, a track embedded before may have its look put off to a later frame (at most
    ///    `TrackerConfiguration.maximumDeferrals` in a row), so new faces and frames go first.
    /// 4. Each track's identity comes from its vote (until it settles, from its latest look, marked
    ///    `settled: false`); settled/changed identities are logged with the
    ///    track's best-quality look at the face: its embedding, quality and a small JPEG of it, made
    ///    in the embedding's engine job and only when a track's best look improves.
    func analyze(_ frame: Frame) async throws -> [StreamFace] {
        let time = now
        let detection = try await runtime.engine.detectFrame(frame.bytes, maxPixels: settings.maxImagePixels, options: settings.detection)
        let image = detection.image, faces = detection.faces
        var timings = detection.timings
        let assignments = tracker.assign(faces.map(\.box), qualities: faces.map(\.quality.score), at: time)
        let busy = runtime.frameSlots.inUse > runtime.engine.threadCount
        let due = assignments.filter { $0.needsEmbedding && !(busy && $0.mayWait) }
        for assignment in assignments where busy && assignment.mayWait { tracker.deferEmbedding(of: assignment.trackID) }
        let dueFaces = due.map { faces[$0.detection] }
        let result = try await runtime.engine.embedTimed(dueFaces, in: image, mirror: settings.detection.mirror, continuing: true,
                                                         thumbnails: settings.thumbnails,
                                                         thumbnailAbove: due.map { tracker.thumbnailFloor(of: $0.trackID) })
        let (embedded, embedTimings, thumbnails) = (result.faces, result.timings, result.thumbnails)
        timings.landmarks = embedTimings.landmarks
        timings.chip = embedTimings.chip
        timings.embed = embedTimings.embed
        var trackIDs = assignments.map(\.trackID)
        for (index, (assignment, face)) in zip(due, embedded).enumerated() {
            guard let embedding = face.embedding else { continue }
            // Deactivated and deleted people are already out of the gallery.
            let nearest = runtime.gallery.search(embedding, topK: 1).first
            var observation = Observation(nearest: nearest, configuration: tracker.configuration)
            observation.weight = face.quality.score
            metrics.recordRecognition(known: observation.personID != nil)
            let outcome = tracker.record(trackID: assignment.trackID, embedding: embedding, observation: observation,
                                         quality: face.quality.score, thumbnail: index < thumbnails.count ? thumbnails[index] : nil,
                                         at: time)
            trackIDs[assignment.detection] = outcome.trackID
            if let event = outcome.event { await recordSighting(event) }
        }
        metrics.recordFrame(timings: timings)
        metrics.recordFacesDetected(faces.count)
        return faces.indices.map { index in
            let answer = tracker.answer(of: trackIDs[index])
            let name = answer.personID.flatMap { runtime.people.name(of: $0) }
            let known = name != nil
            return StreamFace(trackID: trackIDs[index], userID: known ? answer.personID : nil, userName: known ? name : nil,
                              confidence: answer.confidence, bbox: faces[index].box.array, isUnknown: !known,
                              settled: answer.settled)
        }
    }
}
