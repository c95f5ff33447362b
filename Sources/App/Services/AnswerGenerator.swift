import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Writes a bot's reply from the passages retrieval found, with an OpenAI-compatible chat-completions
/// endpoint (`--llm-url`, `--llm-model`, `--llm-api-key`). Any failure is thrown: the caller falls back to
/// the passages themselves.
struct AnswerGenerator: Sendable {
    let client: HTTPClient
    let endpoint: String
    let model: String
    let apiKey: String?
    let timeout: Duration

    /// The largest answer read from the endpoint.
    static let responseLimit = 1 << 20

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func answer(question: String, passages: [Passage], botName: String) async throws -> String {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        let body = ChatRequest(
            model: model,
            messages: [
                .init(role: "system", content: Self.instructions(botName: botName, passages: passages)),
                .init(role: "user", content: question),
            ],
            temperature: 0
        )
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        let bytes = try await response.body.collect(upTo: Self.responseLimit)
        guard response.status == .ok else {
            throw Failure(description: "the endpoint answered HTTP \(response.status.code)")
        }
        let completion = try JSONDecoder().decode(ChatResponse.self, from: Data(buffer: bytes))
        guard let content = completion.choices.first?.message.content?.trimmingCharacters(in: .whitespacesAndNewlines),
            !content.isEmpty
        else { throw Failure(description: "the endpoint answered no text") }
        return content
    }

    /// The system prompt: answer only from the numbered passages.
    static func instructions(botName: String, passages: [Passage]) -> String {
        let numbered = passages.enumerated().map { index, passage in
            "[\(index + 1)] \(passage.source.title ?? passage.source.rowKey)\n\(passage.text)"
        }
        return """
            You are \(botName), answering a visitor on a website. Answer only from the passages below, briefly and \
            in the visitor's language. If they do not answer the question, say that you do not know.

            \(numbered.joined(separator: "\n\n"))
            """
    }

    private struct ChatRequest: Encodable {
        struct Message: Encodable {
            let role: String
            let content: String
        }
        let model: String
        let messages: [Message]
        let temperature: Double
    }

    private struct ChatResponse: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { let content: String? }
            let message: Message
        }
        let choices: [Choice]
    }
}
