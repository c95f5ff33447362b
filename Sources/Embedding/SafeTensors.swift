import Foundation

/// A `.safetensors` file: a little-endian 64-bit header length, a JSON header naming each tensor's type, shape and
/// byte range, then the bytes. The file is mapped, not read: a model's weights are loaded once and shared.
public struct SafeTensors: Sendable {
    public struct Tensor: Sendable {
        public let shape: [Int]
        public let values: [Float]
    }

    private struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    private let bytes: Data
    private let entries: [String: Entry]
    private let dataStart: Int

    public init(contentsOf url: URL) throws {
        let bytes = try Data(contentsOf: url, options: .alwaysMapped)
        guard bytes.count >= 8 else { throw EmbeddingError.invalidModel("\(url.lastPathComponent) is too short") }
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard headerLength > 0, headerLength <= bytes.count - 8 else {
            throw EmbeddingError.invalidModel("\(url.lastPathComponent) has a header longer than the file")
        }
        let header = bytes.subdata(in: 8..<8 + headerLength)
        guard let object = try JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw EmbeddingError.invalidModel("\(url.lastPathComponent) has no JSON header")
        }
        var entries: [String: Entry] = [:]
        for (name, value) in object where name != "__metadata__" {
            let entry = try JSONDecoder().decode(Entry.self, from: JSONSerialization.data(withJSONObject: value))
            guard entry.data_offsets.count == 2, entry.data_offsets[0] <= entry.data_offsets[1],
                entry.data_offsets[1] <= bytes.count - 8 - headerLength
            else { throw EmbeddingError.invalidModel("\(name) lies outside \(url.lastPathComponent)") }
            entries[name] = entry
        }
        (self.bytes, self.entries, self.dataStart) = (bytes, entries, 8 + headerLength)
    }

    public var names: [String] { entries.keys.sorted() }

    /// The 32-bit float tensor `name`; `shape` when given must match.
    public func tensor(_ name: String, shape expected: [Int]? = nil) throws -> Tensor {
        guard let entry = entries[name] else { throw EmbeddingError.invalidModel("no tensor \(name)") }
        guard entry.dtype == "F32" else { throw EmbeddingError.invalidModel("\(name) is \(entry.dtype), not F32") }
        let count = entry.shape.reduce(1, *)
        let range = (dataStart + entry.data_offsets[0])..<(dataStart + entry.data_offsets[1])
        guard range.count == count * MemoryLayout<Float>.size else {
            throw EmbeddingError.invalidModel("\(name) holds \(range.count) bytes for shape \(entry.shape)")
        }
        if let expected, expected != entry.shape {
            throw EmbeddingError.invalidModel("\(name) has shape \(entry.shape), not \(expected)")
        }
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.copyBytes(to: UnsafeMutableRawBufferPointer(buffer), from: range)
            initialized = count
        }
        return Tensor(shape: entry.shape, values: values)  // little-endian, as every platform Swift serves here
    }
}
