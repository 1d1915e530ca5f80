import ArgumentParser
import FaceKit
import Foundation

/// `facestream bench-stream`: replays JPEG frames over N concurrent `/ws/recognize` connections
/// and prints processed fps, throttled frames, latency percentiles and the server's CPU use.
struct BenchStreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-stream",
        abstract: "Streams frames to a running FaceStream server and measures it.")

    @Option(help: "The stream endpoint.") var url = "ws://127.0.0.1:8000/ws/recognize"
    @Option(help: "An API key with the recognize role (or $FACESTREAM_API_KEY).") var key: String?
    @Option(help: "A folder of JPEG frames, replayed in name order.") var frames: String?
    @Option(help: "A video, cut into JPEG frames with ffmpeg first.") var video: String?
    @Option(help: "Concurrent connections.") var clients = 1
    @Option(help: "Frames per second per connection; 0 sends each frame when the previous answer arrived.") var fps: Double = 0
    @Option(help: "How many times each connection replays the frames.") var loops = 1
    @Flag(help: "Send raw JPEG bytes as binary messages instead of base64 JSON.") var binary = false
    @Option(help: "PID of the server process, to report its CPU use.") var serverPid: Int32?
    @Option(help: "Write connection 0's per-frame answers as JSON lines to this file.") var labelsOut: String?
    @Option(help: "Seconds at the start of each connection left out of the warm p99 column.") var warmup: Double = 2

    func run() async throws {
        guard let apiKey = key ?? ProcessInfo.processInfo.environment["FACESTREAM_API_KEY"] else {
            throw ToolError("an API key is needed: --key or FACESTREAM_API_KEY")
        }
        let jpegs = try FrameSource.load(folder: frames, video: video)
        guard clients >= 1, loops >= 1, fps >= 0 else { throw ToolError("--clients and --loops must be ≥ 1, --fps ≥ 0") }
        let target = url + (url.contains("?") ? "&" : "?") + "api_key=" + apiKey
        let cpuBefore = serverPid.flatMap(ProcessCPU.seconds)
        let started = ContinuousClock.now
        let runs = try await withThrowingTaskGroup(of: StreamRun.self) { group in
            for index in 0..<clients {
                group.addTask {
                    // Connections start spread evenly over one frame interval and over the clip.
                    try await StreamRun.perform(url: target, frames: jpegs, loops: loops, fps: fps,
                                                phase: fps > 0 ? Double(index) / Double(clients) / fps : 0,
                                                offset: index * jpegs.count / clients, binary: binary, warmup: warmup,
                                                recordLabels: index == 0 && labelsOut != nil)
                }
            }
            var all: [StreamRun] = []
            for try await run in group { all.append(run) }
            return all
        }
        let wall = started.millisecondsElapsed / 1000
        let cpuAfter = serverPid.flatMap(ProcessCPU.seconds)
        let cpu = cpuBefore.flatMap { before in cpuAfter.map { $0 - before } }
        if let labelsOut, let labels = runs.first(where: { !$0.labels.isEmpty })?.labels {
            try labels.joined(separator: "\n").appending("\n").write(toFile: labelsOut, atomically: true, encoding: .utf8)
        }
        StreamReport(runs: runs, wallSeconds: wall, serverCPUSeconds: cpu, clients: clients, fps: fps, frameCount: jpegs.count).print()
    }
}

/// Per-process CPU time from /proc (Linux).
enum ProcessCPU {
    static func seconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// What the benchmark prints: one Markdown table row plus its header.
struct StreamReport {
    let runs: [StreamRun]
    let wallSeconds: Double
    let serverCPUSeconds: Double?
    let clients: Int
    let fps: Double
    let frameCount: Int

    func print() {
        let latencies = runs.flatMap(\.latencies)
        let processed = latencies.count
        let sent = runs.map(\.sent).reduce(0, +)
        let throttled = runs.map(\.throttled).reduce(0, +)
        let errors = runs.map(\.errors).reduce(0, +)
        let faces = runs.map(\.faces).reduce(0, +)
        let cpu = serverCPUSeconds.map { String(format: "%.0f %%", $0 / wallSeconds * 100) } ?? "n/a"
        Output.line("| clients | fps/client | frames sent | processed | throttled | errors | faces | processed fps | p50 ms | p95 ms | p99 ms | p99 ms after warm-up | server CPU |")
        Output.line("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        Output.line("| \(clients) | \(fps == 0 ? "as fast as answered" : String(format: "%g", fps)) | \(sent) | \(processed) | \(throttled) | \(errors) | \(faces) | "
            + String(format: "%.1f", Double(processed) / wallSeconds) + " | "
            + [50.0, 95, 99].map { Statistics.format(Statistics.percentile(latencies, $0)) }.joined(separator: " | ")
            + " | " + Statistics.format(Statistics.percentile(runs.flatMap(\.warmLatencies), 99))
            + " | \(cpu) |")
    }
}
