import FaceKit

/// Agglomerative clustering with average linkage (UPGMA): repeatedly merges the two groups whose
/// mean member-to-member distance is smallest, while that mean is at most `threshold`.
///
/// Average, not single, linkage: one look-alike pair can't chain two people together, and one
/// blurred look can't hold a group together on its own. Deterministic (ties go to the lower index),
/// so the periodic pass gives the same answer for the same members.
///
/// Cost: O(n²) distances and O(k²) memory for n members in k starting groups, plus a nearest-pair
/// search per merge that is usually O(k) thanks to a cached nearest neighbour per group.
enum AverageLinkage {
    /// Which of `groups` end up together, as lists of their indices (each list ascending, lists
    /// ordered by their first index). Empty groups are not allowed.
    static func merge(_ groups: [[Embedding]], threshold: Float) -> [[Int]] {
        let k = groups.count
        guard k > 1 else { return groups.indices.map { [$0] } }
        var sizes = groups.map { Float($0.count) }
        var distance = [Float](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in (i + 1)..<k {
                let mean = meanDistance(groups[i], groups[j])
                distance[i * k + j] = mean
                distance[j * k + i] = mean
            }
        }
        var alive = [Bool](repeating: true, count: k)
        var contents = (0..<k).map { [$0] }
        var nearest = [(index: Int, distance: Float)](repeating: (-1, .infinity), count: k)
        func refresh(_ i: Int) {
            nearest[i] = (-1, .infinity)
            for j in 0..<k where j != i && alive[j] && distance[i * k + j] < nearest[i].distance {
                nearest[i] = (j, distance[i * k + j])
            }
        }
        for i in 0..<k { refresh(i) }

        while true {
            var best = (a: -1, b: -1, distance: Float.infinity)
            for i in 0..<k where alive[i] && nearest[i].distance < best.distance {
                best = (i, nearest[i].index, nearest[i].distance)
            }
            guard best.a >= 0, best.distance <= threshold else { break }
            let a = min(best.a, best.b), b = max(best.a, best.b)
            // Lance–Williams update for average linkage: the merged group's mean distance to any
            // other group is the size-weighted mean of its two parts' distances.
            for j in 0..<k where alive[j] && j != a && j != b {
                let merged = (sizes[a] * distance[a * k + j] + sizes[b] * distance[b * k + j]) / (sizes[a] + sizes[b])
                distance[a * k + j] = merged
                distance[j * k + a] = merged
            }
            sizes[a] += sizes[b]
            alive[b] = false
            contents[a] += contents[b]
            contents[b] = []
            refresh(a)
            for j in 0..<k where alive[j] && j != a {
                if nearest[j].index == a || nearest[j].index == b {
                    refresh(j)
                } else if distance[j * k + a] < nearest[j].distance {
                    nearest[j] = (a, distance[j * k + a])
                }
            }
        }
        return (0..<k).filter { alive[$0] }.map { contents[$0].sorted() }.sorted { $0[0] < $1[0] }
    }

    /// Mean distance over every pair (one member from each group).
    static func meanDistance(_ a: [Embedding], _ b: [Embedding]) -> Float {
        var sum: Float = 0
        for x in a { for y in b { sum += x.distance(to: y) } }
        return sum / Float(a.count * b.count)
    }
}
