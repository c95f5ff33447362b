/// Finds the passages that answer a question. Lexical: bm25 over the store's full-text index. With an embedding
/// model, also the cosine similarity of the question's vector to every document's (`DocumentVectors`), exact and
/// in memory (`VectorCache`); hybrid ranks the candidates of both by one fused score, the similarity plus a little
/// of the lexical evidence. Whether a passage answers at all is its score against a threshold chosen on the
/// committed evaluation (`Tests/Evaluation`, docs/PERFORMANCE.md), so out-of-scope questions get "don't know".
struct Retriever: Sendable {
    enum Mode: String, Sendable, CaseIterable, Encodable {
        case hybrid, lexical, vector
    }

    /// Candidates each ranking contributes.
    static let candidatesPerRanking = 20
    /// Hybrid: score = similarity + coverageWeight × coverage + bm25Weight × (bm25 ÷ the question's best bm25).
    static let coverageWeight = 0.08
    static let bm25Weight = 0.1
    /// The least score a passage answers with: hybrid, vector only, and lexical only (there, its coverage: the
    /// share of the question's words it holds).
    static let hybridThreshold = 0.62
    static let vectorThreshold = 0.48
    static let lexicalThreshold = 0.5

    let store: any Store
    let embedder: Embedder?
    let cache: VectorCache

    /// What runs when no mode is asked for.
    var defaultMode: Mode { embedder == nil ? .lexical : .hybrid }

    /// The bot (of `workspaceID`, or any when nil) and its best passages for `question`, best first, each marked
    /// with whether it answers.
    func passages(
        for question: String,
        botID: String,
        workspaceID: String?,
        mode: Mode? = nil,
        limit: Int
    ) async throws -> (bot: Bot, passages: [Passage]) {
        let mode = mode ?? defaultMode
        let terms = SearchTerms(question)
        guard mode != .lexical, let embedder else {
            let (bot, found) = try await store.botWithPassages(
                botID: botID,
                workspaceID: workspaceID,
                terms: terms,
                limit: limit
            )
            return (bot, found.passages.map { $0.answering($0.coverage >= Self.lexicalThreshold) })
        }
        // The question is embedded while the store answers, unless the bot is known to have no vectors (a bot
        // without documents: most visitors' greetings would cost an embedding for nothing).
        let early = cache.documentCount(botID: botID) == 0 ? nil : Task { await embedder.embed(question: question) }
        let (bot, found) = try await store.botWithPassages(
            botID: botID,
            workspaceID: workspaceID,
            terms: terms,
            limit: Self.candidatesPerRanking
        )
        let entry = try await cache.vectors(botID: botID, generation: found.generation) {
            try await store.documentVectors(botID: botID, model: embedder.model, dimension: embedder.encoder.dimension)
        }
        guard !entry.vectors.documentIDs.isEmpty else {
            let lexical = mode == .vector ? [] : found.passages.prefix(limit)
            return (bot, lexical.map { $0.answering($0.coverage >= Self.lexicalThreshold) })
        }
        let questionVector: [Float]
        if let early {
            questionVector = await early.value
        } else {
            questionVector = await embedder.embed(question: question)
        }
        let similarities = entry.vectors.similarities(to: questionVector)
        let nearest = Self.best(similarities, limit: Self.candidatesPerRanking).map { entry.vectors.documentIDs[$0] }
        let lexical = Dictionary(found.passages.map { ($0.documentId, $0) }, uniquingKeysWith: { first, _ in first })
        let fetched = try await store.passages(documentIDs: nearest.filter { lexical[$0] == nil }, botID: botID)
        let candidates = (mode == .vector ? nearest.compactMap { lexical[$0] } : found.passages) + fetched
        let bestBM25 = found.passages.map(\.score).max() ?? 0
        let ranked = candidates.map { candidate in
            var passage = candidate
            passage.similarity = entry.indices[passage.documentId].map { similarities[$0] }
            let bm25 = lexical[passage.documentId].map { bestBM25 > 0 ? $0.score / bestBM25 : 0 } ?? 0
            return score(passage, mode: mode, bm25: bm25)
        }
        .sorted { ($0.score, $1.documentId) > ($1.score, $0.documentId) }
        return (bot, Array(ranked.prefix(limit)))
    }

    /// The passage's score in `mode` and whether it answers. `bm25`: its bm25 over the question's best (0 when
    /// the full-text search did not find it, which also leaves its coverage 0).
    private func score(_ candidate: Passage, mode: Mode, bm25: Double) -> Passage {
        var passage = candidate
        let similarity = passage.similarity ?? 0
        if mode == .vector {
            passage.score = similarity
            return passage.answering(similarity >= Self.vectorThreshold)
        }
        passage.score = similarity + Self.coverageWeight * passage.coverage + Self.bm25Weight * bm25
        // Without a vector (synced before the model was there), the words decide.
        return passage.answering(
            passage.similarity == nil
                ? passage.coverage >= Self.lexicalThreshold : passage.score >= Self.hybridThreshold
        )
    }

    /// The indices of the `limit` largest of `scores`, largest first; ties keep their order. A bounded selection:
    /// linear in the documents, where sorting them all would not be.
    static func best(_ scores: [Double], limit: Int) -> [Int] {
        var best: [(index: Int, score: Double)] = []
        best.reserveCapacity(limit + 1)
        for (index, score) in scores.enumerated() {
            if best.count == limit, let last = best.last, score <= last.score { continue }
            best.insert((index, score), at: best.firstIndex { score > $0.score } ?? best.endIndex)
            if best.count > limit { best.removeLast() }
        }
        return best.map(\.index)
    }
}

extension Passage {
    fileprivate func answering(_ answers: Bool) -> Passage {
        var passage = self
        passage.answers = answers
        return passage
    }
}
