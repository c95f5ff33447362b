import Foundation
import Hummingbird
import Testing

@testable import App

/// Helpers that walk a conversation through the API.
extension API {
    /// A visitor starts a conversation on `bot`; returns the conversation (with its `visitorToken`).
    func startConversation(bot: String, body: String = #"{"channelType": "web"}"#) async throws -> JSONValue {
        let reply = try await post("/api/v1/public/bots/\(bot)/conversations", key: nil, json: body)
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.json
    }

    func escalate(_ conversation: JSONValue, email: String = "user@example.com") async throws -> Reply {
        try await post(
            "/api/v1/public/conversations/\(conversation["id"]!.string!)/escalate",
            key: conversation["visitorToken"]!.string!,
            json: #"{"userEmail": "\#(email)", "userData": {"plan": "pro"}}"#
        )
    }

    func act(_ action: String, on conversation: JSONValue, key: String) async throws -> Reply {
        try await request(.post, "/api/v1/conversations/\(conversation["id"]!.string!)/\(action)", key: key)
    }
}

@Suite struct ConversationTests {

    @Test func aStartForABotDeletedSinceItWasReadIsNotFoundAndStoresNothing() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a bot read for a start (the read comes before the start's transaction)
            let (botID, _) = try await Fixtures.botAndAgent(api, app)
            let bot = try await app.store.bot(id: botID, workspaceID: nil)
            // When the owner deletes it before the start is stored
            #expect(try await api.delete("/api/v1/bots/\(botID)", key: app.ownerKey).status == .noContent)
            // Then the start is refused as a 404, not a 500, and no conversation is left
            let error = await #expect(throws: AppError.self) {
                try await app.store.startConversation(bot: bot, NewConversation(channelType: "web"), reply: nil)
            }
            #expect(error?.status == .notFound)
            #expect(try await app.store.conversationCountsByState().reduce(0) { $0 + $1.1 } == 0)
        }
    }

    @Test func aVisitorStartsAConversationAndGetsATokenForIt() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let conversation = try await api.startConversation(
                bot: bot,
                body: #"{"channelType": "web", "initialMessage": "Opening times?", "userData": {"page": "/"}}"#
            )
            #expect(conversation["state"]?.string == "Bot")
            #expect(conversation["channelType"]?.string == "web")
            #expect(conversation["visitorToken"]?.string?.hasPrefix("vt_") == true)
            #expect(conversation["claimedBy"] == .null && conversation["escalatedAt"] == .null)
            #expect(conversation["userData"]?["page"]?.string == "/")
            // The visitor reads it back with the token, first message included
            let view = try await api.get(
                "/api/v1/public/conversations/\(conversation["id"]!.string!)",
                key: conversation["visitorToken"]!.string!
            ).json
            #expect(view["messages"]?[0]?["role"]?.string == "user")
            #expect(view["messages"]?[0]?["text"]?.string == "Opening times?")
            #expect(view["visitorToken"] == nil)
        }
    }

    @Test(arguments: [
        (#"{"channelType": "slack"}"#, "channelType"), (#"{"initialMessage": ""}"#, "initialMessage"),
        (#"{"userData": [1]}"#, "userData"), (#"{"channelType": 3}"#, "channelType"),
    ])
    func invalidStartsAre422(body: String, field: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let reply = try await api.post("/api/v1/public/bots/\(bot)/conversations", key: nil, json: body)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == field)
        }
    }

    @Test func startingOnAnUnknownBotIs404() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.post(
                "/api/v1/public/bots/\(UUID().uuidString.lowercased())/conversations",
                key: nil,
                json: "{}"
            )
            #expect(reply.status == .notFound)
        }
    }

    @Test func anOwnerIntegrationStartsOnAnotherChannelWhereEscalationIsUnavailable() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let reply = try await api.post(
                "/api/v1/bots/\(bot)/conversations",
                key: app.ownerKey,
                json: #"{"channelType": "slack"}"#
            )
            #expect(reply.status == .created)
            let conversation = try reply.json
            #expect(conversation["channelType"]?.string == "slack")
            let escalation = try await api.escalate(conversation)
            #expect(escalation.status == .conflict)
            #expect(escalation.errorCode == "escalation_unavailable")
        }
    }

    @Test func escalationNeedsHumanTakeoverOnTheBot() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app, takeover: false)
            let reply = try await api.escalate(try await api.startConversation(bot: bot))
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == "escalation_unavailable")
            #expect(try reply.json["error"]?["details"]?["reason"]?.string?.contains("human takeover") == true)
        }
    }

    @Test func escalationNeedsAValidEmail() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let reply = try await api.escalate(try await api.startConversation(bot: bot), email: "nope")
            #expect(reply.status == .unprocessableContent)
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "userEmail")
        }
    }

    @Test func everyTransitionOfTheTableThroughTheAPI() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, agent) = try await Fixtures.botAndAgent(api, app)
            let conversation = try await api.startConversation(bot: bot)
            func expectRefused(_ reply: API.Reply, from: String, to: String, allowed: [String]) throws {
                #expect(reply.status == .conflict, "\(reply.text)")
                #expect(reply.errorCode == "invalid_transition")
                let details = try reply.json["error"]?["details"]
                #expect(details?["from"]?.string == from && details?["to"]?.string == to)
                #expect(details?["allowed"] == .array(allowed.map(JSONValue.string)))
            }
            // Bot: only escalate
            try expectRefused(
                try await api.act("claim", on: conversation, key: agent),
                from: "Bot",
                to: "Active",
                allowed: ["Escalated"]
            )
            try expectRefused(
                try await api.act("release", on: conversation, key: agent),
                from: "Bot",
                to: "Resolved",
                allowed: ["Escalated"]
            )
            #expect(try await api.escalate(conversation).json["state"]?.string == "Escalated")
            // Escalated: only claim
            try expectRefused(
                try await api.escalate(conversation),
                from: "Escalated",
                to: "Escalated",
                allowed: ["Active"]
            )
            try expectRefused(
                try await api.act("release", on: conversation, key: agent),
                from: "Escalated",
                to: "Resolved",
                allowed: ["Active"]
            )
            let claimed = try await api.act("claim", on: conversation, key: agent).json
            #expect(claimed["state"]?.string == "Active")
            #expect(claimed["claimedBy"]?["name"]?.string == "Jane")
            // Active: only release
            try expectRefused(
                try await api.escalate(conversation),
                from: "Active",
                to: "Escalated",
                allowed: ["Resolved"]
            )
            try expectRefused(
                try await api.act("claim", on: conversation, key: agent),
                from: "Active",
                to: "Active",
                allowed: ["Resolved"]
            )
            let released = try await api.act("release", on: conversation, key: agent).json
            #expect(released["state"]?.string == "Resolved")
            #expect(released["resolvedAt"]?.string != nil)
            // Resolved: escalate again
            try expectRefused(
                try await api.act("claim", on: conversation, key: agent),
                from: "Resolved",
                to: "Active",
                allowed: ["Escalated"]
            )
            try expectRefused(
                try await api.act("release", on: conversation, key: agent),
                from: "Resolved",
                to: "Resolved",
                allowed: ["Escalated"]
            )
            #expect(try await api.escalate(conversation).json["state"]?.string == "Escalated")
        }
    }

    @Test func ofTwentyConcurrentClaimsExactlyOneWins() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            var agents: [String] = []
            for index in 0..<20 {
                agents.append(
                    try await api.createAgent(
                        name: "Agent \(index)",
                        email: "a\(index)@example.com",
                        key: app.ownerKey
                    )["token"]!.string!
                )
            }
            let conversation = try await api.startConversation(bot: bot)
            _ = try await api.escalate(conversation)
            // When twenty agents claim at once
            let replies = try await withThrowingTaskGroup(of: API.Reply.self) { group in
                for agent in agents { group.addTask { try await api.act("claim", on: conversation, key: agent) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Then one wins and nineteen are told who has it
            var winners: [API.Reply] = []
            var losers: [API.Reply] = []
            for reply in replies {
                if reply.status.code == 200 { winners.append(reply) }
                if reply.status.code == 409 { losers.append(reply) }
            }
            #expect(winners.count == 1)
            #expect(losers.count == 19)
            let winner = try winners.first?.json["claimedBy"]?["name"]?.string
            for loser in losers {
                #expect(try loser.json["error"]?["details"]?["claimedBy"]?["name"]?.string == winner)
            }
        }
    }

    @Test func onlyTheClaimingAgentMayReplyOrRelease() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, jane) = try await Fixtures.botAndAgent(api, app)
            let other = try await api.createAgent(name: "Max", email: "max@example.com", key: app.ownerKey)["token"]!
                .string!
            let conversation = try await api.startConversation(bot: bot)
            _ = try await api.escalate(conversation)
            _ = try await api.act("claim", on: conversation, key: jane)
            let path = "/api/v1/conversations/\(conversation["id"]!.string!)"
            let reply = try await api.post("\(path)/messages", key: other, json: #"{"text": "Hi, Max here"}"#)
            #expect(reply.status == .forbidden)
            #expect(reply.errorCode == "not_claiming_agent")
            let release = try await api.act("release", on: conversation, key: other)
            #expect(release.status == .forbidden)
            // The claimer can, and the visitor sees the reply
            let posted = try await api.post("\(path)/messages", key: jane, json: #"{"text": "Hi, Jane here"}"#)
            #expect(posted.status == .created)
            #expect(try posted.json["agent"]?["name"]?.string == "Jane")
            let transcript = try await api.get(
                "/api/v1/public/conversations/\(conversation["id"]!.string!)/messages",
                key: conversation["visitorToken"]!.string!
            ).json
            #expect(transcript["data"]?.array?.last?["role"]?.string == "agent")
        }
    }

    @Test func anOwnerMayReleaseButNotClaim() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, agent) = try await Fixtures.botAndAgent(api, app)
            let conversation = try await api.startConversation(bot: bot)
            _ = try await api.escalate(conversation)
            #expect(try await api.act("claim", on: conversation, key: app.ownerKey).status == .forbidden)
            _ = try await api.act("claim", on: conversation, key: agent)
            let released = try await api.act("release", on: conversation, key: app.ownerKey)
            #expect(released.status == .ok)
            #expect(try released.json["state"]?.string == "Resolved")
        }
    }

    @Test func agentsReplyOnlyWhileActive() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, agent) = try await Fixtures.botAndAgent(api, app)
            let conversation = try await api.startConversation(bot: bot)
            let reply = try await api.post(
                "/api/v1/conversations/\(conversation["id"]!.string!)/messages",
                key: agent,
                json: #"{"text": "Hi"}"#
            )
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == "conversation_not_active")
        }
    }

    @Test func aForgedVisitorTokenIs401AndAnotherConversationsIs404() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let mine = try await api.startConversation(bot: bot)
            let theirs = try await api.startConversation(bot: bot)
            let path = "/api/v1/public/conversations/\(mine["id"]!.string!)"
            #expect(try await api.get(path, key: "vt_forged0000000000000000000000").status == .unauthorized)
            #expect(try await api.get(path, key: nil).status == .unauthorized)
            #expect(try await api.get(path, key: app.ownerKey).status == .unauthorized)
            let foreign = try await api.post(
                "\(path)/messages",
                key: theirs["visitorToken"]!.string!,
                json: #"{"text": "x"}"#
            )
            #expect(foreign.status == .notFound)
        }
    }

    @Test(arguments: [
        #"{"text": ""}"#, #"{"text": "   "}"#, "{\"text\": \"\(String(repeating: "a", count: 10_001))\"}", "{}",
    ])
    func invalidMessagesAre422(body: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let conversation = try await api.startConversation(bot: bot)
            let reply = try await api.post(
                "/api/v1/public/conversations/\(conversation["id"]!.string!)/messages",
                key: conversation["visitorToken"]!.string!,
                json: body
            )
            #expect(reply.status == .unprocessableContent)
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "text")
        }
    }

    @Test func transcriptsPageInOrder() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let conversation = try await api.startConversation(bot: bot)
            let base = "/api/v1/public/conversations/\(conversation["id"]!.string!)/messages"
            let token = conversation["visitorToken"]!.string!
            for index in 0..<5 { _ = try await api.post(base, key: token, json: #"{"text": "m\#(index)"}"#) }
            var texts: [String] = []
            var cursor: String?
            repeat {
                let page = try await api.get(base + "?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), key: token)
                    .json
                texts += page["data"]?.array?.compactMap { $0["text"]?.string } ?? []
                cursor = page["nextCursor"]?.string
            } while cursor != nil
            // (each visitor message followed by the bot's reply: it has no documents, so it does not know)
            #expect(
                texts.enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element) == [
                    "m0", "m1", "m2", "m3", "m4",
                ]
            )
            #expect(texts.count == 10 && texts[1].hasPrefix("Sorry, I don't know"))
            // Staff read the same transcript
            let staff = try await api.get(
                "/api/v1/conversations/\(conversation["id"]!.string!)/messages",
                key: app.ownerKey
            ).json
            #expect(staff["data"]?.array?.count == 10)
            #expect(try await api.get(base + "?cursor=bad", key: token).status == .badRequest)
        }
    }

    @Test func theQueueListsEscalatedConversationsOldestFirst() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, agent) = try await Fixtures.botAndAgent(api, app)
            let (otherBot, _) = try await Fixtures.botAndAgent(api, app)
            let first = try await api.startConversation(bot: bot)
            let second = try await api.startConversation(bot: bot)
            let elsewhere = try await api.startConversation(bot: otherBot)
            _ = try await api.startConversation(bot: bot)  // stays with the bot
            for conversation in [first, second, elsewhere] { _ = try await api.escalate(conversation) }
            let queue = try await api.get("/api/v1/conversations?state=Escalated&botId=\(bot)", key: agent).json
            #expect(queue["data"]?.array?.map { $0["id"] } == [first["id"], second["id"]])
            #expect(try await api.get("/api/v1/conversations?state=Lost", key: agent).status == .badRequest)
            let one = try await api.get("/api/v1/conversations/\(first["id"]!.string!)", key: agent).json
            #expect(one["userEmail"]?.string == "user@example.com")
        }
    }

    @Test func anotherWorkspacesAgentCannotSeeOrClaim() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let outsider = try await api.createAgent(key: app.otherOwnerKey)["token"]!.string!
            let conversation = try await api.startConversation(bot: bot)
            _ = try await api.escalate(conversation)
            #expect(try await api.act("claim", on: conversation, key: outsider).status == .notFound)
            #expect(
                try await api.get("/api/v1/conversations/\(conversation["id"]!.string!)", key: outsider).status
                    == .notFound
            )
            #expect(
                try await api.get("/api/v1/conversations?state=Escalated", key: outsider).json["data"] == .array([])
            )
        }
    }

    @Test func publicRoutesAreRateLimitedPerClientWithRetryAfter() async throws {
        let app = try await TestApp { $0.visitorRateLimit = 3 }
        try await app.runLive { api, base in
            // Given a bot, and one client that has started its minute's worth of conversations
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let start = base + "/api/v1/public/bots/\(bot)/conversations"
            let (first, second) = (LoopbackClient(address: "127.0.0.2"), LoopbackClient(address: "127.0.0.3"))
            for _ in 0..<3 { #expect(try await first.post(start, json: "{}").status == 201) }
            // When it starts one more, and another client starts one
            let limited = try await first.post(start, json: "{}")
            let other = try await second.post(start, json: "{}")
            // Then the first is told when to come back, and the other is not held up by it
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
            #expect(other.status == 201)
        }
    }

    @Test func publicRoutesAreRateLimitedPerBot() async throws {
        let app = try await TestApp { $0.botRateLimit = 2 }
        try await app.run { api in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let (otherBot, _) = try await Fixtures.botAndAgent(api, app)
            for _ in 0..<2 { _ = try await api.startConversation(bot: bot) }
            #expect(
                try await api.post("/api/v1/public/bots/\(bot)/conversations", key: nil, json: "{}").status
                    == .tooManyRequests
            )
            #expect(
                try await api.post("/api/v1/public/bots/\(otherBot)/conversations", key: nil, json: "{}").status
                    == .created
            )
        }
    }
}
