import Foundation

/// A 128-D face descriptor from dlib's ResNet. Two photos of one person are typically closer
/// than 0.6 (Euclidean distance); that is the model's own operating point.
public struct Embedding: Sendable, Equatable, Codable {
    public static let dimensions = 128
    public let values: [Float]

    public init(_ values: [Float]) throws(FaceKitError) {
        guard values.count == Self.dimensions, values.allSatisfy(\.isFinite) else {
            throw FaceKitError(.invalidArgument, "an embedding is \(Self.dimensions) finite floats, got \(values.count)")
        }
        self.values = values
    }

    /// Euclidean distance.
    public func distance(to other: Embedding) -> Float {
        var sum: Float = 0
        for i in 0..<Self.dimensions {
            let d = values[i] - other.values[i]
            sum += d * d
        }
        return sum.squareRoot()
    }

    /// 512 bytes, little-endian Float32: how embeddings are stored (bit-exact on every database).
    public var bytes: Data {
        var data = Data(capacity: Self.dimensions * 4)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    public init(bytes: Data) throws(FaceKitError) {
        guard bytes.count == Self.dimensions * 4 else {
            throw FaceKitError(.invalidArgument, "a stored embedding is \(Self.dimensions * 4) bytes, got \(bytes.count)")
        }
        let raw = [UInt8](bytes)
        var values = [Float](repeating: 0, count: Self.dimensions)
        for i in 0..<Self.dimensions {
            let b = i * 4
            let bits = UInt32(raw[b]) | UInt32(raw[b + 1]) << 8 | UInt32(raw[b + 2]) << 16 | UInt32(raw[b + 3]) << 24
            values[i] = Float(bitPattern: bits)
        }
        try self.init(values)
    }
}
