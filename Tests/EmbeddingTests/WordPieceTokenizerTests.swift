import Foundation
import Testing

@testable import Embedding

/// The model folder fetched by `scripts/setup.sh`.
let modelFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("data/embedding/all-MiniLM-L6-v2")

/// Read once per process, shared by every case.
let tokenizer = try! WordPieceTokenizer(vocabulary: modelFolder.appendingPathComponent("vocab.txt"))

struct WordPieceTokenizerTests {
    struct Case: Decodable, CustomTestStringConvertible {
        let text: String
        let ids: [Int32]
        var testDescription: String { String(text.prefix(40)).debugDescription }

        /// Ids from Hugging Face `tokenizers` on the model's own tokenizer.json (Golden/generate.py).
        static let golden: [Case] = {
            let url = Bundle.module.url(forResource: "wordpiece", withExtension: "json", subdirectory: "Golden")!
            return try! JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
        }()
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
