import Foundation
import Hummingbird
import Logging
import Testing

@testable import App

/// Retrieval with the embedding model: vectors made during sync for new and changed documents only, the bot's
/// vectors cached by generation, the modes of the search route, and the server without a model.
@Suite struct HybridSearchTests {

    @Test func aParaphraseWithNoWordInCommonIsFoundByMeaningWhereLexicalSearchFindsNothing() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botWithDocuments(api, app)
            // "postage" is in no row; the shipping row says what shipping costs
            let question = "how much is postage"
            let hybrid = try await Fixtures.search(api, app, bot: bot, question)
            #expect(hybrid.first?["source"]?["rowKey"]?.string == "shipping")
            #expect(hybrid.first?["coverage"]?.double == 0 && (hybrid.first?["similarity"]?.double ?? 0) > 0.4)
            #expect(try await Fixtures.search(api, app, bot: bot, question, mode: "lexical").isEmpty)
        }
    }

    @Test func aQuestionNothingAnswersGetsTheNearestRowsButNoneThatAnswers() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botWithDocuments(api, app)
            let hits = try await Fixtures.search(api, app, bot: bot, "Tell me a joke")
            #expect(hits.count == Fixtures.helpCentre.count)
            #expect(hits.allSatisfy { $0["answers"]?.bool == false && $0["similarity"]?.double != nil })
        }
    }

    @Test func eachModeRanksByItsOwnScoreAndSaysWhichRan() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botWithDocuments(api, app)
            for mode in ["hybrid", "lexical", "vector"] {
                let reply = try await api.get(
                    "/api/v1/bots/\(bot)/search?q=return%20an%20item&mode=\(mode)",
                    key: app.ownerKey
                )
                #expect(reply.status == .ok)
                let body = try reply.json
                #expect(body["mode"]?.string == mode)
                let hits = body["data"]?.array ?? []
                #expect(hits.first?["source"]?["rowKey"]?.string == "returns", "\(mode)")
                let scores = hits.compactMap { $0["score"]?.double }
                #expect(scores == scores.sorted(by: >), "\(mode)")
                #expect(hits.allSatisfy { ($0["similarity"]?.double == nil) == (mode == "lexical") }, "\(mode)")
            }
            let unknown = try await api.get("/api/v1/bots/\(bot)/search?q=x&mode=semantic", key: app.ownerKey)
            #expect(unknown.status == .badRequest)
            #expect(try unknown.json["error"]?["details"]?["parameter"]?.string == "mode")
        }
    }

    @Test func withoutAModelTheServerSearchesLexicallyAndRefusesOtherModes() async throws {
        let app = try await TestApp { $0.embeddingModelPath = AppConfiguration.noEmbeddingModel }
        try await app.run { api in
            let (bot, _) = try await Fixtures.botWithDocuments(api, app)
            let reply = try await api.get("/api/v1/bots/\(bot)/search?q=free%20shipping", key: app.ownerKey).json
            #expect(reply["mode"]?.string == "lexical")
            #expect(reply["data"]?[0]?["similarity"] == .null && reply["data"]?[0]?["answers"]?.bool == true)
            for mode in ["hybrid", "vector"] {
                let refused = try await api.get("/api/v1/bots/\(bot)/search?q=x&mode=\(mode)", key: app.ownerKey)
                #expect(refused.status == .badRequest)
                #expect(try refused.json["error"]?["details"]?["parameter"]?.string == "mode")
            }
        }
    }

    @Test func aModelFolderThatIsMissingMeansLexicalOnlyAndOneThatIsBrokenStopsTheStart() throws {
        var configuration = AppConfiguration()
        configuration.embeddingModelPath = temporaryFolder().appendingPathComponent("not-downloaded-yet").path
        #expect(try Embedder.load(configuration, logger: Logger(label: "test")) == nil)
        configuration.embeddingModelPath = AppConfiguration.noEmbeddingModel
        #expect(try Embedder.load(configuration, logger: Logger(label: "test")) == nil)
        configuration.embeddingModelPath = temporaryFolder().path
        #expect(throws: ConfigurationError.self) { try Embedder.load(configuration, logger: Logger(label: "test")) }
    }

    @Test func aResyncEmbedsOnlyTheChangedRowsDocuments() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given three rows synced (three documents embedded)
            let (bot, source) = try await Fixtures.botWithDocuments(api, app)
            #expect(try await embeddedDocuments(api) == 3)
            // When one row changes and the source syncs again
            var rows = Fixtures.helpCentre
            rows[2].content = "Visit our stores in Lyon, Munich, Innsbruck, Bergen and Oslo."
            try await Fixtures.putRows(api, app, source, rows)
            #expect(try await Fixtures.sync(api, app, source)["status"]?.string == "succeeded")
            // Then only its document was embedded, and the vectors follow the change
            #expect(try await embeddedDocuments(api) == 4)
            let hits = try await Fixtures.search(api, app, bot: bot, "a shop in Norway's capital", mode: "vector")
            #expect(hits.first?["source"]?["rowKey"]?.string == "stores")
            #expect(hits.count == 3)
        }
    }

    @Test func documentsSyncedBeforeTheModelGetVectorsOnTheNextSync() async throws {
        // Given documents synced by a server without the model
        let withoutModel = try await TestApp { $0.embeddingModelPath = AppConfiguration.noEmbeddingModel }
        let (bot, source) = try await withoutModel.run { api in try await Fixtures.botWithDocuments(api, withoutModel) }
        // When a server with the model searches, then syncs the unchanged rows
        let withModel = try await TestApp.reopen(withoutModel) {
            $0.embeddingModelPath = AppConfiguration().embeddingModelPath
        }
        try await withModel.run { api in
            #expect(try await Fixtures.search(api, withModel, bot: bot, "refund", mode: "vector").isEmpty)
            let job = try await Fixtures.sync(api, withModel, source)
            #expect(job["status"]?.string == "succeeded" && job["results"]?["modifiedRows"]?.int == 0)
            // Then every document has its vector, and no storage tokens were spent on it
            #expect(try await embeddedDocuments(api) == 3)
            #expect(job["results"]?["totalTokens"]?.int == 0)
            let hits = try await Fixtures.search(api, withModel, bot: bot, "refund", mode: "vector")
            #expect(hits.count == 3 && hits.first?["source"]?["rowKey"]?.string == "returns")
        }
    }

    @Test func anotherInstancesSyncIsSeenByTheNextQuestion() async throws {
        let first = try await TestApp()
        guard first.postgresRole != nil else { return }  // one instance per SQLite file
        let second = try first.anotherInstance()
        let (bot, source) = try await first.run { api in try await Fixtures.botWithDocuments(api, first) }
        try await second.run { api in
            // The second instance caches the bot's vectors with its first question
            let hits = try await Fixtures.search(api, second, bot: bot, "kayak rental", mode: "vector")
            #expect(hits.count == 3)
        }
        try await first.run { api in
            try await Fixtures.putRows(
                api,
                first,
                source,
                Fixtures.helpCentre + [("kayaks", "Kayak hire", "Hire a kayak by the day.")]
            )
            #expect(try await Fixtures.sync(api, first, source)["status"]?.string == "succeeded")
        }
        try await second.run { api in
            let hits = try await Fixtures.search(api, second, bot: bot, "kayak rental", mode: "vector")
            #expect(hits.first?["source"]?["rowKey"]?.string == "kayaks" && hits.count == 4)
        }
    }

    /// The documents the app's syncs embedded, from `/metrics`.
    private func embeddedDocuments(_ api: API) async throws -> Int {
        let metrics = try await api.get("/metrics", key: nil).text
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("sync_embedded_documents_total") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }
}
