import COpenBLAS
import Foundation

/// A BERT-style sentence-transformer (all-MiniLM-L6-v2 and any model in its format): text in, one unit-length
/// vector out, as `sentence-transformers` computes it — token embeddings, the encoder layers, the mean over the
/// tokens, L2 normalisation. One text at a time, so no padding and no attention mask; the matrix products run
/// through OpenBLAS.
public struct SentenceEncoder: Sendable {
    public let tokenizer: WordPieceTokenizer
    /// The length of every vector.
    public let dimension: Int
    private let heads: Int
    private let layerNormEpsilon: Float
    private let words: [Float]
    private let positions: [Float]
    private let tokenType: [Float]
    private let embeddingNorm: LayerNorm
    private let layers: [Layer]

    /// Loads the model in `folder`: `config.json`, `vocab.txt`, `model.safetensors`, and the maximum length from
    /// `sentence_bert_config.json` when there is one.
    public init(folder: URL) throws {
        struct Config: Decodable {
            let hidden_size: Int
            let num_attention_heads: Int
            let num_hidden_layers: Int
            let intermediate_size: Int
            let max_position_embeddings: Int
            let vocab_size: Int
            let type_vocab_size: Int
            let layer_norm_eps: Float?
            let hidden_act: String?
        }
        struct SentenceConfig: Decodable { let max_seq_length: Int }
        func read<Value: Decodable>(_ type: Value.Type, _ name: String) throws -> Value {
            let url = folder.appendingPathComponent(name)
            do {
                return try JSONDecoder().decode(type, from: Data(contentsOf: url))
            } catch {
                throw EmbeddingError.invalidModel("\(name) in \(folder.path) cannot be read (\(error))")
            }
        }
        let config = try read(Config.self, "config.json")
        guard config.hidden_size % config.num_attention_heads == 0 else {
            throw EmbeddingError.invalidModel("\(config.num_attention_heads) heads do not divide \(config.hidden_size)")
        }
        guard (config.hidden_act ?? "gelu") == "gelu" else {
            throw EmbeddingError.invalidModel("activation \(config.hidden_act ?? "") is not gelu")
        }
        let maxLength =
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("sentence_bert_config.json").path)
            ? try read(SentenceConfig.self, "sentence_bert_config.json").max_seq_length : 256
        tokenizer = try WordPieceTokenizer(
            vocabulary: folder.appendingPathComponent("vocab.txt"),
            maxLength: min(maxLength, config.max_position_embeddings)
        )
        let weights = try SafeTensors(contentsOf: folder.appendingPathComponent("model.safetensors"))
        // Products of a few hundred rows gain little from more threads; a server embeds several texts at once
        // instead, each product on its caller's thread, so BLAS never competes with the tasks for the cores.
        openblas_set_num_threads(1)
        let hidden = config.hidden_size
        // Checkpoints saved from BertModel name tensors without a prefix, from BertForX with `bert.`.
        let prefix = weights.names.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            try weights.tensor(prefix + name, shape: shape).values
        }
        func linear(_ name: String, _ outputs: Int, _ inputs: Int) throws -> Linear {
            Linear(
                weight: try tensor("\(name).weight", [outputs, inputs]),
                bias: try tensor("\(name).bias", [outputs]),
                inputs: inputs,
                outputs: outputs
            )
        }
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(gamma: try tensor("\(name).weight", [hidden]), beta: try tensor("\(name).bias", [hidden]))
        }
        dimension = hidden
        heads = config.num_attention_heads
        layerNormEpsilon = config.layer_norm_eps ?? 1e-12
        words = try tensor("embeddings.word_embeddings.weight", [config.vocab_size, hidden])
        positions = try tensor("embeddings.position_embeddings.weight", [config.max_position_embeddings, hidden])
        // Every token is of the first segment: one sentence at a time.
        tokenType = Array(
            try tensor("embeddings.token_type_embeddings.weight", [config.type_vocab_size, hidden]).prefix(hidden)
        )
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<config.num_hidden_layers).map { index in
            let name = "encoder.layer.\(index)"
            let query = try linear("\(name).attention.self.query", hidden, hidden)
            let key = try linear("\(name).attention.self.key", hidden, hidden)
            let value = try linear("\(name).attention.self.value", hidden, hidden)
            return Layer(
                // One product for all three: their weights stacked row after row.
                queryKeyValue: Linear(
                    weight: query.weight + key.weight + value.weight,
                    bias: query.bias + key.bias + value.bias,
                    inputs: hidden,
                    outputs: 3 * hidden
                ),
                attentionOutput: try linear("\(name).attention.output.dense", hidden, hidden),
                attentionNorm: try norm("\(name).attention.output.LayerNorm"),
                intermediate: try linear("\(name).intermediate.dense", config.intermediate_size, hidden),
                output: try linear("\(name).output.dense", hidden, config.intermediate_size),
                outputNorm: try norm("\(name).output.LayerNorm")
            )
        }
        guard tokenizer.vocabularySize <= config.vocab_size else {
            throw EmbeddingError.invalidModel("vocab.txt has more tokens than the model's \(config.vocab_size)")
        }
    }

    /// The unit-length vector of `text`.
    public func embed(_ text: String) -> [Float] {
        embed(ids: tokenizer.encode(text))
    }

    /// The unit-length vector of token ids from `tokenizer` (`[CLS]` … `[SEP]`).
    public func embed(ids: [Int32]) -> [Float] {
        let states = encode(ids: ids)
        // The mean over every token ([CLS] and [SEP] included, as sentence-transformers does), then unit length.
        return pooled(states, rows: 0..<ids.count)
    }

    /// A document's vector and, from the same pass of the encoder, one for each of its passages (at most
    /// `passageLimit`, adjacent sentences grouped): each passage's tokens pooled in the context of the whole text
    /// ("late chunking"), so that a question about one sentence of a long row finds it without a second pass.
    /// Passages past the model's length get no vector.
    public func embed(document text: String, passageLimit: Int = 4) -> (whole: [Float], passages: [[Float]]) {
        let (ids, ranges) = tokenizer.encode(segments: Self.passages(of: text, limit: passageLimit))
        let states = encode(ids: ids)
        return (
            pooled(states, rows: 0..<ids.count),
            ranges.filter { !$0.isEmpty }.map { pooled(states, rows: $0) }
        )
    }

    /// `text` cut after each sentence (at `.`, `!` or `?` before white space, and at line breaks), the sentences
    /// grouped into at most `limit` passages of about equal length. The cuts fall on white space, so the passages'
    /// words are the text's.
    static func passages(of text: String, limit: Int) -> [String] {
        var sentences: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character.isNewline || (".!?".contains(character) && (next == text.endIndex || text[next].isWhitespace))
            {
                sentences.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { sentences.append(text[start...]) }
        sentences = sentences.filter { !$0.allSatisfy(\.isWhitespace) }
        guard sentences.count > limit else { return sentences.map(String.init) }
        let target = Double(sentences.reduce(0) { $0 + $1.count }) / Double(limit)
        var passages: [String] = []
        var current = ""
        for sentence in sentences {
            current += sentence
            if Double(current.count) >= target, passages.count < limit - 1 {
                passages.append(current)
                current = ""
            }
        }
        if !current.isEmpty { passages.append(current) }
        return passages
    }

    /// The encoder's output for `ids`: one row of `dimension` values per token.
    private func encode(ids: [Int32]) -> [Float] {
        let count = ids.count
        let hidden = dimension
        var states = [Float](repeating: 0, count: count * hidden)
        for (position, id) in ids.enumerated() {
            let word = Int(id) * hidden
            let row = position * hidden
            for column in 0..<hidden {
                states[row + column] = words[word + column] + positions[row + column] + tokenType[column]
            }
        }
        embeddingNorm.apply(to: &states, rows: count, epsilon: layerNormEpsilon)
        for layer in layers { layer.apply(to: &states, rows: count, heads: heads, epsilon: layerNormEpsilon) }
        return states
    }

    /// The mean of `rows` of `states`, at unit length.
    private func pooled(_ states: [Float], rows: Range<Int>) -> [Float] {
        let hidden = dimension
        var pooled = [Float](repeating: 0, count: hidden)
        for row in rows {
            for column in 0..<hidden { pooled[column] += states[row * hidden + column] }
        }
        let length = pooled.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let scale = length > 0 ? 1 / length : 0
        return pooled.map { $0 * scale }
    }
}

/// `y = x Wᵀ + b` for each row `x`, as PyTorch's `Linear` stores `W`: `outputs` rows of `inputs`.
private struct Linear: Sendable {
    let weight: [Float]
    let bias: [Float]
    let inputs: Int
    let outputs: Int

    func apply(_ input: [Float], rows: Int) -> [Float] {
        var result = [Float](repeating: 0, count: rows * outputs)
        for row in 0..<rows {
            for column in 0..<outputs { result[row * outputs + column] = bias[column] }
        }
        cblas_sgemm(
            CblasRowMajor,
            CblasNoTrans,
            CblasTrans,
            Int32(rows),
            Int32(outputs),
            Int32(inputs),
            1,
            input,
            Int32(inputs),
            weight,
            Int32(inputs),
            1,
            &result,
            Int32(outputs)
        )
        return result
    }
}

private struct LayerNorm: Sendable {
    let gamma: [Float]
    let beta: [Float]

    func apply(to states: inout [Float], rows: Int, epsilon: Float) {
        let width = gamma.count
        states.withUnsafeMutableBufferPointer { states in
            for row in 0..<rows {
                let values = UnsafeMutableBufferPointer(rebasing: states[row * width..<(row + 1) * width])
                let mean = values.reduce(0, +) / Float(width)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(width)
                let scale = 1 / (variance + epsilon).squareRoot()
                for column in 0..<width {
                    values[column] = (values[column] - mean) * scale * gamma[column] + beta[column]
                }
            }
        }
    }
}

/// One encoder layer: self-attention, then the feed-forward network, each added to its input and normalised.
private struct Layer: Sendable {
    let queryKeyValue: Linear
    let attentionOutput: Linear
    let attentionNorm: LayerNorm
    let intermediate: Linear
    let output: Linear
    let outputNorm: LayerNorm

    func apply(to states: inout [Float], rows: Int, heads: Int, epsilon: Float) {
        let hidden = attentionOutput.inputs
        let projected = queryKeyValue.apply(states, rows: rows)
        var context = attention(projected, rows: rows, heads: heads, hidden: hidden)
        var attended = attentionOutput.apply(context, rows: rows)
        for index in attended.indices { attended[index] += states[index] }
        attentionNorm.apply(to: &attended, rows: rows, epsilon: epsilon)
        var expanded = intermediate.apply(attended, rows: rows)
        expanded.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = gelu(values[index]) }
        }
        context = output.apply(expanded, rows: rows)
        for index in context.indices { context[index] += attended[index] }
        outputNorm.apply(to: &context, rows: rows, epsilon: epsilon)
        states = context
    }

    /// Scaled dot-product attention per head over rows of `[queries | keys | values]`; the heads' outputs side by
    /// side.
    private func attention(_ projected: [Float], rows: Int, heads: Int, hidden: Int) -> [Float] {
        let size = hidden / heads
        let stride = Int32(3 * hidden)
        var context = [Float](repeating: 0, count: rows * hidden)
        var scores = [Float](repeating: 0, count: rows * rows)
        projected.withUnsafeBufferPointer { projected in
            let base = projected.baseAddress!
            for head in 0..<heads {
                let queries = base + head * size
                let keys = base + hidden + head * size
                let values = base + 2 * hidden + head * size
                cblas_sgemm(
                    CblasRowMajor,
                    CblasNoTrans,
                    CblasTrans,
                    Int32(rows),
                    Int32(rows),
                    Int32(size),
                    1 / Float(size).squareRoot(),
                    queries,
                    stride,
                    keys,
                    stride,
                    0,
                    &scores,
                    Int32(rows)
                )
                Self.softmaxRows(&scores, rows: rows)
                context.withUnsafeMutableBufferPointer { context in
                    cblas_sgemm(
                        CblasRowMajor,
                        CblasNoTrans,
                        CblasNoTrans,
                        Int32(rows),
                        Int32(size),
                        Int32(rows),
                        1,
                        scores,
                        Int32(rows),
                        values,
                        stride,
                        0,
                        context.baseAddress! + head * size,
                        Int32(hidden)
                    )
                }
            }
        }
        return context
    }

    // Reductions eight lanes at a time: the compiler keeps a float sum or maximum in order, one element at a time.
    private static func largest(_ values: UnsafeMutableBufferPointer<Float>) -> Float {
        var lanes = SIMD8<Float>(repeating: -.infinity)
        var index = 0
        while index + 8 <= values.count {
            lanes = pointwiseMax(
                lanes,
                UnsafeRawPointer(values.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
            )
            index += 8
        }
        return values[index...].reduce(lanes.max(), max)
    }

    private static func sum(_ values: UnsafeMutableBufferPointer<Float>) -> Float {
        var lanes = SIMD8<Float>()
        var index = 0
        while index + 8 <= values.count {
            lanes += UnsafeRawPointer(values.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
            index += 8
        }
        return values[index...].reduce(lanes.sum(), +)
    }

    private static func softmaxRows(_ scores: inout [Float], rows: Int) {
        scores.withUnsafeMutableBufferPointer { scores in
            for row in 0..<rows {
                let values = UnsafeMutableBufferPointer(rebasing: scores[row * rows..<(row + 1) * rows])
                let largest = Self.largest(values)
                for index in values.indices { values[index] = fastExp(values[index] - largest) }
                let scale = 1 / Self.sum(values)
                for index in values.indices { values[index] *= scale }
            }
        }
    }
}
