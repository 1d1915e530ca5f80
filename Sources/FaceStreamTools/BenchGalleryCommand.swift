import ArgumentParser
import FaceKit
import Foundation

/// `facestream bench-gallery`: milliseconds per gallery search and per `EmbeddingIndex.nearest`,
/// memory per million rows and exactness against a brute-force Float32 search.
struct BenchGalleryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gallery",
        abstract: "Benchmark Gallery.search and EmbeddingIndex.nearest over random 128-D embeddings (single thread).",
        discussion: """
            Gallery: fills a Gallery (replaceAll) with deterministic random embeddings scaled like dlib's, four per
            person, then times --queries searches of fresh random embeddings, one at a time on this thread.
            Sightings: fills an EmbeddingIndex with --sightings rows, 100 sightings per person (each a person's
            centre moved by ~0.3), and times nearest(limit: --limit) for fresh sightings: unfiltered, with a filter
            keeping --keep of the rows, and within 0.6. Each table checks --exact-queries of its queries against a
            brute-force Float32 search and prints the resident memory the structure added. Pin to one core with
            `taskset -c 1`.
            """
    )

    @Option(help: ArgumentHelp("Gallery sizes, comma-separated.", valueName: "n,n,…"))
    var sizes = "10000,100000,1000000"

    @Option(help: "Rows of the sightings index (0: skip that part).")
    var sightings = 1_000_000

    @Option(help: "Timed queries per size.")
    var queries = 200

    @Option(name: .customLong("top-k"), help: "People returned per gallery query.")
    var topK = 3

    @Option(help: "Sightings returned per nearest(…) query.")
    var limit = 100

    @Option(help: "Fraction of sightings the filtered query keeps.")
    var keep = 0.01

    @Option(name: .customLong("exact-queries"), help: "Queries per table compared with a brute-force Float32 search.")
    var exactQueries = 20

    @Option(help: "Seed of the random embeddings.")
    var seed: UInt64 = 1

    var sizeList: [Int] { sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let parts = sizes.split(separator: ",")
        if parts.isEmpty || sizeList.count != parts.count || sizeList.contains(where: { $0 < 1 }) {
            throw ValidationError("--sizes takes positive integers separated by commas, e.g. 10000,100000")
        }
        if queries < 1 { throw ValidationError("--queries must be at least 1") }
        if topK < 1 { throw ValidationError("--top-k must be at least 1") }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if sightings < 0 { throw ValidationError("--sightings must be 0 or more") }
        if !(keep > 0 && keep <= 1) { throw ValidationError("--keep is a fraction in (0, 1]") }
        if exactQueries < 0 { throw ValidationError("--exact-queries must be 0 or more") }
    }

    mutating func run() async throws {
        Output.line("## facestream bench-gallery")
        Output.line("")
        Output.line("\(BenchEngineCommand.cpuName()); scan kernel: \(EmbeddingIndex.scanKernel); one thread. "
            + "\(EmbeddingIndex.bytesPerRow) bytes held per row (int8 codes, scale, norm, residual, exact Float32 row, "
            + "id and map entry) = \(String(format: "%.0f", Double(EmbeddingIndex.bytesPerRow) * 1e6 / 1_048_576)) MiB "
            + "per million rows; RSS is the resident memory the structure added.")
        Output.line("")
        Output.line("### Gallery.search(topK: \(topK))")
        Output.line("")
        Output.line("Random embeddings (components uniform in ±0.1, 4 per person, seed \(seed)), \(queries) queries; "
            + "exact: same people and embeddings as a brute-force Float32 search, distances within 1e-5, in n of \(exactQueries) queries.")
        Output.line("")
        Output.line("| embeddings | median ms | p95 ms | mean ms | int8 GB/s (median) | RSS MiB | on huge pages MiB | exact |")
        Output.line("|---:|---:|---:|---:|---:|---:|---:|---:|")
        var random = SplitMix64(seed: seed)
        for size in sizeList {
            Output.line(Self.measureGallery(size: size, queries: queries, topK: topK, exactQueries: exactQueries,
                                            random: &random))
        }
        guard sightings > 0 else { return }
        Output.line("")
        Output.line("### EmbeddingIndex.nearest over \(Self.grouped(sightings)) sightings")
        Output.line("")
        Output.line("\(Self.grouped(sightings / Self.sightingsPerPerson)) people × \(Self.sightingsPerPerson) sightings "
            + "(each the person's centre moved by ~0.3); queries are fresh sightings of random people, \(queries) each; "
            + "exact: same ids as a brute-force Float32 search, distances within 1e-5, in n of \(exactQueries) queries.")
        Output.line("")
        Output.line("| query | median ms | p95 ms | mean ms | results (median) | re-ranked rows (median) | exact |")
        Output.line("|---|---:|---:|---:|---:|---:|---:|")
        for row in Self.measureSightings(size: sightings, queries: queries, limit: limit, keep: keep,
                                         exactQueries: exactQueries, random: &random) {
            Output.line(row)
        }
    }

    // MARK: - Gallery

    static func measureGallery(size: Int, queries: Int, topK: Int, exactQueries: Int, random: inout SplitMix64) -> String {
        var entries: [(embeddingID: Int, personID: Int, embedding: Embedding)] = []
        entries.reserveCapacity(size)
        for id in 0..<size { entries.append((id, id / 4, randomEmbedding(&random))) }
        let before = residentBytes(), hugeBefore = hugePageBytes()
        let gallery = Gallery()
        gallery.replaceAll(entries)
        let resident = residentBytes() - before, huge = hugePageBytes() - hugeBefore

        let probes = (0..<queries).map { _ in randomEmbedding(&random) }
        let timing = time(probes) { gallery.search($0, topK: topK).count }
        let flat = FlatRows(entries.map(\.embedding))
        var exact = 0
        for probe in probes.prefix(exactQueries) {
            var best: [Int: (embeddingID: Int, distance: Float)] = [:]
            for (row, distance) in flat.distances(to: probe).enumerated() {
                let person = entries[row].personID
                if distance < best[person]?.distance ?? .infinity { best[person] = (entries[row].embeddingID, distance) }
            }
            let truth = best.sorted { $0.value.distance < $1.value.distance }.prefix(topK)
            let found = gallery.search(probe, topK: topK)
            if found.map(\.personID) == truth.map(\.key), found.map(\.embeddingID) == truth.map(\.value.embeddingID),
               FlatRows.same(found.map(\.distance), truth.map(\.value.distance)) { exact += 1 }
        }
        let gigabytesPerSecond = Double(size * Embedding.dimensions) / (timing.median / 1000) / 1e9
        return "| \(grouped(size)) | \(timing.cells) | \(String(format: "%.1f", gigabytesPerSecond)) "
            + "| \(mebibytes(resident)) | \(mebibytes(huge)) | \(exact)/\(min(exactQueries, queries)) |"
    }

    // MARK: - Sightings

    static let sightingsPerPerson = 100

    static func measureSightings(size: Int, queries: Int, limit: Int, keep: Double, exactQueries: Int,
                                 random: inout SplitMix64) -> [String] {
        let people = max(1, size / sightingsPerPerson)
        let centres = (0..<people).map { _ in randomEmbedding(&random) }
        var entries: [(id: Int, embedding: Embedding)] = []
        entries.reserveCapacity(size)
        for id in 0..<size { entries.append((id, sighting(of: centres[id % people], &random))) }
        let before = residentBytes(), hugeBefore = hugePageBytes()
        let index = EmbeddingIndex()
        index.upsert(entries)
        let resident = residentBytes() - before, huge = hugePageBytes() - hugeBefore
        let flat = FlatRows(entries.map(\.embedding))

        let probes = (0..<queries).map { _ in sighting(of: centres[Int(random.next() % UInt64(people))], &random) }
        let stride = max(1, Int((1 / keep).rounded()))
        let kept: @Sendable (Int) -> Bool = { $0 % stride == 0 }
        let cases: [(name: String, limit: Int, maxDistance: Float, filter: (@Sendable (Int) -> Bool)?)] = [
            ("limit \(limit)", limit, .infinity, nil),
            ("limit \(limit), filter keeps 1/\(stride)", limit, .infinity, kept),
            ("limit 10000, distance ≤ 0.6", 10_000, 0.6, nil),
        ]
        var rows: [String] = []
        for query in cases {
            var counts: [Double] = []
            let timing = time(probes) {
                let n = index.nearest(to: $0, limit: query.limit, maxDistance: query.maxDistance, where: query.filter).count
                counts.append(Double(n))
                return n + 1
            }
            // Untimed: the filter is asked exactly for the rows the int8 bound cannot exclude, just before
            // their exact distance, so counting its calls counts the re-ranked rows (the shortlist).
            var reranked: [Double] = []
            for probe in probes.prefix(max(exactQueries, 1)) {
                let calls = CallCounter()
                _ = index.nearest(to: probe, limit: query.limit, maxDistance: query.maxDistance) { id in
                    calls.count += 1
                    return query.filter?(id) ?? true
                }
                reranked.append(Double(calls.count))
            }
            var exact = 0
            for probe in probes.prefix(exactQueries) {
                var truth = flat.distances(to: probe).enumerated()
                    .filter { $0.element <= query.maxDistance && (query.filter?($0.offset) ?? true) }
                    .map { (id: $0.offset, distance: $0.element) }
                truth.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
                let found = index.nearest(to: probe, limit: query.limit, maxDistance: query.maxDistance, where: query.filter)
                let expected = truth.prefix(query.limit)
                if found.map(\.id) == expected.map(\.id), FlatRows.same(found.map(\.distance), expected.map(\.distance)) {
                    exact += 1
                }
            }
            rows.append("| \(query.name) | \(timing.cells) | \(Int(Statistics.median(counts))) "
                + "| \(Int(Statistics.median(reranked))) | \(exact)/\(min(exactQueries, queries)) |")
        }
        rows.append("")
        rows.append("RSS added by the \(grouped(size))-row index: \(mebibytes(resident)) MiB "
            + "(\(String(format: "%.0f", Double(resident) / Double(size))) bytes a row), "
            + "\(mebibytes(huge)) MiB of it on transparent huge pages.")
        return rows
    }

    /// A sighting: the centre moved by ~0.3 (Gaussian, 0.0265 a component).
    static func sighting(of centre: Embedding, _ random: inout SplitMix64) -> Embedding {
        var values = centre.values
        for i in values.indices {
            // Box-Muller.
            let u = max(Double(random.nextUnit()), 1e-12), v = Double(random.nextUnit())
            values[i] += Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v)) * 0.0265
        }
        return try! Embedding(values)
    }

    // MARK: - Support

    /// Counts filter calls (the benchmark is single-threaded; the filter must be @Sendable).
    final class CallCounter: @unchecked Sendable {
        var count = 0
    }

    struct Timing {
        let median: Double, p95: Double, mean: Double

        var cells: String {
            "\(Statistics.format(median)) | \(Statistics.format(p95)) | \(Statistics.format(mean))"
        }
    }

    /// Times `body` once per probe, after three warm-up calls. `body` returns something non-zero.
    static func time(_ probes: [Embedding], _ body: (Embedding) -> Int) -> Timing {
        var sink = 0
        for probe in probes.prefix(3) { sink &+= body(probe) } // warm caches and pages
        var times: [Double] = []
        times.reserveCapacity(probes.count)
        for probe in probes {
            let clock = ContinuousClock.now
            sink &+= body(probe)
            times.append(clock.millisecondsElapsed)
        }
        precondition(sink > 0, "searches found nothing") // also keeps the searches from being optimised away
        return Timing(median: Statistics.median(times), p95: Statistics.percentile(times, 95),
                      mean: times.reduce(0, +) / Double(times.count))
    }

    /// The reference: every row's Float32 distance, by a plain loop over one contiguous matrix.
    struct FlatRows {
        let values: [Float]

        init(_ embeddings: [Embedding]) {
            var values: [Float] = []
            values.reserveCapacity(embeddings.count * Embedding.dimensions)
            for e in embeddings { values.append(contentsOf: e.values) }
            self.values = values
        }

        /// The same arithmetic as `Embedding.distance` (a sequential sum; the index's SIMD kernel may differ
        /// in the last bit, so distances are compared to `tolerance`).
        func distances(to query: Embedding) -> [Float] {
            let d = Embedding.dimensions
            return [Float](unsafeUninitializedCapacity: values.count / d) { out, initialized in
                values.withUnsafeBufferPointer { rows in
                    query.values.withUnsafeBufferPointer { q in
                        for r in 0..<(values.count / d) {
                            var sum: Float = 0
                            for i in 0..<d {
                                let x = rows[r * d + i] - q[i]
                                sum += x * x
                            }
                            out[r] = sum.squareRoot()
                        }
                    }
                }
                initialized = values.count / d
            }
        }

        static let tolerance: Float = 1e-5

        static func same(_ a: [Float], _ b: [Float]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
        }
    }

    /// Resident set size from /proc/self/statm (0 where there is none).
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Anonymous memory on transparent huge pages, from /proc/self/smaps_rollup (0 where there is none):
    /// shows whether the index's 2 MiB-aligned columns really got huge pages.
    static func hugePageBytes() -> Int {
        guard let rollup = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8),
              let line = rollup.split(separator: "\n").first(where: { $0.hasPrefix("AnonHugePages:") }),
              let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kibibytes * 1024
    }

    static func mebibytes(_ bytes: Int) -> String { String(format: "%.0f", Double(bytes) / 1_048_576) }

    /// 1000000 → "1,000,000".
    static func grouped(_ value: Int) -> String {
        var digits = String(value), out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return digits + out
    }

    /// Components uniform in ±0.1, about the spread of dlib's descriptors.
    static func randomEmbedding(_ random: inout SplitMix64) -> Embedding {
        var values = [Float](repeating: 0, count: Embedding.dimensions)
        for i in values.indices { values[i] = (random.nextUnit() - 0.5) * 0.2 }
        // Finite and 128 long by construction.
        return try! Embedding(values)
    }
}
