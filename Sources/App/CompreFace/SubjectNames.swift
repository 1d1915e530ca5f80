import Fluent
import Vapor

/// How CompreFace subjects map to FaceStream's people. A subject is a person's name. Names need
/// not be unique in FaceStream, subjects must be, so when several people share a name the one
/// enrolled first (lowest id) is the subject `Name`, and each other one is `Name #<id>`. A subject
/// string names the person whose name it is exactly (the first such person); failing that,
/// `Name #<id>` names person `<id>` if their name is `Name`.
enum SubjectNames {
    /// The subject of a person, given the lowest id among the people with that name.
    static func subject(id: Int, name: String, firstWithName: Int) -> String {
        id == firstWithName ? name : "\(name) #\(id)"
    }

    /// The person a subject names, or nil (always for one with a control character: no name holds
    /// one, and PostgreSQL would refuse the query).
    static func resolve(_ subject: String, on db: any Database) async throws -> User? {
        guard !subject.unicodeScalars.contains(where: TextControlCharacters.contains) else { return nil }
        if let first = try await User.query(on: db).filter(\.$name == subject).sort(\.$id).first() { return first }
        guard let marker = subject.range(of: " #", options: .backwards), let id = Int(subject[marker.upperBound...]), id > 0,
              let user = try await User.find(id, on: db), user.name == String(subject[..<marker.lowerBound]) else { return nil }
        return user
    }

    /// The person a subject names, or 404 code 42.
    static func require(_ subject: String, on db: any Database) async throws -> User {
        guard let user = try await resolve(subject, on: db) else { throw CompreFaceError.subjectNotFound(subject) }
        return user
    }

    /// The subjects of these people (ids that no longer exist are left out).
    static func subjects(of ids: Set<Int>, on db: any Database) async throws -> [Int: String] {
        guard !ids.isEmpty else { return [:] }
        let people = try await User.query(on: db).filter(\.$id ~~ ids).all()
        return try await subjects(of: people, on: db)
    }

    static func subjects(of people: [User], on db: any Database) async throws -> [Int: String] {
        let names = Set(people.map(\.name))
        guard !names.isEmpty else { return [:] }
        let namesakes = try await User.query(on: db).filter(\.$name ~~ names).field(\.$id).field(\.$name).all()
        var first: [String: Int] = [:]
        for person in namesakes { if let id = person.id { first[person.name] = min(first[person.name] ?? id, id) } }
        var result: [Int: String] = [:]
        for person in people {
            guard let id = person.id else { continue }
            result[id] = subject(id: id, name: person.name, firstWithName: first[person.name] ?? id)
        }
        return result
    }
}
