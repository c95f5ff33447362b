import Foundation
import Testing

@testable import App

/// A full lifecycle delivers the four conversation hooks with bodies keyed exactly as the reference
/// (`shared/reference/001_0853b0092a8e0cba.txt`): every key of the reference example, nested alike, same types.
@Suite struct ConversationHookTests {
    /// The reference examples, verbatim.
    static let reference: [String: String] = [
        "conversation.started": #"""
        {"event": "conversation.started", "timestamp": "2026-03-10T12:00:00.000Z",
         "conversation": {"id": "abc-123", "botId": "def-456", "botName": "My Bot", "channelType": "web",
                          "initialMessage": "What are your opening times?", "createdAt": "2026-03-10T12:00:00.000Z"}}
        """#,
        "conversation.escalated": #"""
        {"event": "conversation.escalated", "timestamp": "2026-03-10T12:05:00.000Z",
         "conversation": {"id": "abc-123", "botId": "def-456", "botName": "My Bot", "channelType": "web",
                          "state": "Escalated", "userData": {}},
         "userEmail": "user@example.com"}
        """#,
        "conversation.claimed": #"""
        {"event": "conversation.claimed", "timestamp": "2026-03-10T12:10:00.000Z",
         "conversation": {"id": "abc-123", "botId": "def-456", "botName": "My Bot", "channelType": "web",
                          "state": "Active"},
         "agent": {"name": "Jane", "email": "jane@example.com"}}
        """#,
        "conversation.released": #"""
        {"event": "conversation.released", "timestamp": "2026-03-10T12:15:00.000Z",
         "conversation": {"id": "abc-123", "botId": "def-456", "botName": "My Bot", "channelType": "web",
                          "state": "Resolved"},
         "agent": {"name": "Jane"}}
        """#,
    ]

    /// Every key of `expected` is in `actual` with a value of the same kind, recursively.
    static func sameShape(_ expected: JSONValue, _ actual: JSONValue, path: String = "") -> [String] {
        switch (expected, actual) {
        case (.object(let expected), .object(let actual)):
            return expected.flatMap { key, value in
                guard let other = actual[key] else { return ["\(path).\(key) is missing"] }
                return sameShape(value, other, path: "\(path).\(key)")
            }
        case (.string, .string), (.number, .number), (.bool, .bool), (.array, .array), (.null, .null):
            return []
        default:
            return ["\(path) is \(actual), expected a value like \(expected)"]
        }
    }

    @Test func aFullLifecycleDeliversTheFourHooksShapedAsTheReference() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given a bot "My Bot" with a hook for each conversation event, and agent Jane
                let bot = try await api.createBot(name: "My Bot", humanTakeoverEnabled: true, key: app.ownerKey)["id"]!
                    .string!
                for type in [
                    "conversation.started", "conversation.escalated", "conversation.claimed", "conversation.released",
                ] {
                    let reply = try await api.post(
                        "/api/v1/bots/\(bot)/hooks",
                        key: app.ownerKey,
                        json: #"{"type": "\#(type)", "targetUrl": "\#(target)"}"#
                    )
                    #expect(reply.status == .created)
                }
                let jane = try await api.createAgent(name: "Jane", email: "jane@example.com", key: app.ownerKey)[
                    "token"
                ]!.string!
                // When a visitor starts, escalates, Jane claims and releases
                let conversation = try await api.startConversation(
                    bot: bot,
                    body: #"{"channelType": "web", "initialMessage": "What are your opening times?"}"#
                )
                let escalated = try await api.post(
                    "/api/v1/public/conversations/\(conversation["id"]!.string!)/escalate",
                    key: conversation["visitorToken"]!.string!,
                    json: #"{"userEmail": "user@example.com"}"#
                )
                #expect(escalated.status == .ok)
                #expect(try await api.act("claim", on: conversation, key: jane).status == .ok)
                #expect(try await api.act("release", on: conversation, key: jane).status == .ok)

                // Then the receiver has the four events, each shaped as the reference
                let requests = try await receiver.waitForRequests(4)
                var bodies: [String: JSONValue] = [:]
                for request in requests {
                    bodies[request.header("X-Switchboard-Event") ?? ""] = try JSONDecoder().decode(
                        JSONValue.self,
                        from: Data(request.body.utf8)
                    )
                }
                for (event, example) in Self.reference {
                    let expected = try JSONDecoder().decode(JSONValue.self, from: Data(example.utf8))
                    let body = try #require(bodies[event], "no \(event) delivered")
                    #expect(Self.sameShape(expected, body).isEmpty, "\(event): \(Self.sameShape(expected, body))")
                    #expect(body["event"]?.string == event)
                    #expect(body["conversation"]?["id"] == conversation["id"])
                    #expect(body["conversation"]?["botId"]?.string == bot)
                    #expect(body["conversation"]?["botName"]?.string == "My Bot")
                    #expect(body["conversation"]?["channelType"]?.string == "web")
                    #expect(body["timestamp"]?.string?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
                }
                #expect(
                    bodies["conversation.started"]?["conversation"]?["initialMessage"]?.string
                        == "What are your opening times?"
                )
                #expect(bodies["conversation.escalated"]?["conversation"]?["state"]?.string == "Escalated")
                #expect(bodies["conversation.escalated"]?["conversation"]?["userData"] == .object([:]))
                #expect(bodies["conversation.escalated"]?["userEmail"]?.string == "user@example.com")
                #expect(bodies["conversation.claimed"]?["conversation"]?["state"]?.string == "Active")
                #expect(
                    bodies["conversation.claimed"]?["agent"]
                        == .object(["name": .string("Jane"), "email": .string("jane@example.com")])
                )
                #expect(bodies["conversation.released"]?["conversation"]?["state"]?.string == "Resolved")
                #expect(bodies["conversation.released"]?["agent"] == .object(["name": .string("Jane")]))

                // And the metrics saw it
                let metrics = try await api.get("/metrics", key: nil).text
                for transition in ["start", "escalate", "claim", "release"] {
                    #expect(metrics.contains(#"conversation_transitions_total{transition="\#(transition)"} 1"#))
                }
                #expect(metrics.contains(#"conversations{state="Resolved"} 1"#))
                #expect(metrics.contains("conversation_escalation_to_claim_seconds_count 1"))
            }
        }
    }

    @Test func theStartedHookOmitsAnInitialMessageThatWasNotGiven() async throws {
        let conversation = Conversation(
            id: "c",
            workspaceId: "w",
            botId: "b",
            state: .bot,
            channelType: "web",
            initialMessage: nil,
            userEmail: nil,
            userData: nil,
            claimedByAgentId: nil,
            claimedByName: nil,
            claimedByEmail: nil,
            visitorTokenHash: "h",
            escalatedAt: nil,
            claimedAt: nil,
            resolvedAt: nil,
            eventSequence: 1,
            createdAt: .now(),
            updatedAt: .now()
        )
        let body = try JSONDecoder().decode(
            JSONValue.self,
            from: HookEvent.conversationStarted(conversation, botName: "My Bot")
        )
        #expect(body["conversation"]?.keys == ["id", "botId", "botName", "channelType", "createdAt"])
    }

    @Test func everyUserBotAndAgentMessageIsDeliveredToConversationMessageHooks() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given a bot with documents, a conversation.message hook, and agent Jane
                let (bot, _) = try await Fixtures.botWithDocuments(api, app)
                let hook = try await api.post(
                    "/api/v1/bots/\(bot)/hooks",
                    key: app.ownerKey,
                    json: #"{"type": "conversation.message", "targetUrl": "\#(target)"}"#
                )
                #expect(hook.status == .created)
                let jane = try await api.createAgent(name: "Jane", email: "jane@example.com", key: app.ownerKey)[
                    "token"
                ]!.string!
                // When the visitor asks (the bot answers), escalates, and Jane replies
                let conversation = try await api.startConversation(bot: bot)
                _ = try await Fixtures.say(api, conversation, "Is there a store in Munich?")
                #expect(try await api.escalate(conversation).status == .ok)
                #expect(try await api.act("claim", on: conversation, key: jane).status == .ok)
                let reply = try await api.post(
                    "/api/v1/conversations/\(conversation["id"]!.string!)/messages",
                    key: jane,
                    json: #"{"text": "Yes, in the city centre."}"#
                )
                #expect(reply.status == .created)
                // Then the hook gets the three messages as the API shows them
                let requests = try await receiver.waitForRequests(3)
                #expect(requests.count == 3)
                // (deliveries run concurrently, so they are matched by role, not by arrival)
                let bodies = try requests.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.body.utf8)) }
                let byRole = Dictionary(bodies.map { ($0["message"]?["role"]?.string ?? "", $0) }) { first, _ in first }
                #expect(Set(byRole.keys) == ["user", "bot", "agent"])
                #expect(bodies.allSatisfy { $0["event"]?.string == "conversation.message" && $0["timestamp"] != nil })
                #expect(bodies.allSatisfy { $0["conversation"]?["id"] == conversation["id"] })
                #expect(byRole["user"]?["conversation"]?["botName"]?.string == "Help bot")
                #expect(byRole["user"]?["message"]?["text"]?.string == "Is there a store in Munich?")
                #expect(byRole["bot"]?["message"]?["sources"]?[0]?["rowKey"]?.string == "stores")
                #expect(byRole["agent"]?["message"]?["agent"]?["name"]?.string == "Jane")
                #expect(byRole["agent"]?["conversation"]?["state"]?.string == "Active")
                #expect(requests.allSatisfy { $0.header("X-Switchboard-Event") == "conversation.message" })
            }
        }
    }
}
