import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import App

@Suite struct EventStreamLimitTests {
    @Test func anAgentMayHoldABoundedNumberOfStreamsAndAVisitorIsNotCounted() async throws {
        let app = try await TestApp()
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await holdStreams(app, client)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    private func holdStreams(_ app: TestApp, _ client: HTTPClient) async throws {
        try await app.runLive { api, base in
            let (bot, agent) = try await Fixtures.botAndAgent(api, app)
            func open(_ path: String, token: String) async throws -> HTTPClientResponse {
                var request = HTTPClientRequest(url: base + path)
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                return try await client.execute(request, timeout: .seconds(30))
            }
            // Given an agent holding as many streams as allowed
            var held: [HTTPClientResponse] = []
            for _ in 0..<ConversationFeed.streamsPerHolder {
                let response = try await open("/api/v1/events", token: agent)
                #expect(response.status == .ok)
                held.append(response)
            }
            // When they open one more, it is refused; a visitor's stream and the owner's are not
            let refused = try await open("/api/v1/events", token: agent)
            #expect(refused.status == .tooManyRequests)
            let error = try JSONDecoder().decode(
                JSONValue.self,
                from: Data(buffer: try await refused.body.collect(upTo: 1 << 16))
            )
            #expect(error["error"]?["code"]?.string == "too_many_streams")
            #expect(try await open("/api/v1/events", token: app.ownerKey).status == .ok)
            let conversation = try await api.startConversation(bot: bot)
            let visitor = try await open(
                "/api/v1/public/conversations/\(conversation["id"]!.string!)/events",
                token: conversation["visitorToken"]!.string!
            )
            #expect(visitor.status == .ok)
            #expect(held.count == ConversationFeed.streamsPerHolder)
        }
    }
}
