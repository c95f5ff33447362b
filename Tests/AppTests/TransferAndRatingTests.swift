import Foundation
import Testing

@testable import App

/// Handing an active conversation to another agent, and the visitor's rating after a release (DESIGN.md §4).
@Suite struct TransferAndRatingTests {
    /// An active conversation of a bot with hooks for `events`, claimed by Jane; answers it with Jane's token, Bob
    /// (id and token) and the bot.
    static func activeConversation(
        _ api: API,
        _ app: TestApp,
        events: [String] = [],
        target: String = ""
    ) async throws -> (conversation: JSONValue, jane: String, bob: JSONValue, bot: String) {
        let (bot, jane) = try await HandoffTimerTests.handoffBot(
            api,
            app,
            settings: "{}",
            events: events,
            target: target
        )
        let bob = try await api.createAgent(name: "Bob", email: "bob@example.com", key: app.ownerKey)
        let conversation = try await api.startConversation(bot: bot)
        _ = try await api.escalate(conversation)
        #expect(try await api.act("claim", on: conversation, key: jane).status == .ok)
        return (conversation, jane, bob, bot)
    }

    static func transfer(
        _ api: API,
        _ conversation: JSONValue,
        to agentID: String,
        key: String
    ) async throws
        -> API.Reply
    {
        try await api.post(
            HandoffTimerTests.conversationPath(conversation) + "/transfer",
            key: key,
            json: #"{"agentId": \#(jsonString(agentID))}"#
        )
    }

    static func rate(_ api: API, _ conversation: JSONValue, _ json: String) async throws -> API.Reply {
        try await api.post(
            "/api/v1/public/conversations/\(conversation["id"]!.string!)/rating",
            key: conversation["visitorToken"]!.string!,
            json: json
        )
    }

    // MARK: Transfer

    @Test func theClaimingAgentHandsTheConversationToAnotherWhoMayThenReply() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given Jane's active conversation and a transferred hook
                let (conversation, jane, bob, _) = try await Self.activeConversation(
                    api,
                    app,
                    events: ["conversation.transferred"],
                    target: target
                )
                // When Jane hands it to Bob
                let reply = try await Self.transfer(api, conversation, to: bob["id"]!.string!, key: jane)
                // Then it is Bob's and still Active
                #expect(reply.status == .ok, "\(reply.text)")
                #expect(try reply.json["state"]?.string == "Active")
                #expect(try reply.json["claimedBy"]?["name"]?.string == "Bob")
                // And only Bob may write now
                let path = HandoffTimerTests.conversationPath(conversation) + "/messages"
                #expect(try await api.post(path, key: jane, json: #"{"text": "Hi"}"#).status == .forbidden)
                #expect(
                    try await api.post(path, key: bob["token"]!.string!, json: #"{"text": "Hi"}"#).status == .created
                )
                // And the hook names both agents
                let payload = try JSONDecoder().decode(
                    JSONValue.self,
                    from: Data(try await receiver.waitForRequests(1)[0].body.utf8)
                )
                #expect(payload["from"] == ["name": "Jane", "email": "jane@example.com"])
                #expect(payload["to"] == ["name": "Bob", "email": "bob@example.com"])
                #expect(payload["sequence"]?.int == 4)
                #expect(receiver.schemaViolations.isEmpty, "\(receiver.schemaViolations)")
            }
        }
    }

    @Test func anOwnerMayTransferButAnotherAgentMayNot() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (conversation, _, bob, _) = try await Self.activeConversation(api, app)
            // When Bob, who does not have it, tries to take it by a transfer
            let refused = try await Self.transfer(api, conversation, to: bob["id"]!.string!, key: bob["token"]!.string!)
            // Then he is refused; the owner may hand it to him
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "not_claiming_agent")
            let moved = try await Self.transfer(api, conversation, to: bob["id"]!.string!, key: app.ownerKey)
            #expect(try moved.json["claimedBy"]?["name"]?.string == "Bob")
        }
    }

    @Test func aTransferOutsideActiveToNobodyOrToTheSameAgentIsRefused() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (conversation, jane, bob, bot) = try await Self.activeConversation(api, app)
            let janeID = try await api.get(HandoffTimerTests.conversationPath(conversation), key: jane)
                .json["claimedBy"]!["id"]!.string!
            // To the agent who has it already: 409
            let same = try await Self.transfer(api, conversation, to: janeID, key: jane)
            #expect(same.status == .conflict && same.errorCode == "already_assigned")
            // To an agent of no one's: 422 naming the field
            let unknown = try await Self.transfer(api, conversation, to: UUID().uuidString, key: jane)
            #expect(unknown.status == .unprocessableContent)
            #expect(try unknown.json["error"]?["details"]?["field"]?.string == "agentId")
            // Of a conversation waiting in the queue: 409 invalid_transition
            let waiting = try await api.startConversation(bot: bot)
            _ = try await api.escalate(waiting)
            let queued = try await Self.transfer(api, waiting, to: bob["id"]!.string!, key: app.ownerKey)
            #expect(queued.status == .conflict && queued.errorCode == "invalid_transition")
        }
    }

    // MARK: Ratings

    @Test func aVisitorRatesOnceAfterTheReleaseAndTheHookHearsIt() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given Jane's active conversation and a rated hook
                let (conversation, jane, _, _) = try await Self.activeConversation(
                    api,
                    app,
                    events: ["conversation.rated"],
                    target: target
                )
                // When the visitor rates before the release: refused
                let early = try await Self.rate(api, conversation, #"{"score": 5}"#)
                #expect(early.status == .conflict && early.errorCode == "conversation_not_resolved")
                // When Jane releases and the visitor rates 4 with a comment
                _ = try await api.act("release", on: conversation, key: jane)
                let rated = try await Self.rate(api, conversation, #"{"score": 4, "comment": "  Quick and kind.  "}"#)
                // Then the rating is kept, trimmed, and shown on the conversation
                #expect(rated.status == .ok, "\(rated.text)")
                #expect(try rated.json["rating"]?["score"]?.int == 4)
                #expect(try rated.json["rating"]?["comment"]?.string == "Quick and kind.")
                // And a second rating is refused
                let again = try await Self.rate(api, conversation, #"{"score": 1}"#)
                #expect(again.status == .conflict && again.errorCode == "already_rated")
                // And the hook heard it once
                let payload = try JSONDecoder().decode(
                    JSONValue.self,
                    from: Data(try await receiver.waitForRequests(1)[0].body.utf8)
                )
                #expect(payload["rating"] == ["score": 4, "comment": "Quick and kind."])
                #expect(receiver.schemaViolations.isEmpty, "\(receiver.schemaViolations)")
            }
        }
    }

    @Test(arguments: [
        #"{"score": 0}"#, #"{"score": 6}"#, #"{"score": 4.5}"#, #"{"score": "5"}"#, #"{}"#,
    ])
    func aScoreThatIsNotAWholeOneToFiveIs422(body: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (conversation, jane, _, _) = try await Self.activeConversation(api, app)
            _ = try await api.act("release", on: conversation, key: jane)
            let reply = try await Self.rate(api, conversation, body)
            #expect(reply.status == .unprocessableContent, "\(body)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "score")
        }
    }

    @Test func theOwnerSeesEachBotsRatingsWithTheirAverage() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given three released conversations of one bot, two rated 5 and 2
            let (bot, jane) = try await HandoffTimerTests.handoffBot(api, app, settings: "{}")
            var released: [JSONValue] = []
            for _ in 0..<3 {
                let conversation = try await api.startConversation(bot: bot)
                _ = try await api.escalate(conversation)
                _ = try await api.act("claim", on: conversation, key: jane)
                _ = try await api.act("release", on: conversation, key: jane)
                released.append(conversation)
            }
            _ = try await Self.rate(api, released[0], #"{"score": 5}"#)
            _ = try await Self.rate(api, released[2], #"{"score": 2, "comment": "Slow"}"#)
            // When the owner reads the bot's ratings
            let ratings = try await api.get("/api/v1/bots/\(bot)/ratings", key: app.ownerKey).json
            // Then they are the two, with their average
            #expect(ratings["count"]?.int == 2)
            #expect(ratings["average"]?.double == 3.5)
            #expect(ratings["data"]?.array?.compactMap { $0["rating"]?["score"]?.int } == [5, 2])
            // And a bot without ratings has none and no average
            let other = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let none = try await api.get("/api/v1/bots/\(other)/ratings", key: app.ownerKey).json
            #expect(none["count"]?.int == 0 && none["average"] == .null && none["data"]?.array?.isEmpty == true)
        }
    }
}
