import Foundation
import Hummingbird
import Testing

@testable import App

/// Live updates over Server-Sent Events, read over a real socket as the console's pages read them.
@Suite struct EventStreamTests {
    @Test func anAgentStreamSeesItsWorkspacesConversationsChangeAndTheirMessages() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            let (bot, agent) = try await Fixtures.botAndAgent(api, app)
            let otherBot = try await api.createBot(key: app.otherOwnerKey)["id"]!.string!
            // Given an agent listening
            let stream = try await EventStreamReader(url: "\(base)/api/v1/events", token: agent)
            #expect(stream.status == .ok)
            #expect(stream.headers["Content-Type"].first == "text/event-stream")
            #expect(try await stream.nextEvent()?.event == "ready")
            // When another workspace's visitor starts, and one of ours starts, writes, escalates and is claimed and answered
            _ = try await api.startConversation(bot: otherBot)
            let conversation = try await api.startConversation(bot: bot)
            let id = conversation["id"]!.string!
            _ = try await api.post(
                "/api/v1/public/conversations/\(id)/messages",
                key: conversation["visitorToken"]!.string!,
                json: #"{"text": "Where is my order?"}"#
            )
            _ = try await api.escalate(conversation)
            _ = try await api.act("claim", on: conversation, key: agent)
            _ = try await api.post(
                "/api/v1/conversations/\(id)/messages",
                key: agent,
                json: #"{"text": "On its way."}"#
            )
            // Then the stream has exactly ours, in order (the bot, with no documents, does not know)
            var seen: [String] = []
            for _ in 0..<6 {
                let frame = try #require(try await stream.nextEvent())
                let data = try frame.json
                switch frame.event {
                case "conversation":
                    #expect(data["id"]?.string == id)
                    seen.append(data["state"]!.string!)
                case "message":
                    #expect(data["conversationId"]?.string == id)
                    seen.append("\(data["message"]!["role"]!.string!): \(data["message"]!["text"]!.string!)")
                default: Issue.record("unexpected \(frame)")
                }
            }
            #expect(
                seen == [
                    "Bot", "user: Where is my order?", "bot: \(BotResponder.dontKnow(offeringHuman: true))",
                    "Escalated",
                    "Active", "agent: On its way.",
                ]
            )
        }
    }

    @Test func aVisitorStreamSeesOnlyItsOwnConversation() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            let (bot, agent) = try await Fixtures.botAndAgent(api, app)
            let mine = try await api.startConversation(bot: bot)
            let theirs = try await api.startConversation(bot: bot)
            let id = mine["id"]!.string!
            let stream = try await EventStreamReader(
                url: "\(base)/api/v1/public/conversations/\(id)/events",
                token: mine["visitorToken"]!.string!
            )
            #expect(try await stream.nextEvent()?.event == "ready")
            // When the other conversation is escalated, then ours, and an agent joins ours
            _ = try await api.escalate(theirs)
            _ = try await api.escalate(mine)
            _ = try await api.act("claim", on: mine, key: agent)
            // Then only ours arrives: escalated, then claimed by the agent
            let escalated = try #require(try await stream.nextEvent())
            #expect(try escalated.json["id"]?.string == id && escalated.json["state"]?.string == "Escalated")
            let claimed = try #require(try await stream.nextEvent())
            #expect(try claimed.json["state"]?.string == "Active")
            #expect(try claimed.json["claimedBy"]?["name"]?.string == "Jane")
        }
    }

    @Test func aVisitorSeesTheAgentsNameButNeverTheirEmailOrIdWhileStaffSeeAll() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            // Given a visitor listening to their conversation, and an agent listening to the workspace
            let (bot, agent) = try await Fixtures.botAndAgent(api, app)
            let conversation = try await api.startConversation(bot: bot)
            let id = conversation["id"]!.string!
            let visitorToken = conversation["visitorToken"]!.string!
            let visitorStream = try await EventStreamReader(
                url: "\(base)/api/v1/public/conversations/\(id)/events",
                token: visitorToken
            )
            let staffStream = try await EventStreamReader(url: "\(base)/api/v1/events", token: agent)
            #expect(try await visitorStream.nextEvent()?.event == "ready")
            #expect(try await staffStream.nextEvent()?.event == "ready")
            // When it is escalated, claimed and answered by the agent
            _ = try await api.escalate(conversation)
            _ = try await api.act("claim", on: conversation, key: agent)
            _ = try await api.post("/api/v1/conversations/\(id)/messages", key: agent, json: #"{"text": "Hello!"}"#)
            // Then every view the visitor has names the agent and nothing more
            #expect(try await visitorStream.nextEvent()?.json["state"]?.string == "Escalated")
            let claimed = try #require(try await visitorStream.nextEvent())
            #expect(try claimed.json["claimedBy"] == .object(["name": .string("Jane")]), "\(claimed)")
            let message = try #require(try await visitorStream.nextEvent())
            #expect(try message.json["message"]?["agent"] == .object(["name": .string("Jane")]), "\(message)")
            let visitorView = try await api.get("/api/v1/public/conversations/\(id)", key: visitorToken).json
            #expect(visitorView["claimedBy"] == .object(["name": .string("Jane")]))
            let transcript = try await api.get("/api/v1/public/conversations/\(id)/messages", key: visitorToken).json
            let agentMessage = transcript["data"]?.array?.first { $0["role"]?.string == "agent" }
            #expect(agentMessage?["agent"] == .object(["name": .string("Jane")]))
            #expect(!"\(visitorView)\(transcript)".contains("jane@example.com"))
            // And staff see the agent's id and email
            let staffView = try await api.get("/api/v1/conversations/\(id)", key: agent).json
            #expect(staffView["claimedBy"]?["email"]?.string?.contains("@") == true)
            #expect(staffView["claimedBy"]?["id"]?.string?.isEmpty == false)
            #expect(try await staffStream.nextEvent()?.json["state"]?.string == "Escalated")
            let staffClaimed = try #require(try await staffStream.nextEvent())
            #expect(try staffClaimed.json["claimedBy"]?["email"]?.string?.contains("@") == true)
        }
    }

    @Test func aQuietStreamSendsHeartbeats() async throws {
        let app = try await TestApp { $0.eventHeartbeatInterval = .milliseconds(100) }
        try await app.runLive { api, base in
            let (_, agent) = try await Fixtures.botAndAgent(api, app)
            let stream = try await EventStreamReader(url: "\(base)/api/v1/events", token: agent)
            #expect(try await stream.next()?.event == "ready")
            #expect(try await stream.next()?.comment == "heartbeat")
            #expect(try await stream.next()?.comment == "heartbeat")
        }
    }

    @Test func streamsNeedTheCredentialOfTheirRoutes() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            let (bot, _) = try await Fixtures.botAndAgent(api, app)
            let mine = try await api.startConversation(bot: bot)
            let theirs = try await api.startConversation(bot: bot)
            let none = try await EventStreamReader(url: "\(base)/api/v1/events", token: nil)
            #expect(none.status == .unauthorized)
            let wrongConversation = try await EventStreamReader(
                url: "\(base)/api/v1/public/conversations/\(mine["id"]!.string!)/events",
                token: theirs["visitorToken"]!.string!
            )
            #expect(wrongConversation.status == .notFound)
        }
    }

    @Test func anOpenStreamEndsWhenTheServerStops() async throws {
        let app = try await TestApp()
        let stream = try await app.runLive { api, base in
            let (_, agent) = try await Fixtures.botAndAgent(api, app)
            let stream = try await EventStreamReader(url: "\(base)/api/v1/events", token: agent, deadline: .seconds(30))
            #expect(try await stream.nextEvent()?.event == "ready")
            return UncheckedBox(stream)
        }
        // The server stopped (runLive returned) instead of waiting for the open stream, and the stream ended
        #expect(try await stream.value.next() == nil)
    }
}

/// Carries a reader out of the closure that opened it (it is used by one task at a time).
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
