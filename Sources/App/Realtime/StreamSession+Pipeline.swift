import FaceKit
import Foundation

/// Full-frame scans for new faces, run in the background while a stream has tracked faces.
struct DiscoveryState {
    var inFlight = false
    var lastStarted = -Double.infinity
    /// Boxes a finished scan found away from every track: looked at in the next frame.
    var found: [BoundingBox] = []
}

extension StreamSession {
    /// One frame through the pipeline:
    /// 1. faces are looked for only near where tracked faces were (cheap region scans); with no
    ///    track alive the whole frame is scanned — and, while tracks are alive, a background
    ///    full-frame scan every `discoveryInterval` finds newcomers for the next frames;
    /// 2. the tracker continues or starts a track per face;
    /// 3. only tracks that need it (new, unsettled, due, or moved a lot) are embedded and searched;
    /// 4. each track's identity comes from its vote; settled/changed identities are logged.
    func analyze(_ frame: Frame) async throws -> [StreamFace] {
        let time = now
        let near = tracker.trackedBoxes + discovery.found
        discovery.found = []
        let detected = try await runtime.engine.detectFrame(
            frame.bytes, maxPixels: settings.maxImagePixels, near: near.isEmpty ? nil : near, options: settings.detection)
        if near.isEmpty {
            discovery.lastStarted = time
        } else {
            discoverIfDue(in: detected.image, at: time)
        }
        let faces = detected.faces
        let assignments = tracker.assign(faces.map(\.box), at: time)
        let due = assignments.filter(\.needsEmbedding)
        let embedded = try await runtime.engine.embed(due.map { faces[$0.detection] }, in: detected.image)
        var trackIDs = assignments.map(\.trackID)
        for (assignment, face) in zip(due, embedded) {
            guard let embedding = face.embedding else { continue }
            // Deactivated and deleted people are already out of the gallery.
            let nearest = runtime.gallery.search(embedding, topK: 1).first
            let observation = Observation(nearest: nearest, configuration: tracker.configuration)
            let outcome = tracker.record(trackID: assignment.trackID, embedding: embedding, observation: observation, at: time)
            trackIDs[assignment.detection] = outcome.trackID
            if let event = outcome.event { await recordSighting(event) }
        }
        return faces.indices.map { index in
            let identity = tracker.identity(of: trackIDs[index])
            let name = identity.personID.flatMap { runtime.people.name(of: $0) }
            let known = identity.settled && name != nil
            return StreamFace(trackID: trackIDs[index], userID: known ? identity.personID : nil, userName: known ? name : nil,
                              confidence: identity.confidence, bbox: faces[index].box.array, isUnknown: !known)
        }
    }

    private func discoverIfDue(in image: Image, at time: Double) {
        guard !discovery.inFlight, time - discovery.lastStarted >= settings.discoveryInterval else { return }
        discovery.inFlight = true
        discovery.lastStarted = time
        let engine = runtime.engine
        let options = settings.detection
        Task {
            let faces = (try? await engine.discover(image, options: options)) ?? []
            self.finishDiscovery(faces.map(\.box))
        }
    }

    private func finishDiscovery(_ boxes: [BoundingBox]) {
        discovery.inFlight = false
        let known = tracker.trackedBoxes
        for box in boxes where !known.contains(where: { $0.iou(box) > 0.2 }) && !discovery.found.contains(where: { $0.iou(box) > 0.2 }) {
            discovery.found.append(box)
        }
    }
}
