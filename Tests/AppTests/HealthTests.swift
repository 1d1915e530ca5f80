@testable import App
import Testing
import VaporTesting

@Suite("Health", .serialized)
struct HealthTests {
    @Test func okWhileTheDatabaseAnswers() async throws {
        try await withApp { app in
            try await app.testing().test(.GET, "health") { res async throws in
                #expect(res.status == .ok)
                #expect(res.headers.first(name: .cacheControl) == "no-store")
                let body = try res.content.decode(HealthDTO.self)
                #expect(body.status == "ok")
                #expect(body.database == "ok")
                #expect(body.version == FaceStreamVersion.current)
                #expect(body.uptimeSeconds >= 0 && body.uptimeSeconds < 60)
                #expect(res.body.string.contains(#""uptime_seconds":"#))
            }
        }
    }

    @Test func degradedAndQuickWhenTheDatabaseIsUnreachable() async throws {
        // Nothing listens on port 1: every connection attempt is refused.
        try await withApp(["DATABASE_URL": "postgres://u@127.0.0.1:1/x"], migrate: false) { app in
            let clock = ContinuousClock()
            let started = clock.now
            try await app.testing().test(.GET, "health") { res async throws in
                #expect(res.status == .serviceUnavailable)
                let body = try res.content.decode(HealthDTO.self)
                #expect(body.status == "degraded")
                #expect(body.database == "unavailable")
                #expect(body.version == FaceStreamVersion.current)
            }
            #expect(clock.now - started < .seconds(5))
            // Still serving: a second probe gets an answer too.
            try await app.testing().test(.GET, "health") { res async in
                #expect(res.status == .serviceUnavailable)
            }
        }
    }

    @Test func degradedWithinTheDeadlineWhenTheDatabaseHangs() async throws {
        let listener = try SilentTCPListener()
        try await withApp(["DATABASE_URL": "postgres://u@127.0.0.1:\(listener.port)/x"], migrate: false) { app in
            let clock = ContinuousClock()
            let started = clock.now
            try await app.testing().test(.GET, "health") { res async throws in
                #expect(res.status == .serviceUnavailable)
                #expect(try res.content.decode(HealthDTO.self).database == "unavailable")
            }
            // The probe's 2 s deadline, not the hung connection, ends the request. Without the
            // deadline it would never end; the upper bound leaves room for a loaded test machine.
            let elapsed = clock.now - started
            #expect(elapsed >= .milliseconds(1900) && elapsed < .seconds(8))
            listener.close()  // resets the hung connection so shutdown doesn't wait for it
        }
    }
}
