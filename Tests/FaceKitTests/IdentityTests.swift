import FaceKit
import Testing

@Suite("Identity from real photos")
struct IdentityTests {
    @Test("three Obama photos are one person, Biden another")
    func obamaAndBiden() async throws {
        let obama = [
            try await Fixtures.embedding("face_recognition/obama.jpg"),
            try await Fixtures.embedding("face_recognition/obama2.jpg"),
            try await Fixtures.embedding("face_recognition/obama3.jpg"),
        ]
        let biden = try await Fixtures.embedding("face_recognition/biden.jpg")
        for i in obama.indices {
            for j in obama.indices where j > i {
                #expect(obama[i].distance(to: obama[j]) < 0.6, "obama \(i) vs \(j)")
            }
            #expect(obama[i].distance(to: biden) > 0.6, "obama \(i) vs biden")
        }
    }

    @Test("the five johns: every same-person pair < 0.6, every cross pair > 0.6")
    func johns() async throws {
        var people: [(String, [Embedding])] = []
        for (person, files) in try Fixtures.johns() {
            #expect(files.count == 11, "\(person) has 11 crops")
            var embeddings: [Embedding] = []
            for file in files { embeddings.append(try await Fixtures.embedding(file)) }
            people.append((person, embeddings))
        }
        #expect(people.count == 5)
        var worstSame: Float = 0, bestCross: Float = 10
        for (a, (_, left)) in people.enumerated() {
            for (b, (_, right)) in people.enumerated() where b >= a {
                for (i, x) in left.enumerated() {
                    for (j, y) in right.enumerated() where a != b || j > i {
                        let d = x.distance(to: y)
                        if a == b { worstSame = max(worstSame, d) } else { bestCross = min(bestCross, d) }
                    }
                }
            }
        }
        #expect(worstSame < 0.6)
        #expect(bestCross > 0.6)
    }

    @Test("bald_guys.jpg: its 24 faces embedded")
    func baldGuys() async throws {
        let faces = try await Fixtures.engine.analyze(try Fixtures.image("dlib/faces/bald_guys.jpg"), options: .photo)
        #expect(faces.count == 24)
        #expect(faces.allSatisfy { $0.embedding != nil && $0.landmarks.count == 5 })
    }

    @Test("the RGBA PNG is the same person as its JPEG")
    func rgbaPNG() async throws {
        let png = try await Fixtures.embedding("face_recognition/32bit.png")
        let jpeg = try await Fixtures.embedding("face_recognition/obama.jpg")
        #expect(png.distance(to: jpeg) < 0.6)
    }

    @Test("concurrent use gives the same embeddings as sequential use")
    func concurrency() async throws {
        let files = try Fixtures.johns().prefix(2).flatMap { $0.files.prefix(4) }
        var sequential: [String: Embedding] = [:]
        for file in files { sequential[file] = try await Fixtures.embedding(file) }
        let concurrent = try await withThrowingTaskGroup(of: (String, Embedding).self) { group in
            for round in 0..<3 {
                for file in files { group.addTask { _ = round; return (file, try await Fixtures.embedding(file)) } }
            }
            var results: [(String, Embedding)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(concurrent.count == files.count * 3)
        for (file, embedding) in concurrent { #expect(embedding == sequential[file], "\(file)") }
    }
}
