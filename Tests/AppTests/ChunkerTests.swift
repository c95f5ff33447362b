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

    @Test func joinsWholeParagraphsWhileTheyFitAndCutsAtTheBreak() {
        // Given three paragraphs of 7, 6 and 6 tokens (the first two together 13, all three 19)
        let text = "Tents keep the rain out.\n\nStoves boil water fast.\n\nMaps show the way home."
        // When cut at 14 tokens
        let chunks = check(text, limit: 14)
        // Then the first two make one document, ending with their blank line, and the third another
        #expect(
            chunks.map(\.text) == [
                "Tents keep the rain out.\n\nStoves boil water fast.\n\n", "Maps show the way home.",
            ]
        )
        #expect(chunks.map(\.tokens) == [13, 6])
    }

    @Test func cutsAParagraphTooLongAtSentenceEnds() {
        // Given one paragraph of four sentences of 8, 7, 8 and 2 tokens (the first two together 14, three 21)
        let text = "Tents keep the rain out. Stoves boil water fast! Do maps show the way home? Yes."
        // When cut at 14 tokens
        let chunks = check(text, limit: 14)
        // Then each document ends after a sentence's end mark and its space
        #expect(
            chunks.map(\.text) == [
                "Tents keep the rain out. Stoves boil water fast! ", "Do maps show the way home? Yes.",
            ]
        )
    }

    @Test func cutsBetweenCharactersWhenASentenceIsTooLongTakingAsMuchAsFits() {
        // Given one word of 1,000 letters
        let word = String(repeating: "supercalifragilistic", count: 50)
        // When cut at 16 tokens
        let chunks = check(word, limit: 16)
        // Then every document but the last is as long as the limit allows: one more character would not fit
        #expect(chunks.count > 1)
        for (chunk, next) in zip(chunks, chunks.dropFirst()) {
            let oneMore = chunk.text + String(next.text.unicodeScalars.first!)
            #expect(Self.encoding.count(oneMore) > 16, "\(chunk.text) was cut early")
        }
    }

    @Test(arguments: [4, 5, 7, 64, 512])
    func holdsForEveryLimitOnMixedText(limit: Int) {
        let text = Self.prose + "\n\nПривет, мир! 你好，世界。这是一个测试。 emoji 👨‍👩‍👧‍👦🇫🇷 \r\n\r\n" + String(repeating: "x ", count: 300)
        _ = check(text, limit: limit)
    }
}
