import Foundation
import Testing

@testable import App

/// Typing indicators over the event streams (DESIGN.md §4, "Typing"): not stored, rate limited, across instances.
@Suite(.timeLimit(.minutes(1))) struct TypingTests {
    /// The next `typing` event of `stream`, other events skipped.
    static func nextTyping(_ stream: EventStreamReader) async throws -> JSONValue? {
        while let frame = try await stream.nextEvent() {
            if frame.event == "typing" { return try frame.json }
        }
        return nil
    }

    static func typing(_ api: API, _ path: String, key: String, _ json: String? = nil) async throws -> API.Reply {
        try await api.request(.post, path, key: key, body: json)
    }

    static func visitorPath(_ conversation: JSONValue) -> String {
        "/api/v1/public/conversations/\(conversation["id"]!.string!)"
    }

    @Test func theVisitorAndTheClaimingAgentSeeEachOtherType() async throws {
        let app = try await TestApp()
        try await app.runLive { api, base in
            // Given Jane's active conversation, her inbox stream and the visitor's stream
            let (bot, jane) = try await Fixtures.botAndAgent(api, app)
            let conversation = try await api.startConversation(bot: bot)
            _ = try await api.escalate(conversation)
            _ = try await api.act("claim", on: conversation, key: jane)
            let inbox = try await EventStreamReader(url: "\(base)/api/v1/events", token: jane)
            let widget = try await EventStreamReader(
                url: base + Self.visitorPath(conversation) + "/events",
                token: conversation["visitorToken"]!.string!
            )
            // When the visitor types
            let visitorTyped = try await Self.typing(
                api,
                Self.visitorPath(conversation) + "/typing",
                key: conversation["visitorToken"]!.string!
            )
            #expect(visitorTyped.status == .noContent)
            // Then Jane's inbox shows it
            let seen = try #require(try await Self.nextTyping(inbox))
            #expect(seen == ["conversationId": .string(conversation["id"]!.string!), "role": "user", "typing": true])
            // When Jane types, then stops
            let path = HandoffTimerTests.conversationPath(conversation) + "/typing"
            #expect(try await Self.typing(api, path, key: jane).status == .noContent)
            #expect(try await Self.typing(api, path, key: jane, #"{"typing": false}"#).status == .noContent)
            // Then the visitor sees her by name, typing and then not (and never their own typing)
            let started = try #require(try await Self.nextTyping(widget))
            #expect(started["role"]?.string == "agent" && started["name"]?.string == "Jane")
            #expect(started["typing"]?.bool == true)
            #expect(try await Self.nextTyping(widget)?["typing"]?.bool == false)
        }
    }

    @Test func onlyTheClaimingAgentOfAnActiveConversationIndicatesTyping() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, jane) = try await Fixtures.botAndAgent(api, app)
            let bob = try await api.createAgent(name: "Bob", email: "bob@example.com", key: app.ownerKey)["token"]!
                .string!
            let conversation = try await api.startConversation(bot: bot)
            let path = HandoffTimerTests.conversationPath(conversation) + "/typing"
            // Before anyone has it: 409
            #expect(try await Self.typing(api, path, key: jane).status == .conflict)
            _ = try await api.escalate(conversation)
            _ = try await api.act("claim", on: conversation, key: jane)
            // Another agent: 403
            #expect(try await Self.typing(api, path, key: bob).status == .forbidden)
            // A body that is not a boolean: 422
            #expect(try await Self.typing(api, path, key: jane, #"{"typing": "yes"}"#).status == .unprocessableContent)
        }
    }

    @Test func typingIsRateLimitedPerConversation() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let conversation = try await api.startConversation(bot: bot)
            let path = Self.visitorPath(conversation) + "/typing"
            let token = conversation["visitorToken"]!.string!
            // When a widget sends typing on every keystroke
            let started = ContinuousClock.now
            var statuses: [Int] = []
            for _ in 0..<12 { statuses.append(try await Self.typing(api, path, key: token).status.code) }
            let seconds = Int((ContinuousClock.now - started).seconds.rounded(.up))
            // Then five go through at once, one a second after that, and the rest are told to wait
            #expect(statuses.prefix(5).allSatisfy { $0 == 204 })
            #expect(statuses.count { $0 == 204 } <= 5 + seconds)
            #expect(statuses.contains(429) && statuses.allSatisfy { $0 == 204 || $0 == 429 })
        }
    }

    @Test func theVisitorSeesTheBotWritingWhileTheModelDrafts() async throws {
        let model = TestReceiver { _ in
            .init(delay: .milliseconds(300), body: LLMAnswerTests.completion("You have 30 days."))
        }
        try await model.run { endpoint in
            let app = try await LLMAnswerTests.app(endpoint: endpoint)
            try await app.runLive { api, base in
                // Given a bot with documents and a language model, and a visitor watching their conversation
                let (bot, _) = try await Fixtures.botWithDocuments(api, app)
                let conversation = try await api.startConversation(bot: bot)
                let widget = try await EventStreamReader(
                    url: base + Self.visitorPath(conversation) + "/events",
                    token: conversation["visitorToken"]!.string!
                )
                #expect(try await widget.nextEvent()?.event == "ready")
                // When they ask something
                async let said = Fixtures.say(api, conversation, "How many days do I have to return an item?")
                // Then the bot is shown writing, then not, then its answer arrives
                var events: [String] = []
                while events.count < 4, let frame = try await widget.nextEvent() {
                    switch frame.event {
                    case "typing": events.append("bot typing \(try frame.json["typing"]!.bool!)")
                    case "message": events.append("\(try frame.json["message"]!["role"]!.string!) message")
                    default: continue
                    }
                }
                #expect(events == ["bot typing true", "bot typing false", "user message", "bot message"])
                _ = try await said
            }
        }
    }

    @Test(.enabled(if: TestStore.isPostgres, "several instances share a PostgreSQL database"))
    func anAgentOnOneInstanceSeesAVisitorTypeThroughAnother() async throws {
        let first = try await TestApp()
        let second = try first.anotherInstance()
        try await first.runLive { firstAPI, firstBase in
            try await second.run { secondAPI in
                let (bot, jane) = try await Fixtures.botAndAgent(firstAPI, first)
                let conversation = try await firstAPI.startConversation(bot: bot)
                let inbox = try await EventStreamReader(url: "\(firstBase)/api/v1/events", token: jane)
                #expect(try await inbox.nextEvent()?.event == "ready")
                // When the visitor types through the second instance
                let reply = try await Self.typing(
                    secondAPI,
                    Self.visitorPath(conversation) + "/typing",
                    key: conversation["visitorToken"]!.string!
                )
                #expect(reply.status == .noContent)
                // Then the agent watching the first sees it
                #expect(try await Self.nextTyping(inbox)?["role"]?.string == "user")
            }
        }
    }
}
