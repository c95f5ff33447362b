import Foundation
import Hummingbird
import Testing

@testable import App

/// The bot answers visitors from its synced documents, through the API, on a real SQLite file.
@Suite struct BotReplyTests {

    @Test func aVisitorGetsTheBestPassageWithItsSource() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Fixtures.botWithDocuments(api, app)
            let conversation = try await api.startConversation(bot: bot)
            // When the visitor asks about returns
            let posted = try await Fixtures.say(api, conversation, "How many days do I have to return an item?")
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
            let (bot, _) = try await Fixtures.botWithDocuments(api, app)
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
            let (bot, _) = try await Fixtures.botWithDocuments(api, app)
            let agent = try await api.createAgent(key: app.ownerKey)["token"]!.string!
            let conversation = try await api.startConversation(bot: bot)
            let question = "How much is shipping?"
            // Escalated: silent
            #expect(try await api.escalate(conversation).status == .ok)
            #expect(try await Fixtures.say(api, conversation, question)["reply"] == nil)
            // Active: silent
            #expect(try await api.act("claim", on: conversation, key: agent).status == .ok)
            #expect(try await Fixtures.say(api, conversation, question)["reply"] == nil)
            // Resolved: the bot answers again
            #expect(try await api.act("release", on: conversation, key: agent).status == .ok)
            let answered = try await Fixtures.say(api, conversation, question)
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
            let (bot, _) = try await Fixtures.botWithDocuments(api, app, takeover: takeover)
            let conversation = try await api.startConversation(bot: bot)
            // A question whose words the documents do not hold, and one that only shares a word in passing
            for question in ["What is the weather on Mars?", "Do you sell kayaks, paddles or dry bags in Munich?"] {
                let reply = try #require(try await Fixtures.say(api, conversation, question)["reply"])
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
            let (bot, _) = try await Fixtures.botWithDocuments(api, app, takeover: true)
            let conversation = try await api.post(
                "/api/v1/bots/\(bot)/conversations",
                key: app.ownerKey,
                json: #"{"channelType": "slack"}"#
            ).json
            let reply = try #require(try await Fixtures.say(api, conversation, "What is the weather on Mars?")["reply"])
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
