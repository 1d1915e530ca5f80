import FaceKit
import Foundation

/// Full-frame scans (finding faces anywhere, at the detector's full sensitivity) of one stream.
struct DiscoveryState {
    var inFlight = false
    /// When the last full scan (in the frame path or in the background) started.
    var lastScan = -Double.infinity
    /// Boxes a background scan found away from every visible track: looked at in the next frame.
    var found: [BoundingBox] = []
}

extension StreamSession {
    /// One frame through the pipeline:
    /// 1. Detection, at a cost that keeps every stream real-time:
    ///    - with faces tracked, only the regions around them are scanned (~3 ms each, against
    ///      ~110 ms for a full scan of a 640×360 frame at upsample 1);
    ///    - the whole frame is scanned at full sensitivity in the frame path only for a stream's
    ///      first frame, or a frame `staleScanAfter` after the previous one (slow clients);
    ///    - on a cut (the scene changed at once) the frame gets a quick full scan without
    ///      upsampling (faces ≥ 80 px, ~25 ms) and a full-sensitivity scan starts in the background;
    ///    - otherwise, every `discoveryInterval`, a background scan on another engine thread looks
    ///      for newcomers, which the next frames then follow.
    /// 2. The tracker continues or starts a track per face.
    /// 3. Only tracks that need it (new, unsettled, due, or moved a lot) are embedded and searched.
    /// 4. Each track's identity comes from its vote; settled/changed identities are logged.
    func analyze(_ frame: Frame) async throws -> [StreamFace] {
        let time = now
        // The first frame, or one long after the previous: nothing known is current any more.
        let stale = time - lastFrameTime >= settings.staleScanAfter
        lastFrameTime = time
        if stale { discovery.lastScan = time }
        let plan = FrameScanPlan(near: tracker.trackedBoxes + discovery.found, forceFullScan: stale, previousGrid: previousGrid,
                                 full: settings.detection, quick: settings.quickDetection)
        discovery.found = []
        let scan = try await runtime.engine.scanFrame(frame.bytes, maxPixels: settings.maxImagePixels, plan: plan)
        previousGrid = scan.grid
        let image = scan.image, faces = scan.faces
        if scan.kind == .cut { tracker.endAll() }
        if scan.kind != .full { discoverIfDue(in: image, at: time, urgent: scan.kind == .cut) }
        let assignments = tracker.assign(faces.map(\.box), at: time)
        let due = assignments.filter(\.needsEmbedding)
        let embedded = try await runtime.engine.embed(due.map { faces[$0.detection] }, in: image)
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

    private func discoverIfDue(in image: Image, at time: Double, urgent: Bool) {
        guard !discovery.inFlight, urgent || time - discovery.lastScan >= settings.discoveryInterval else { return }
        discovery.inFlight = true
        discovery.lastScan = time
        let engine = runtime.engine
        let options = settings.detection
        Task {
            let faces = (try? await engine.discover(image, options: options)) ?? []
            self.finishDiscovery(faces.map(\.box))
        }
    }

    /// Keeps the faces a scan found that no track is following right now (a track whose face was
    /// lost is not following it: its stale box must not hide the face's new place).
    private func finishDiscovery(_ boxes: [BoundingBox]) {
        discovery.inFlight = false
        let known = tracker.visibleBoxes
        for box in boxes where !known.contains(where: { $0.iou(box) > 0.5 }) && !discovery.found.contains(where: { $0.iou(box) > 0.5 }) {
            discovery.found.append(box)
        }
    }
}
