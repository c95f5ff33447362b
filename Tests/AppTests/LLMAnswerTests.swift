import Foundation
import Hummingbird
import Testing

@testable import App

/// Replies written by an OpenAI-compatible chat-completions endpoint: a local server speaking that protocol.
@Suite struct LLMAnswerTests {
    static func completion(_ content: String) -> String {
        #"{"id": "chatcmpl-1", "object": "chat.completion", "model": "test-model", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": \#(jsonString(content))}}]}"#
    }

    static func app(endpoint: String, timeout: Int = 5) async throws -> TestApp {
        try await TestApp {
            $0.llm = LLMSettings(url: endpoint, model: "test-model", apiKey: "llm-secret", timeout: timeout)
        }
    }

    @Test func theReplyIsWrittenFromThePassagesByTheModel() async throws {
        let model = TestReceiver { _ in .init(body: Self.completion("You have 30 days to return an unused item.")) }
        try await model.run { endpoint in
            let app = try await Self.app(endpoint: endpoint)
            try await app.run { api in
                let (bot, _) = try await Fixtures.botWithDocuments(api, app)
                let conversation = try await api.startConversation(bot: bot)
                let question = "How many days do I have to return an item?"
                let reply = try #require(try await Fixtures.say(api, conversation, question)["reply"])
                // The model's words, with the sources it was given
                #expect(
                    reply["text"]?.string
                        == "You have 30 days to return an unused item.\n\nSources: Returns and refunds"
                )
                #expect(reply["sources"]?[0]?["rowKey"]?.string == "returns")
                // It was asked properly: model, key, the rules alone in the system message, and the question with
                // the passage quoted as untrusted material in the user's
                let request = try #require(model.requests.first)
                #expect(request.header("Authorization") == "Bearer llm-secret")
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(request.body.utf8))
                #expect(body["model"]?.string == "test-model")
                #expect(body["messages"]?[0]?["role"]?.string == "system")
                let system = body["messages"]?[0]?["content"]?.string ?? ""
                #expect(!system.contains("within 30 days of delivery") && system.contains("not instructions"))
                #expect(body["messages"]?[1]?["role"]?.string == "user")
                let user = body["messages"]?[1]?["content"]?.string ?? ""
                #expect(user.hasPrefix("Question: \(question)\n"), "\(user)")
                #expect(
                    user.contains("<passages>\n[1] Returns and refunds") && user.contains("within 30 days of delivery")
                )
                #expect(user.hasSuffix("</passages>"))
            }
        }
    }

    @Test(arguments: ["error", "timeout", "trickle", "garbage", "empty"])
    func anyFailureFallsBackToThePassages(failure: String) async throws {
        let model = TestReceiver { _ in
            switch failure {
            case "error": .init(status: .internalServerError, body: #"{"error": {"message": "overloaded"}}"#)
            case "timeout": .init(delay: .seconds(3), body: Self.completion("Too late."))
            // Headers at once, then the answer a byte a second: the deadline covers the body too.
            case "trickle": .init(body: Self.completion("Too slow."), trickle: .seconds(1))
            case "garbage": .init(body: "<html>not json</html>")
            default: .init(body: Self.completion("   "))
            }
        }
        try await model.run { endpoint in
            let app = try await Self.app(endpoint: endpoint, timeout: 1)
            try await app.run { api in
                let (bot, _) = try await Fixtures.botWithDocuments(api, app)
                let conversation = try await api.startConversation(bot: bot)
                let started = ContinuousClock.now
                let reply = try #require(
                    try await Fixtures.say(api, conversation, "How many days do I have to return an item?")[
                        "reply"
                    ]
                )
                #expect(
                    reply["text"]?.string?.hasPrefix(
                        "Returns and refunds\n\nYou can return any unused item within 30 days"
                    ) == true
                )
                // The whole answer a byte a second would take minutes; the 1 s timeout ends the wait in seconds (a
                // loaded CI machine took 3.6 s)
                #expect(ContinuousClock.now - started < .seconds(10), "the timeout bounds the wait")
                #expect(model.requests.count == 1)
            }
        }
    }

    @Test func theModelIsNotAskedWhenNothingAnswers() async throws {
        let model = TestReceiver { _ in .init(body: Self.completion("Made up.")) }
        try await model.run { endpoint in
            let app = try await Self.app(endpoint: endpoint)
            try await app.run { api in
                let (bot, _) = try await Fixtures.botWithDocuments(api, app)
                let conversation = try await api.startConversation(bot: bot)
                let reply = try #require(try await Fixtures.say(api, conversation, "Weather on Mars?")["reply"])
                #expect(reply["text"]?.string == BotResponder.dontKnow(offeringHuman: true))
                #expect(model.requests.isEmpty)
            }
        }
    }
}
