import Foundation

/// LFW's `pairs.txt` (View 2): a first line `FOLDS PAIRS`, then per fold PAIRS same-person lines
/// `NAME N1 N2` followed by PAIRS different-person lines `NAME1 N1 NAME2 N2`.
struct LFWPairs {
    struct Pair {
        let first: String, second: String // image paths relative to the images directory
        let same: Bool
        let fold: Int
    }

    let folds: Int
    let pairs: [Pair]

    /// Every image the pairs use, sorted.
    var images: [String] { Array(Set(pairs.flatMap { [$0.first, $0.second] })).sorted() }

    init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ToolError("cannot read \(url.path): \(error.localizedDescription)")
        }
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init) }
        guard let header = lines.first, header.count == 2, let folds = Int(header[0]), let perSet = Int(header[1]) else {
            throw ToolError("\(url.path): the first line must be `FOLDS PAIRS`")
        }
        lines.removeFirst()
        guard lines.count == folds * perSet * 2 else {
            throw ToolError("\(url.path): expected \(folds * perSet * 2) pairs, found \(lines.count)")
        }
        var pairs: [Pair] = []
        for (index, fields) in lines.enumerated() {
            let fold = index / (perSet * 2)
            switch fields.count {
            case 3:
                guard let a = Int(fields[1]), let b = Int(fields[2]) else { throw ToolError("bad pair line: \(fields)") }
                pairs.append(Pair(first: Self.path(fields[0], a), second: Self.path(fields[0], b), same: true, fold: fold))
            case 4:
                guard let a = Int(fields[1]), let b = Int(fields[3]) else { throw ToolError("bad pair line: \(fields)") }
                pairs.append(Pair(first: Self.path(fields[0], a), second: Self.path(fields[2], b), same: false, fold: fold))
            default:
                throw ToolError("bad pair line: \(fields.joined(separator: " "))")
            }
        }
        self.folds = folds
        self.pairs = pairs
    }

    static func path(_ name: String, _ number: Int) -> String {
        "\(name)/\(name)_\(String(format: "%04d", number)).jpg"
    }
}

/// Verification accuracy over pairs whose distances are known (nil: an image had no face, which
/// counts as a wrong answer whatever the threshold).
enum VerificationScore {
    static func accuracy(_ pairs: [(distance: Double?, same: Bool)], threshold: Double) -> Double {
        guard !pairs.isEmpty else { return 0 }
        let right = pairs.filter { pair in
            guard let distance = pair.distance else { return false }
            return (distance <= threshold) == pair.same
        }.count
        return Double(right) / Double(pairs.count)
    }

    /// The threshold with the best accuracy on `pairs`: tried at every midpoint between
    /// consecutive distances (the accuracy only changes there).
    static func bestThreshold(_ pairs: [(distance: Double?, same: Bool)]) -> Double {
        let distances = pairs.compactMap(\.distance).sorted()
        guard distances.count > 1 else { return distances.first ?? 0.6 }
        var best = (threshold: distances[0], accuracy: -1.0)
        for index in 1..<distances.count {
            let threshold = (distances[index - 1] + distances[index]) / 2
            let value = accuracy(pairs, threshold: threshold)
            if value > best.accuracy { best = (threshold, value) }
        }
        return best.threshold
    }
}
