import COpenBLAS
import Foundation

/// Unit-length vectors of one dimension, row after row, searched exactly: one matrix–vector product gives the
/// cosine similarity of a query to every one.
public struct VectorSet: Sendable {
    public let dimension: Int
    public private(set) var count = 0
    private var values: [Float] = []

    public init(dimension: Int) {
        self.dimension = dimension
    }

    /// The bytes one vector is stored as: its floats, little-endian.
    public var bytesPerVector: Int { dimension * MemoryLayout<Float>.size }

    /// Adds the vectors stored in `bytes` (see `bytes(of:)`), one after the other; answers how many, none when
    /// the bytes are not whole vectors of this dimension.
    @discardableResult
    public mutating func append(bytes: some Collection<UInt8>) -> Int {
        guard !bytes.isEmpty, bytes.count % bytesPerVector == 0 else { return 0 }
        var vectors = [Float](repeating: 0, count: bytes.count / MemoryLayout<Float>.size)
        vectors.withUnsafeMutableBytes { raw in _ = raw.copyBytes(from: bytes) }
        if Int(bitPattern: 1) != Int(littleEndian: 1) {
            vectors = vectors.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        }
        values.append(contentsOf: vectors)
        count += vectors.count / dimension
        return vectors.count / dimension
    }

    /// `vector` as stored: its floats, little-endian.
    public static func bytes(of vector: [Float]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * MemoryLayout<Float>.size)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    /// The memory the vectors take.
    public var byteCount: Int { values.count * MemoryLayout<Float>.size }

    /// The cosine similarity of `query` (unit length, of this dimension) to every vector, in order: one
    /// matrix–vector product.
    public func similarities(to query: [Float]) -> [Float] {
        guard count > 0, query.count == dimension else { return [] }
        var similarities = [Float](repeating: 0, count: count)
        cblas_sgemv(
            CblasRowMajor,
            CblasNoTrans,
            Int32(count),
            Int32(dimension),
            1,
            values,
            Int32(dimension),
            query,
            1,
            0,
            &similarities,
            1
        )
        return similarities
    }
}
