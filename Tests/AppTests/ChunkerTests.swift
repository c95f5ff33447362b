import Foundation
import Testing
import Tokenizer

@testable import App

@Suite struct ChunkerTests {
    static let encoding = sharedEncoding

    static let prose = """
        Switchboard keeps bots in step with their data. Each row becomes documents. Documents are counted in tokens!

        A second paragraph, shorter.

        Third paragraph: it goes on for a while, with clauses, commas, and a question? Yes. And an answer.
        """

    func check(_ text: String, limit: Int) -> [Chunker.Chunk] {
        let chunks = Chunker(encoding: Self.encoding, limit: limit).chunks(of: text)
        #expect(chunks.map(\.text).joined() == text, "text lost or duplicated at limit \(limit)")
        for chunk in chunks {
            #expect(chunk.tokens == Self.encoding.count(chunk.text))
            #expect(chunk.tokens <= limit, "\(chunk.tokens) > \(limit): \(chunk.text.debugDescription)")
            #expect(!chunk.text.isEmpty)
        }
        return chunks
    }

    @Test func shortTextIsOneDocument() {
        #expect(check("Hello there.", limit: 512).count == 1)
    }

    @Test func emptyTextIsNoDocument() {
        #expect(check("", limit: 512).isEmpty)
    }

    @Test func cutsAtParagraphsFirst() {
        let chunks = check(Self.prose, limit: 30)
        #expect(chunks.count > 1)
        #expect(chunks.dropLast().allSatisfy { $0.text.hasSuffix("\n\n") || $0.text.hasSuffix(" ") })
    }

    @Test func cutsLongParagraphsAtSentences() {
        let chunks = check(Self.prose, limit: 12)
        #expect(chunks.contains { $0.text.hasSuffix(". ") || $0.text.hasSuffix("? ") || $0.text.hasSuffix("! ") })
    }

    @Test func cutsBetweenCharactersWhenASentenceIsTooLong() {
        let word = String(repeating: "supercalifragilistic", count: 50)
        let chunks = check(word, limit: 16)
        #expect(chunks.count > 1)
    }

    @Test(arguments: [4, 5, 7, 64, 512])
    func holdsForEveryLimitOnMixedText(limit: Int) {
        let text = Self.prose + "\n\nПривет, мир! 你好，世界。这是一个测试。 emoji 👨‍👩‍👧‍👦🇫🇷 \r\n\r\n" + String(repeating: "x ", count: 300)
        _ = check(text, limit: limit)
    }
}
