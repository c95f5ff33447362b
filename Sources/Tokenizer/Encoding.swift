import Crypto
import Foundation

/// A byte-pair encoding (cl100k_base or o200k_base) loaded from its `.tiktoken` rank file: counts and token
/// ids exactly as tiktoken's `encode_ordinary` gives them. Special tokens are ordinary text here.
public struct Encoding: Sendable {
    public enum Name: String, CaseIterable, Codable, Sendable {
        case cl100kBase = "cl100k_base"
        case o200kBase = "o200k_base"

        /// SHA-256 of the rank file as tiktoken publishes it (DESIGN.md §7).
        public var expectedSHA256: String {
            switch self {
            case .cl100kBase: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
            case .o200kBase: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
            }
        }

        public var fileName: String { "\(rawValue).tiktoken" }

        var pattern: Pretokenizer.Pattern {
            switch self {
            case .cl100kBase: .cl100k
            case .o200kBase: .o200k
            }
        }
    }

    public enum LoadError: Error, CustomStringConvertible {
        case missing(path: String)
        case altered(path: String, sha256: String)
        case malformed(path: String, line: Int)

        public var description: String {
            switch self {
            case .missing(let path):
                "The tokenizer data \(path) is missing. Run `make setup` (scripts/setup.sh) to fetch it."
            case .altered(let path, let sha256):
                "The tokenizer data \(path) is not the published file (SHA-256 \(sha256)). Delete it and run `make setup`."
            case .malformed(let path, let line):
                "The tokenizer data \(path) is malformed at line \(line)."
            }
        }
    }

    public let name: Name
    let ranks: Ranks
    let pretokenizer: Pretokenizer

    /// Loads `name` from `directory`, checking the file's SHA-256 first.
    public static func load(_ name: Name, from directory: String) throws -> Encoding {
        let (path, data) = try verifiedRankFile(name, in: directory)
        let ranks = try data.withUnsafeBytes { try parse($0.bindMemory(to: UInt8.self), path: path) }
        return Encoding(name: name, ranks: ranks)
    }

    private static func verifiedRankFile(_ name: Name, in directory: String) throws -> (path: String, data: Data) {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name.fileName).path
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError.missing(path: path) }
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard digest == name.expectedSHA256 else { throw LoadError.altered(path: path, sha256: digest) }
        return (path, data)
    }

    /// Parses the contents of a rank file: one `base64-token rank` per line.
    init(name: Name, rankFile: [UInt8]) throws {
        self.init(name: name, ranks: try rankFile.withUnsafeBufferPointer { try Self.parse($0, path: "rank file") })
    }

    private init(name: Name, ranks: Ranks) {
        self.name = name
        self.ranks = ranks
        pretokenizer = Pretokenizer(pattern: name.pattern)
    }

    /// Reads `base64-token rank` lines.
    private static func parse(_ rankFile: UnsafeBufferPointer<UInt8>, path: String) throws -> Ranks {
        var ranks = Ranks(capacity: 200_000)
        var line = 1
        var index = 0
        var token: [UInt8] = []
        token.reserveCapacity(256)
        while index < rankFile.count {
            let lineStart = index
            while index < rankFile.count, rankFile[index] != UInt8(ascii: " ") { index += 1 }
            token.removeAll(keepingCapacity: true)
            guard index < rankFile.count, Base64.decode(rankFile[lineStart..<index], into: &token) else {
                throw LoadError.malformed(path: path, line: line)
            }
            index += 1
            var rank: UInt32 = 0
            let digitsStart = index
            while index < rankFile.count, rankFile[index] != UInt8(ascii: "\n") {
                let digit = rankFile[index] &- UInt8(ascii: "0")
                guard digit < 10 else { throw LoadError.malformed(path: path, line: line) }
                rank = rank &* 10 &+ UInt32(digit)
                index += 1
            }
            guard index > digitsStart else { throw LoadError.malformed(path: path, line: line) }
            guard ranks.insert(token, rank: rank) else { throw LoadError.malformed(path: path, line: line) }
            index += 1
            line += 1
        }
        return ranks
    }

    /// Token ids of `text`, as `encode_ordinary`.
    public func encode(_ text: String) -> [Int] {
        var tokens: [UInt32] = []
        encode(text) { tokens.append(contentsOf: $0) }
        return tokens.map(Int.init)
    }

    /// How many tokens `text` is.
    public func count(_ text: String) -> Int {
        var total = 0
        encode(text) { total += $0.count }
        return total
    }

    /// The bytes that `tokens` stand for.
    public func decode(_ tokens: [Int]) -> [UInt8] {
        tokens.flatMap { ranks.bytes(of: $0) }
    }

    /// The number of tokens in the vocabulary.
    public var vocabularySize: Int { ranks.count }

    private func encode(_ text: String, _ emit: (ArraySlice<UInt32>) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            var output: [UInt32] = []
            output.reserveCapacity(64)
            pretokenizer.forEachPiece(in: bytes) { range in
                output.removeAll(keepingCapacity: true)
                BytePairEncoder.encode(bytes[range], ranks: ranks, into: &output)
                emit(output[...])
            }
        }
    }
}

/// Standard base64 (with padding), decoded without Foundation's per-call overhead.
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()

    static func decode(_ text: Slice<UnsafeBufferPointer<UInt8>>, into output: inout [UInt8]) -> Bool {
        guard text.count % 4 == 0, !text.isEmpty else { return false }
        var index = text.startIndex
        while index < text.endIndex {
            let a = values[Int(text[index])]
            let b = values[Int(text[index + 1])]
            guard a != 0xFF, b != 0xFF else { return false }
            output.append(a << 2 | b >> 4)
            if text[index + 2] == UInt8(ascii: "=") { break }
            let c = values[Int(text[index + 2])]
            guard c != 0xFF else { return false }
            output.append(b << 4 | c >> 2)
            if text[index + 3] == UInt8(ascii: "=") { break }
            let d = values[Int(text[index + 3])]
            guard d != 0xFF else { return false }
            output.append(c << 6 | d)
            index += 4
        }
        return true
    }
}

// Described by name: the default reflection would print every one of its 100,000+ tokens (service
// lifecycle describes each service in its log metadata, and a service may hold an encoding).
extension Encoding: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "Encoding(\(name.rawValue))" }
    public var debugDescription: String { description }
}
