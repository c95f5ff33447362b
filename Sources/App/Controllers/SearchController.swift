import Hummingbird

/// `GET /api/v1/bots/{botId}/search?q=…&limit=…`: what the bot would find for a question, best first — for
/// owners checking their data sources, and for the retrieval evaluation.
struct SearchController {
    let store: any Store
    let responder: BotResponder

    static let maximumLimit = 20

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get(use: search)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> SearchResults {
        let workspaceID = try context.requireOwner()
        let bot = try await store.bot(id: try context.parameters.require("botId"), workspaceID: workspaceID)
        guard let question = request.uri.queryParameters["q"].map(String.init),
            !question.trimmingCharacters(in: .whitespaces).isEmpty, question.count <= 10_000
        else { throw AppError.invalidParameter("q", "q must be a question of 1 to 10000 characters.") }
        var limit = 5
        if let given = request.uri.queryParameters["limit"] {
            guard let number = Int(given), (1...Self.maximumLimit).contains(number) else {
                throw AppError.invalidParameter("limit", "limit must be a whole number from 1 to \(Self.maximumLimit).")
            }
            limit = number
        }
        let passages = try await store.search(botID: bot.id, terms: SearchTerms(question), limit: limit)
        return SearchResults(
            data: passages.map { SearchResults.Hit($0, answers: $0.coverage >= BotResponder.minimumCoverage) }
        )
    }
}

struct SearchResults: ResponseEncodable, Sendable {
    struct Hit: Encodable, Sendable {
        let documentId: String
        let text: String
        let score: Double
        let coverage: Double
        /// Whether the bot would quote it (it holds enough of the question's words).
        let answers: Bool
        let source: MessageSource

        init(_ passage: Passage, answers: Bool) {
            documentId = passage.documentId
            text = passage.text
            score = passage.score
            coverage = passage.coverage
            self.answers = answers
            source = passage.source
        }
    }

    let data: [Hit]
}
