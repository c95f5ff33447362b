import Hummingbird

/// `GET /api/v1/bots/{botId}/search?q=…&limit=…`: what the bot would find for a question, best first — for
/// owners checking their data sources, and for the retrieval evaluation.
struct SearchController {
    let store: any Store
    let retriever: Retriever

    static let maximumLimit = 20

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get(use: search)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> SearchResults {
        let workspaceID = try context.requireOwner()
        let botID = try context.parameters.require("botId")
        let (question, limit, mode): (String, Int, Retriever.Mode)
        do {
            (question, limit, mode) = try parameters(request.uri.queryParameters)
        } catch {
            // Another workspace's bot is not found, whatever the question.
            _ = try await store.bot(id: botID, workspaceID: workspaceID)
            throw error
        }
        let (_, passages) = try await retriever.passages(
            for: question,
            botID: botID,
            workspaceID: workspaceID,
            mode: mode,
            limit: limit
        )
        return SearchResults(mode: mode, data: passages.map(SearchResults.Hit.init))
    }

    private func parameters(_ query: Parameters) throws -> (question: String, limit: Int, mode: Retriever.Mode) {
        guard let question = query["q"].map(String.init),
            !question.trimmingCharacters(in: .whitespaces).isEmpty, question.count <= 10_000
        else { throw AppError.invalidParameter("q", "q must be a question of 1 to 10000 characters.") }
        var limit = 5
        if let given = query["limit"] {
            guard let number = Int(given), (1...Self.maximumLimit).contains(number) else {
                throw AppError.invalidParameter("limit", "limit must be a whole number from 1 to \(Self.maximumLimit).")
            }
            limit = number
        }
        var mode = retriever.defaultMode
        if let given = query["mode"] {
            guard let asked = Retriever.Mode(rawValue: String(given)) else {
                throw AppError.invalidParameter("mode", "mode must be hybrid, lexical or vector.")
            }
            guard asked == .lexical || retriever.embedder != nil else {
                throw AppError.invalidParameter(
                    "mode",
                    "This server runs without an embedding model: only lexical search is available."
                )
            }
            mode = asked
        }
        return (question, limit, mode)
    }
}

struct SearchResults: ResponseEncodable, Sendable {
    struct Hit: Encodable, Sendable {
        let documentId: String
        let text: String
        /// The ranking's score: bm25 in lexical mode, the similarity in vector mode, the fused score in hybrid.
        let score: Double
        let coverage: Double
        /// The cosine similarity to the question; null without a model or a vector.
        let similarity: Double?
        /// Whether the bot would quote it.
        let answers: Bool
        let source: MessageSource

        init(_ passage: Passage) {
            documentId = passage.documentId
            text = passage.text
            score = passage.score
            coverage = passage.coverage
            similarity = passage.similarity
            answers = passage.answers
            source = passage.source
        }

        private enum CodingKeys: CodingKey {
            case documentId, text, score, coverage, similarity, answers, source
        }

        /// `similarity` is null, not left out, when there is none.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(documentId, forKey: .documentId)
            try container.encode(text, forKey: .text)
            try container.encode(score, forKey: .score)
            try container.encode(coverage, forKey: .coverage)
            try container.encode(similarity, forKey: .similarity)
            try container.encode(answers, forKey: .answers)
            try container.encode(source, forKey: .source)
        }
    }

    /// The ranking that ran.
    let mode: Retriever.Mode
    let data: [Hit]
}
