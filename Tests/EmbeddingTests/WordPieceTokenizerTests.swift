import Foundation
import Testing

@testable import Embedding

/// Read once per process, shared by every case.
let tokenizer = try! WordPieceTokenizer(vocabulary: modelFolder.appendingPathComponent("vocab.txt"))

struct WordPieceTokenizerTests {
    struct Case: GoldenCase {
        let text: String
        let ids: [Int32]

        /// Ids from Hugging Face `tokenizers` on the model's own tokenizer.json (Golden/generate.py).
        static let golden = load("wordpiece")
    }

    @Test(arguments: Case.golden)
    func idsMatchTheReferenceTokenizer(_ golden: Case) {
        // Given text in many scripts, with typos, accents, emoji, control characters and over-long words
        // When it is encoded
        let ids = tokenizer.encode(golden.text)
        // Then the ids are the reference tokenizer's, [CLS] and [SEP] and the cut at 256 included
        #expect(ids == golden.ids)
    }

    @Test func aLongTextIsCutToTheModelsLength() {
        // Given a text of far more than 256 words
        let text = Array(repeating: "shipping", count: 1_000).joined(separator: " ")
        // When it is encoded
        let ids = tokenizer.encode(text)
        // Then it holds 256 ids, ending in [SEP]
        #expect(ids.count == 256)
        #expect(ids.first == 101 && ids.last == 102)
    }

    @Test func aVocabularyWithoutTheSpecialTokensIsRefused() throws {
        // Given a vocabulary file without [UNK], [CLS] and [SEP]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID()).txt")
        try "hello\nworld\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        // Then it cannot make a tokenizer
        #expect(throws: EmbeddingError.self) { try WordPieceTokenizer(vocabulary: url) }
    }
}
