import Foundation
import Testing

@testable import Embedding

/// Loaded once per process (90 MB of weights).
let encoder = try! SentenceEncoder(folder: modelFolder)

struct SentenceEncoderTests {
    struct Case: GoldenCase {
        let text: String
        let vector: [Float]

        /// Vectors from sentence-transformers on the same model (Golden/generate-vectors.py).
        static let golden = load("vectors")
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return dot / norms
    }

    @Test(arguments: Case.golden)
    func vectorsMatchTheReferenceImplementation(_ golden: Case) {
        // Given a text in English, with typos, accents or emoji, in another language, or longer than 256 tokens
        // When it is embedded
        let vector = encoder.embed(golden.text)
        // Then the vector points where sentence-transformers' does, and has unit length
        #expect(vector.count == 384)
        #expect(Self.cosine(vector, golden.vector) >= 0.999)
        #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
    }

    @Test func aParaphraseIsCloserThanAnUnrelatedQuestion() {
        // Given an article's sentence, a visitor's paraphrase sharing none of its words, and an unrelated question
        let article = encoder.embed("Shipping is free on orders over €50.")
        let paraphrase = encoder.embed("is postage free if I spend enough")
        let unrelated = encoder.embed("Tell me a joke")
        // Then the paraphrase is the nearer
        #expect(Self.cosine(article, paraphrase) > Self.cosine(article, unrelated) + 0.2)
    }

    @Test func aFolderWithoutAModelIsRefused() {
        #expect(throws: EmbeddingError.self) {
            try SentenceEncoder(folder: FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID())"))
        }
    }
}
