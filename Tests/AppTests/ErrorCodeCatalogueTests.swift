@testable import App
import Foundation
import Testing
import Vapor

/// README's three error tables (REST statuses, stream `error` messages, enrolment rejections) say
/// exactly what `ErrorCode` says, and the OpenAPI document's enums are the catalogue's.
@Suite("Error code catalogue")
struct ErrorCodeCatalogueTests {
    static let readme = FaceFixtures.packageRoot.appendingPathComponent("README.md")

    /// The rows of the Markdown table whose header row is `header`, as cells.
    static func table(_ header: String, in text: String) throws -> [[String]] {
        let lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let start = try #require(lines.firstIndex(of: header), "README has no table \(header)")
        return lines[(start + 2)...].prefix { $0.hasPrefix("|") }.map { row in
            row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The `snake_case` words in backticks: codes, not `Retry-After: 5` or `MAX_FRAME_BYTES`.
    static func codes(in cell: String) -> [String] {
        cell.components(separatedBy: "`").enumerated().compactMap { index, part in
            index % 2 == 1 && part.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil ? part : nil
        }
    }

    @Test func readmeStatusTableIsTheCatalogue() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        var listed: [String] = []
        for row in try Self.table("| status | codes |", in: text) {
            let status = HTTPResponseStatus(statusCode: try #require(Int(row[0]), "status \(row[0])"))
            let codes = Self.codes(in: row[1])
            #expect(codes == ErrorCode.answered(with: status).map(\.rawValue), "README's row for \(status.code)")
            listed += codes
        }
        #expect(Set(listed) == Set(ErrorCode.used(in: .rest).map(\.rawValue)))
        #expect(listed.count == Set(listed).count, "a code listed twice")
    }

    @Test func readmeStreamTableIsTheCatalogue() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let listed = try Self.table("| error `code` | when |", in: text).flatMap { Self.codes(in: $0[0]) }
        #expect(Set(listed) == Set(ErrorCode.used(in: .stream).map(\.rawValue)))
        #expect(listed.count == Set(listed).count, "a code listed twice")
    }

    @Test func readmeRejectionTableIsTheCatalogue() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let listed = try Self.table("| rejection `code` | why |", in: text).flatMap { Self.codes(in: $0[0]) }
        #expect(listed == ErrorCode.used(in: .enrollment).map(\.rawValue))
    }

    @Test func everyRESTCodeHasAStatusAndOnlyThose() {
        for code in ErrorCode.allCases {
            #expect((code.status != nil) == code.uses.contains(.rest), "\(code)")
            #expect(!code.meaning.isEmpty)
        }
    }

    @Test func openAPIEnumsComeFromTheCatalogue() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPI.json) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        func enumeration(_ schema: String, _ property: String) -> [String]? {
            ((schemas[schema]?["properties"] as? [String: Any])?[property] as? [String: Any])?["enum"] as? [String]
        }
        #expect(enumeration("StreamError", "code") == ErrorCode.used(in: .stream).map(\.rawValue))
        #expect(enumeration("EnrollmentRejection", "code") == ErrorCode.used(in: .enrollment).map(\.rawValue))
    }
}
