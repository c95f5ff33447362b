import Foundation
import Hummingbird
import Testing

@testable import App

/// The bot answers visitors from its synced documents, through the API, on a real SQLite file.
@Suite struct BotReplyTests {
    static let helpCentre: [(key: String, title: String, content: String)] = [
        (
            "returns", "Returns and refunds",
            "You can return any unused item within 30 days of delivery for a full refund. Start a return from your order page."
        ),
        (
            "shipping", "Shipping costs",
            "Standard shipping is free on orders over 50 euros; below that it costs 4.95 euros."
        ),
        ("stores", "Our stores", "Visit our stores in Lyon, Munich, Innsbruck and Bergen."),
    ]

    /// A bot with a synced text data source of `rows` (and human takeover as asked).
    static func botWithDocuments(
        _ api: API,
        _ app: TestApp,
        rows: [(key: String, title: String, content: String)] = helpCentre,
        takeover: Bool = true
    ) async throws -> (bot: String, source: SyncTests.Source) {
        let bot = try await api.createBot(name: "Help bot", humanTakeoverEnabled: takeover, key: app.ownerKey)["id"]!
            .string!
        let created = try await api.post(
            "/api/v1/bots/\(bot)/data-sources",
            key: app.ownerKey,
            json: #"{"name": "Help centre", "type": "text"}"#
        )
        let source = SyncTests.Source(bot: bot, id: try created.json["id"]!.string!)
        try await putRows(api, app, source, rows)
        #expect(try await SyncTests.sync(api, app, source)["status"]?.string == "succeeded")
        return (bot, source)
    }

    static func putRows(
        _ api: API,
        _ app: TestApp,
        _ source: SyncTests.Source,
        _ rows: [(key: String, title: String, content: String)]
    ) async throws {
        try await SyncTests.putRows(
            api,
            app,
            source,
            objects: rows.map { ["key": $0.key, "title": $0.title, "content": $0.content] }
        )
    }

    static func say(_ api: API, _ conversation: JSONValue, _ text: String) async throws -> JSONValue {
        let reply = try await api.post(
            "/api/v1/public/conversations/\(conversation["id"]!.string!)/messages",
            key: conversation["visitorToken"]!.string!,
            json: #"{"text": \#(jsonString(text))}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.json
    }

    @Test func aVisitorGetsTheBestPassageWithItsSource() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.botWithDocuments(api, app)
            let conversation = try await api.startConversation(bot: bot)
            // When the visitor asks about returns
            let posted = try await Self.say(api, conversation, "How many days do I have to return an item?")
            // Then the bot quotes the returns row and names it
            let reply = try #require(posted["reply"])
            #expect(reply["role"]?.string == "bot")
            #expect(
                reply["text"]?.string?.hasPrefix("Returns and refunds\n\nYou can return any unused item within 30 days")
                    == true
            )
            #expect(reply["text"]?.string?.hasSuffix("Sources: Returns and refunds") == true, "\(reply)")
            let cited = try #require(reply["sources"]?[0])
            #expect(cited["rowKey"]?.string == "returns" && cited["title"]?.string == "Returns and refunds")
            #expect(cited["dataSourceId"]?.string == source.id && cited["dataSourceName"]?.string == "Help centre")
            #expect(reply["sources"]?.array?.count == 1, "the other rows do not answer it")
            // And the transcript keeps it after the question
            let transcript =
                try await api.get(
                    "/api/v1/conversations/\(conversation["id"]!.string!)/messages",
                    key: app.ownerKey
                ).json["data"]?.array ?? []
            #expect(transcript.map { $0["role"]?.string } == ["user", "bot"])
            #expect(transcript.last?["sources"] == reply["sources"])
        }
    }

    @Test func anInitialMessageIsAnsweredToo() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Self.botWithDocuments(api, app)
            let conversation = try await api.startConversation(
                bot: bot,
                body: #"{"channelType": "web", "initialMessage": "Is there a store in Munich?"}"#
            )
            let view = try await api.get(
                "/api/v1/public/conversations/\(conversation["id"]!.string!)",
                key: conversation["visitorToken"]!.string!
            ).json
            #expect(view["messages"]?.array?.map { $0["role"]?.string } == ["user", "bot"])
            #expect(view["messages"]?[1]?["sources"]?[0]?["rowKey"]?.string == "stores")
        }
    }

    @Test func theBotIsSilentWhileAHumanIsAskedForOrHasTheConversationAndAnswersAgainAfter() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Self.botWithDocuments(api, app)
            let agent = try await api.createAgent(key: app.ownerKey)["token"]!.string!
            let conversation = try await api.startConversation(bot: bot)
            let question = "How much is shipping?"
            // Escalated: silent
            #expect(try await api.escalate(conversation).status == .ok)
            #expect(try await Self.say(api, conversation, question)["reply"] == nil)
            // Active: silent
            #expect(try await api.act("claim", on: conversation, key: agent).status == .ok)
            #expect(try await Self.say(api, conversation, question)["reply"] == nil)
            // Resolved: the bot answers again
            #expect(try await api.act("release", on: conversation, key: agent).status == .ok)
            let answered = try await Self.say(api, conversation, question)
            #expect(answered["reply"]?["sources"]?[0]?["rowKey"]?.string == "shipping")
            let roles = try await api.get(
                "/api/v1/conversations/\(conversation["id"]!.string!)/messages",
                key: app.ownerKey
            ).json["data"]?.array?.map { $0["role"]?.string }
            #expect(roles == ["user", "user", "user", "bot"])
        }
    }

    @Test(arguments: [true, false])
    func withNothingThatAnswersTheBotSaysItDoesNotKnow(takeover: Bool) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Self.botWithDocuments(api, app, takeover: takeover)
            let conversation = try await api.startConversation(bot: bot)
            // A question whose words the documents do not hold, and one that only shares a word in passing
            for question in ["What is the weather on Mars?", "Do you sell kayaks, paddles or dry bags in Munich?"] {
                let reply = try #require(try await Self.say(api, conversation, question)["reply"])
                #expect(reply["text"]?.string == BotResponder.dontKnow(offeringHuman: takeover))
                #expect(reply["sources"]?.array?.isEmpty == true)
            }
            #expect(BotResponder.dontKnow(offeringHuman: true).contains("Talk to a human"))
            #expect(!BotResponder.dontKnow(offeringHuman: false).contains("Talk to a human"))
        }
    }

    @Test func anIntegrationsChannelIsNotOfferedAHuman() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Self.botWithDocuments(api, app, takeover: true)
            let conversation = try await api.post(
                "/api/v1/bots/\(bot)/conversations",
                key: app.ownerKey,
                json: #"{"channelType": "slack"}"#
            ).json
            let reply = try #require(try await Self.say(api, conversation, "What is the weather on Mars?")["reply"])
            #expect(reply["text"]?.string == BotResponder.dontKnow(offeringHuman: false))
        }
    }

    @Test func aLongPassageIsQuotedUpToASentenceThatFits() {
        let sentence = "This sentence is part of a long document about tents. "
        let quoted = BotResponder.quote(String(repeating: sentence, count: 40))
        #expect(quoted.count <= BotResponder.quoteLimit && quoted.hasSuffix("tents."))
        #expect(BotResponder.quote("  Short.  ") == "Short.")
    }
}
