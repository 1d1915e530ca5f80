/// The k best distinct people seen so far (k is small: a linear list beats a heap).
struct TopMatches: IDCollector {
    let capacity: Int
    /// Embedding id → person id (the gallery's map; read only).
    let personOfEmbedding: [Int: Int]
    private var items: [(personID: Int, embeddingID: Int, squared: Float)] = []

    init(capacity: Int, personOfEmbedding: [Int: Int]) {
        self.capacity = capacity
        self.personOfEmbedding = personOfEmbedding
    }

    /// Rows at or beyond this squared distance cannot enter the list.
    var worstSquared: Float { items.count < capacity ? .infinity : items[items.count - 1].squared }

    var bound: Float { worstSquared.squareRoot() }

    func admits(id: Int) -> Bool { true }

    mutating func offer(id embeddingID: Int, squared: Float) {
        guard squared < worstSquared, let personID = personOfEmbedding[embeddingID] else { return }
        if let existing = items.firstIndex(where: { $0.personID == personID }) {
            guard squared < items[existing].squared else { return }
            items.remove(at: existing)
        } else if items.count == capacity {
            items.removeLast()
        }
        let at = items.firstIndex { $0.squared > squared } ?? items.count
        items.insert((personID, embeddingID, squared), at: at)
    }

    var matches: [Gallery.Match] {
        items.map { Gallery.Match(personID: $0.personID, embeddingID: $0.embeddingID, distance: $0.squared.squareRoot()) }
    }
}
