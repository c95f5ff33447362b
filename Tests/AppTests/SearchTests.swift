import AsyncHTTPClient
import Foundation
import Hummingbird
import Testing

@testable import App

/// Full-text search over a bot's documents (`GET /api/v1/bots/{botId}/search`), kept in step with syncs.
@Suite struct SearchTests {
    @Test func theLongestDocumentedQuestionIsAnsweredOverARealSocket() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            // Given a question of 10,000 characters of 3 UTF-8 bytes each: 90 KB in the request line once encoded
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let question = String(repeating: "€", count: 10_000)
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            var request = HTTPClientRequest(url: "\(base)/api/v1/bots/\(bot)/search?q=\(question)")
            request.headers.add(name: "Authorization", value: "Bearer \(app.ownerKey)")
            // When it is asked through the server's HTTP decoder
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            // Then the route answers it (not the decoder's bare 400)
            #expect(response.status == .ok, "\(String(buffer: body))")
            #expect(response.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
        }
    }

    @Test func theBestPassagesComeFirstWithTheirSource() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Fixtures.botWithDocuments(api, app)
            let hits = try await Fixtures.search(api, app, bot: bot, "free shipping over 50 euros?")
            let best = try #require(hits.first)
            #expect(best["source"]?["rowKey"]?.string == "shipping")
            #expect(best["source"]?["dataSourceId"]?.string == source.id)
            #expect(best["answers"]?.bool == true && best["coverage"] == .number(1))
            #expect(best["text"]?.string?.contains("Standard shipping is free") == true)
            // Words that are the same after stemming match ("returning" finds "return")
            let returning = try await Fixtures.search(api, app, bot: bot, "returning")
            #expect(returning.first?["source"]?["rowKey"]?.string == "returns")
        }
    }

    @Test func theIndexFollowsEverySync() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Fixtures.botWithDocuments(api, app)
            // When one row changes, one is deleted, and the source is synced again
            try await Fixtures.putRows(
                api,
                app,
                source,
                [
                    ("returns", "Returns and refunds", "Returns are accepted within 60 days, with the receipt."),
                    ("shipping", "Shipping costs", Fixtures.helpCentre[1].content),
                ]
            )
            #expect(try await Fixtures.sync(api, app, source)["status"]?.string == "succeeded")
            // Then the new text is found, the old text and the deleted row are not
            #expect(
                try await Fixtures.search(api, app, bot: bot, "receipt").first?["source"]?["rowKey"]?.string
                    == "returns"
            )
            // (the nearest documents by meaning are still listed, so no hit may hold the old words)
            for gone in ["unused", "Innsbruck"] {
                let hits = try await Fixtures.search(api, app, bot: bot, gone)
                #expect(!hits.contains { $0["text"]?.string?.contains(gone) == true })
            }
            #expect(try await Fixtures.search(api, app, bot: bot, "Innsbruck", mode: "lexical").isEmpty)
            // And deleting the data source takes its documents out of the index
            #expect(try await api.delete(source.base, key: app.ownerKey).status == .noContent)
            #expect(try await Fixtures.search(api, app, bot: bot, "receipt").isEmpty)
        }
    }

    @Test func aBotFindsOnlyItsOwnDocuments() async throws {
        let app = try await TestApp()
        try await app.run { api in
            _ = try await Fixtures.botWithDocuments(api, app)
            let other = try await api.createBot(name: "Other bot", key: app.ownerKey)["id"]!.string!
            #expect(try await Fixtures.search(api, app, bot: other, "shipping").isEmpty)
            let foreign = try await api.get("/api/v1/bots/\(other)/search?q=shipping", key: app.otherOwnerKey)
            #expect(foreign.status == .notFound)
        }
    }

    @Test func aURLRowIsCitedWithItsURL() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let site = TestWebsite()
        site.set("care", .init("<title>Tent care</title><p>Dry your tent completely before storing it.</p>"))
        try await site.run { base in
            try await app.run { api in
                let source = try await Fixtures.urlSource(api, app, rows: [("care", "\(base)/care")])
                #expect(try await Fixtures.sync(api, app, source)["status"]?.string == "succeeded")
                let hit = try #require(try await Fixtures.search(api, app, bot: source.bot, "storing a tent").first)
                #expect(hit["source"]?["url"]?.string == "\(base)/care" && hit["source"]?["rowKey"]?.string == "care")
            }
        }
    }

    @Test(arguments: ["", "q=", "q=%20%20", "q=tents&limit=0", "q=tents&limit=21", "q=tents&limit=x"])
    func aMissingQuestionOrABadLimitIs400(query: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let reply = try await api.get("/api/v1/bots/\(bot)/search?\(query)", key: app.ownerKey)
            #expect(reply.status == .badRequest)
            #expect(try reply.json["error"]?["code"]?.string == "invalid_parameter")
        }
    }

    @Test func questionsBecomeQuotedWordsWithoutTheCommonOnes() {
        #expect(SearchTerms("How do I return my boots?").words == ["return", "boots"])
        #expect(SearchTerms("what's \"NEAR\" OR * tents-2 tents").words == ["near", "tents", "2"])
        #expect(SearchTerms("the a of").isEmpty)
        #expect(SearchTerms(#"say "hi""#).anyWordQuery == #""say""#)
        #expect(SearchTerms.quoted(#"a"b"#) == #""a""b""#)
    }
}
