import Foundation
import Testing

@testable import Tokenizer

/// The rank files fetched by `scripts/setup.sh`.
let tokenizerData = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("data/tokenizer").path

/// Loaded once per process: both tests and encodings share them.
let encodings: [Encoding.Name: Encoding] = Dictionary(
    uniqueKeysWithValues: Encoding.Name.allCases.map { ($0, try! Encoding.load($0, from: tokenizerData)) }
)

struct Golden: Decodable {
    let texts: [String]
    let cl100k: [[Int]]
    let o200k: [[Int]]

    enum CodingKeys: String, CodingKey {
        case texts
        case cl100k = "cl100k_base"
        case o200k = "o200k_base"
    }

    static let corpus: Golden = {
        let url = Bundle.module.url(forResource: "golden", withExtension: "json", subdirectory: "Golden")!
        return try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }()

    func expected(_ name: Encoding.Name) -> [[Int]] { name == .cl100kBase ? cl100k : o200k }
}

@Suite struct EncodingTests {
    @Test(arguments: Encoding.Name.allCases)
    func everyGoldenTextEncodesExactlyAsTiktoken(name: Encoding.Name) throws {
        let encoding = try #require(encodings[name])
        try #require(Golden.corpus.texts.count == Golden.corpus.expected(name).count)
        var mismatches: [String] = []
        for (text, expected) in zip(Golden.corpus.texts, Golden.corpus.expected(name)) {
            let ids = encoding.encode(text)
            if ids != expected {
                mismatches.append("\(text.debugDescription.prefix(80)): \(ids.prefix(12)) ≠ \(expected.prefix(12))")
            }
        }
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) of \(Golden.corpus.texts.count) differ:\n\(mismatches.prefix(10).joined(separator: "\n"))"
        )
    }

    @Test(arguments: Encoding.Name.allCases)
    func countIsTheNumberOfIds(name: Encoding.Name) throws {
        let encoding = try #require(encodings[name])
        try #require(Golden.corpus.texts.count == Golden.corpus.expected(name).count)
        for (text, expected) in zip(Golden.corpus.texts, Golden.corpus.expected(name)) {
            #expect(encoding.count(text) == expected.count)
        }
    }

    @Test(arguments: Encoding.Name.allCases)
    func decodingGivesBackTheBytes(name: Encoding.Name) throws {
        let encoding = try #require(encodings[name])
        for text in Golden.corpus.texts {
            #expect(encoding.decode(encoding.encode(text)) == Array(text.utf8))
        }
    }

    @Test(arguments: Encoding.Name.allCases)
    func everyTokenIsFoundByItsOwnBytes(name: Encoding.Name) throws {
        // Every length the rank table handles differently (1–3, 4–7, 8–16 and longer) is in the vocabulary.
        let ranks = try #require(encodings[name]).ranks
        var lost: [Int] = []
        for rank in 0..<ranks.tokenCount {
            let bytes = Array(ranks.bytes(of: rank))
            guard !bytes.isEmpty else { continue }  // o200k_base leaves two ranks unused
            let found = bytes.withUnsafeBufferPointer { ranks.rank($0[...]) }
            if found != UInt32(rank) { lost.append(rank) }
        }
        #expect(lost.isEmpty, "\(lost.count) tokens are not found by their bytes, first \(lost.prefix(10))")
        #expect(ranks.longest > 16)
    }

    @Test func theClassTableAgreesWithTheUnicodeDataForEveryScalar() {
        let table = CharacterClassTable.shared
        var disagreeing: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let fromTable = table.classes[Int(table.blockStarts[Int(value >> 8)]) + Int(value & 0xFF)]
            if fromTable != CharacterClass.of(scalar).rawValue { disagreeing.append(value) }
        }
        #expect(disagreeing.isEmpty, "first: \(disagreeing.prefix(10).map { String($0, radix: 16) })")
    }

    @Test func vocabulariesHaveTheirPublishedSizes() {
        #expect(encodings[.cl100kBase]?.vocabularySize == 100_256)
        #expect(encodings[.o200kBase]?.vocabularySize == 199_998)
    }

    @Test(arguments: ["a", "ab", "漢", " "])
    func aLongRunTakesTimeLinearInItsLength(unit: String) throws {
        // Given one run (a single piece for the merge loop) of n bytes and one of 16n
        let encoding = try #require(encodings[.cl100kBase])
        func bestTime(bytes: Int) -> Duration {
            let text = String(repeating: unit, count: bytes / unit.utf8.count)
            #expect(encoding.decode(encoding.encode(text)) == Array(text.utf8))
            var best = Duration.seconds(3600)
            for _ in 0..<5 {
                let start = ContinuousClock.now
                _ = encoding.encode(text)
                best = min(best, ContinuousClock.now - start)
            }
            return best
        }
        // When both are timed in the same run, best of five
        let ratio = bestTime(bytes: 64_000) / bestTime(bytes: 4_000)
        // Then sixteen times the bytes take about sixteen times as long: a quadratic loop would take 256, so the
        // bound leaves a loaded machine room (it missed a bound of 2× linear on CI once) and still catches one
        #expect(ratio < 64, "16× the bytes took \(ratio)× as long")
    }
}
