import Vapor

/// One page of a listing: `{"items":[…],"page":1,"per_page":20,"total":57}`. `total` counts every
/// row that matches the filters, so clients can compute the number of pages.
struct PageDTO<Item: Content>: Content {
    var items: [Item]
    var page: Int
    var perPage: Int
    var total: Int

    enum CodingKeys: String, CodingKey {
        case items, page, total
        case perPage = "per_page"
    }
}

/// `?page=&per_page=` with the API's defaults and limits (per_page 1…100, default 20).
struct PageParameters {
    static let defaultPerPage = 20
    static let maxPerPage = 100
    static let maxPage = 1_000_000

    let page: Int
    let perPage: Int

    init(_ req: Request) throws {
        let query = QueryParameters(req)
        page = try query.int("page", in: 1...Self.maxPage) ?? 1
        perPage = try query.int("per_page", in: 1...Self.maxPerPage) ?? Self.defaultPerPage
    }

    var offset: Int { (page - 1) * perPage }
}
