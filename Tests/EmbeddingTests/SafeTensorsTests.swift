import Foundation
import Testing

@testable import Embedding

struct SafeTensorsTests {
    @Test func theModelsWeightsReadWithTheirShapes() throws {
        // Given the model's weights file
        let weights = try SafeTensors(contentsOf: modelFolder.appendingPathComponent("model.safetensors"))
        // When a tensor is read
        let words = try weights.tensor("embeddings.word_embeddings.weight", shape: [30_522, 384])
        let bias = try weights.tensor("encoder.layer.5.output.dense.bias", shape: [384])
        // Then it has its shape and the values numpy reads from the same bytes
        #expect(words.values.count == 30_522 * 384)
        #expect(
            Array(words.values[101 * 384..<101 * 384 + 3]) == [
                -0.01761939749121666, -0.007600549608469009, 0.047105543315410614,
            ]
        )
        #expect(Array(bias.values.prefix(3)) == [-0.001134294318035245, -0.013268805108964443, 0.003491833107545972])
        #expect(weights.names.count == 104)  // 105 entries less the integer position ids
    }

    @Test func aTensorOfAnotherShapeOrTypeIsRefused() throws {
        let weights = try SafeTensors(contentsOf: modelFolder.appendingPathComponent("model.safetensors"))
        #expect(throws: EmbeddingError.self) { try weights.tensor("embeddings.LayerNorm.bias", shape: [385]) }
        #expect(throws: EmbeddingError.self) { try weights.tensor("embeddings.position_ids") }
        #expect(throws: EmbeddingError.self) { try weights.tensor("no.such.tensor") }
    }

    @Test(arguments: [
        Data(), Data([1, 2, 3]), Data([255, 255, 255, 255, 0, 0, 0, 0, 123]), Data([2, 0, 0, 0, 0, 0, 0, 0, 91, 93]),
    ])
    func aMalformedFileIsRefused(bytes: Data) throws {
        // Given a file too short, with a header longer than itself, or a header that is not an object
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID()).safetensors")
        try bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        // Then it is refused with a reason, never read out of bounds
        #expect(throws: EmbeddingError.self) { try SafeTensors(contentsOf: url) }
    }
}
