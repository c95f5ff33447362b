import Foundation
import Testing

@testable import Embedding

/// A document's vectors: the whole text's and, from the same pass, its passages' ("late chunking"); and how they
/// are stored and searched.
struct DocumentEmbeddingTests {

    @Test func theWholeTextsVectorIsTheTextsOwn() {
        // Cut into passages, the text is still read as one: its vector is the one `embed(_:)` gives
        let text =
            "Descaling\n\nWhen the descale light comes on, descale the machine. Do not use vinegar: it damages the seals."
        let (whole, passages) = encoder.embed(document: text)
        #expect(SentenceEncoderTests.cosine(whole, encoder.embed(text)) > 0.99999)
        #expect(passages.count == 3 && passages.allSatisfy { $0.count == 384 })
    }

    @Test func aQuestionAboutOneSentenceIsNearestToItsPassage() {
        let text =
            "Technical specifications\n\nPower: 1,550 W. Water tank: 2.1 litres. Quote the serial number on the sticker under the drip tray."
        let (_, passages) = encoder.embed(document: text)
        let question = encoder.embed("where is the serial number")
        let similarities = passages.map { SentenceEncoderTests.cosine($0, question) }
        #expect(similarities.firstIndex(of: similarities.max()!) == passages.count - 1)
    }

    @Test func sentencesAreGroupedIntoAtMostTheLimitOfPassagesCutAtWhiteSpace() {
        let sentences = (1...10).map { "Sentence number \($0) is here." }
        let passages = SentenceEncoder.passages(of: sentences.joined(separator: " "), limit: 4)
        #expect(passages.count == 4)
        #expect(passages.joined() == sentences.joined(separator: " "))
        #expect(
            SentenceEncoder.passages(of: "Title\n\nOne. Two!  Three? e.g.x", limit: 10)
                == ["Title\n", "One.", " Two!", "  Three?", " e.g.x"]
        )
        #expect(SentenceEncoder.passages(of: "  \n ", limit: 4).isEmpty)
    }

    @Test func storedVectorsReadBackAndAreSearchedByCosine() {
        var set = VectorSet(dimension: 3)
        let stored = VectorSet.bytes(of: [1, 0, 0] + [0, 0.6, 0.8])
        #expect(set.append(bytes: stored) == 2)
        #expect(set.append(bytes: stored.dropLast()) == 0, "not whole vectors")
        let similarities = set.similarities(to: [0, 0.6, 0.8])
        #expect(similarities.count == 2 && abs(similarities[0]) < 1e-6 && abs(similarities[1] - 1) < 1e-6)
        #expect(set.byteCount == 24)
    }
}
