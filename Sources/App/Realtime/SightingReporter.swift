import FaceKit
import Foundation

/// Where a stream's settled (or changed) track identities — and the faces of photos recognised with
/// `?log=true` — go: a row for the sighting log and an
/// event for every webhook. Both only queue; writing and delivering happen on their own tasks,
/// so the frame that settled the identity is answered without waiting for either.
struct SightingReporter: Sendable {
    let log: SightingLogWriter
    let webhooks: WebhookDispatcher
    /// The names events carry (the log stores only the id).
    let people: PeopleDirectory
    /// The name of the API key the stream connected with.
    let apiKeyName: String?

    func record(_ event: FaceTracker.IdentityEvent, sessionID: String) async {
        let personID = event.identity.personID
        let row = SightingLogWriter.Sighting(
            userID: personID, trackID: event.trackID, confidence: event.identity.confidence, isUnknown: personID == nil,
            bbox: event.box.array, sessionID: sessionID, seenAt: Date(),
            embedding: event.best?.embedding, thumbnail: event.best?.thumbnail, quality: event.best?.quality)
        await record(row)
    }

    /// One sighting, from a stream or a logged photo (`POST /api/recognize?log=true`).
    func record(_ row: SightingLogWriter.Sighting) async {
        await log.enqueue(row)
        await webhooks.publish(WebhookEvent(row, personName: row.userID.flatMap { people.name(of: $0) }, apiKeyName: apiKeyName))
    }
}
