import ArgumentParser
import FaceKit
import Foundation

/// `facestream bench-gallery`: milliseconds per gallery search over random embeddings.
struct BenchGalleryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gallery",
        abstract: "Benchmark Gallery.search over random 128-D embeddings (single thread).",
        discussion: """
            Fills a Gallery (replaceAll) with deterministic random embeddings scaled like dlib's, four per
            person, then times --queries searches of fresh random embeddings, one at a time on this thread.
            """
    )

    @Option(help: ArgumentHelp("Gallery sizes, comma-separated.", valueName: "n,n,…"))
    var sizes = "10000,100000,1000000"

    @Option(help: "Timed queries per size.")
    var queries = 200

    @Option(name: .customLong("top-k"), help: "People returned per query.")
    var topK = 3

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
    }

    mutating func run() async throws {
        Output.line("## facestream bench-gallery")
        Output.line("")
        Output.line("Random 128-D Float32 embeddings (4 per person, seed \(seed)), `search(topK: \(topK))`, \(queries) queries, "
            + "one thread. \(BenchEngineCommand.cpuName()).")
        Output.line("")
        Output.line("| embeddings | matrix MiB | median ms | p95 ms | mean ms | GB/s (median) |")
        Output.line("|---:|---:|---:|---:|---:|---:|")
        var random = SplitMix64(seed: seed)
        for size in sizeList {
            let result = Self.measure(size: size, queries: queries, topK: topK, random: &random)
            Output.line(result.row)
        }
    }

    struct Result {
        let size: Int, median: Double, p95: Double, mean: Double

        var matrixBytes: Double { Double(size * Embedding.dimensions * MemoryLayout<Float>.size) }

        var row: String {
            let f = Statistics.format
            let gigabytesPerSecond = matrixBytes / (median / 1000) / 1e9
            return "| \(BenchGalleryCommand.grouped(size)) | \(String(format: "%.1f", matrixBytes / 1_048_576)) | \(f(median)) | \(f(p95)) "
                + "| \(f(mean)) | \(String(format: "%.1f", gigabytesPerSecond)) |"
        }
    }

    static func measure(size: Int, queries: Int, topK: Int, random: inout SplitMix64) -> Result {
        let gallery = Gallery()
        var entries: [(embeddingID: Int, personID: Int, embedding: Embedding)] = []
        entries.reserveCapacity(size)
        for id in 0..<size { entries.append((id, id / 4, randomEmbedding(&random))) }
        gallery.replaceAll(entries)
        entries = []

        let probes = (0..<queries).map { _ in randomEmbedding(&random) }
        var sink = 0
        for probe in probes.prefix(3) { sink &+= gallery.search(probe, topK: topK).count } // warm caches and pages
        var times: [Double] = []
        times.reserveCapacity(queries)
        for probe in probes {
            let clock = ContinuousClock.now
            sink &+= gallery.search(probe, topK: topK).count
            times.append(clock.millisecondsElapsed)
        }
        precondition(sink > 0, "searches found nothing") // also keeps the searches from being optimised away
        return Result(size: size, median: Statistics.median(times), p95: Statistics.percentile(times, 95),
                      mean: times.reduce(0, +) / Double(times.count))
    }

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
