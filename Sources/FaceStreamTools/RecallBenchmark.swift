import FaceKit
import Foundation

/// Detector recall on downscaled photos: the faces HOG (automatic upsampling, the reference
/// pipeline) finds at full size are the truth; a face counts as found at a scale when a detected
/// box there contains its (scaled) centre.
enum RecallBenchmark {
    static let factors = [1.0, 0.5, 0.35]

    /// The fixture photos `scripts/setup --fixtures` installs that show people.
    static func fixturePhotos(in root: String) throws -> [String] {
        let base = URL(fileURLWithPath: root)
        let manager = FileManager.default
        func list(_ relative: String, _ keep: (String) -> Bool) -> [String] {
            let dir = base.appendingPathComponent(relative)
            return ((try? manager.contentsOfDirectory(atPath: dir.path)) ?? []).filter(keep).sorted().map { dir.appendingPathComponent($0).path }
        }
        var photos = list("face_recognition") { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }
        photos += list("dlib/faces") { $0.hasSuffix(".jpg") && $0 != "dogs.jpg" }
        for person in list("dlib/johns", { !$0.hasPrefix(".") }) {
            photos += list(String(person.dropFirst(base.path.count + 1))) { $0.hasSuffix(".jpg") }
        }
        guard !photos.isEmpty else { throw ToolError("no fixture photos in \(root); run scripts/setup --fixtures") }
        return photos
    }

    static func table(photos: [String], engine: FaceEngine) async throws -> [String] {
        var found: [FaceDetectorKind: [Double: Int]] = [:]
        var truthCount = 0
        for photo in photos {
            guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: photo)) else { throw ToolError("cannot read \(photo)") }
            do throws(FaceKitError) {
                let image = try await engine.decodeFrame(bytes, maxPixels: EmbedCommand.maxPixels).image
                let truth = try await engine.analyze(image, options: DetectionOptions(detector: .hog, embed: false))
                truthCount += truth.count
                for factor in factors {
                    let scaled = factor == 1 ? image : try image.scaled(by: factor)
                    for detector in [FaceDetectorKind.yunet, .hog] {
                        let faces = try await engine.analyze(scaled, options: DetectionOptions(detector: detector, embed: false))
                        let hits = truth.filter { face in
                            let c = face.box.center
                            return faces.contains { box in
                                let b = box.box
                                return c.x * factor >= b.x && c.x * factor <= b.x + b.width && c.y * factor >= b.y && c.y * factor <= b.y + b.height
                            }
                        }.count
                        found[detector, default: [:]][factor, default: 0] += hits
                    }
                }
            } catch {
                throw ToolError("\(photo): \(error.description)")
            }
        }
        var lines = ["Recall on \(photos.count) fixture photos: the \(truthCount) faces HOG finds at full size.", "",
                     "| detector | 1× | 0.5× | 0.35× |", "|---|---:|---:|---:|"]
        for detector in [FaceDetectorKind.yunet, .hog] {
            let cells = factors.map { "\(found[detector]?[$0] ?? 0)/\(truthCount)" }
            let label = detector == .hog ? "hog (automatic upsample)" : "yunet"
            lines.append("| \(label) | \(cells.joined(separator: " | ")) |")
        }
        return lines
    }
}
