import Foundation
import HTTPTypes
import Testing

@testable import App

/// `Idempotency-Key` on POSTs (DESIGN.md §3, "Retries"): a retry answers as the first request did and creates
/// nothing new.
@Suite struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    static func post(_ api: API, _ path: String, token: String?, json: String, key: String) async throws -> API.Reply {
        try await api.request(.post, path, key: token, body: json, headers: [Self.key: key])
    }

    static func conversationCount(_ api: API, _ app: TestApp) async throws -> Int {
        try await api.get("/api/v1/conversations?limit=200", key: app.ownerKey).json["data"]!.array!.count
    }

    @Test func aWidgetRetryingAStartGetsTheSameConversationAndNoSecond() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let path = "/api/v1/public/bots/\(bot)/conversations"
            let body = #"{"channelType": "web", "initialMessage": "Hello?"}"#
            // When the widget sends its start twice with one key (the first answer lost to a network blip)
            let first = try await Self.post(api, path, token: nil, json: body, key: "start-7f3c9a1e")
            let retry = try await Self.post(api, path, token: nil, json: body, key: "start-7f3c9a1e")
            // Then both answers are the same conversation, token included, and the retry says it is a replay
            #expect(first.status == .created && retry.status == .created)
            #expect(try retry.json == first.json)
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            // And only one conversation exists, with one opening message
            #expect(try await Self.conversationCount(api, app) == 1)
            let id = try first.json["id"]!.string!
            let transcript = try await api.get("/api/v1/conversations/\(id)/messages", key: app.ownerKey).json
            #expect(transcript["data"]?.array?.filter { $0["role"]?.string == "user" }.count == 1)
        }
    }

    @Test func aRetriedVisitorMessageIsStoredOnce() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let conversation = try await api.startConversation(bot: bot)
            let path = "/api/v1/public/conversations/\(conversation["id"]!.string!)/messages"
            let token = conversation["visitorToken"]!.string!
            // When the visitor's message is sent twice with one key
            let first = try await Self.post(
                api,
                path,
                token: token,
                json: #"{"text": "Where is my order?"}"#,
                key: "msg-0001-abcd"
            )
            let retry = try await Self.post(
                api,
                path,
                token: token,
                json: #"{"text": "Where is my order?"}"#,
                key: "msg-0001-abcd"
            )
            // Then the retry answers the same message, and the transcript has it once
            #expect(try retry.json["id"] == first.json["id"])
            let transcript = try await api.get(path, key: token).json["data"]!.array!
            #expect(transcript.filter { $0["text"]?.string == "Where is my order?" }.count == 1)
        }
    }

    @Test func theSameKeyWithAnotherRequestIs422AndChangesNothing() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let first = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.ownerKey,
                json: #"{"name": "A"}"#,
                key: "bot-key-0001"
            )
            #expect(first.status == .created)
            // When the key comes again with another body
            let other = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.ownerKey,
                json: #"{"name": "B"}"#,
                key: "bot-key-0001"
            )
            // Then it is refused, and no second bot exists
            #expect(other.status == .unprocessableContent && other.errorCode == "idempotency_key_reused")
            #expect(try await api.get("/api/v1/bots", key: app.ownerKey).json["data"]?.array?.count == 1)
        }
    }

    @Test func keysBelongToTheirCaller() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // When two workspaces use the same key for the same request
            let acme = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.ownerKey,
                json: #"{"name": "A"}"#,
                key: "shared-key-1"
            )
            let other = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.otherOwnerKey,
                json: #"{"name": "A"}"#,
                key: "shared-key-1"
            )
            // Then each gets its own bot
            #expect(acme.status == .created && other.status == .created)
            #expect(try acme.json["id"] != other.json["id"])
        }
    }

    @Test func anAnswerThatRefusedTheRequestIsReplayedToo() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a request refused as invalid
            let first = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.ownerKey,
                json: #"{"name": ""}"#,
                key: "bad-bot-0001"
            )
            #expect(first.status == .unprocessableContent)
            // When it is retried with its key, the answer is the same refusal
            let retry = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.ownerKey,
                json: #"{"name": ""}"#,
                key: "bad-bot-0001"
            )
            #expect(retry.status == .unprocessableContent)
            #expect(try retry.json == first.json)
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
        }
    }

    @Test func concurrentRetriesRunTheRequestOnce() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // When ten copies of one request with one key arrive at once
            let replies = try await withThrowingTaskGroup(of: API.Reply.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await Self.post(
                            api,
                            "/api/v1/bots",
                            token: app.ownerKey,
                            json: #"{"name": "Once"}"#,
                            key: "burst-key-01"
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Then one bot exists; every answer is it, or "still running, retry"
            #expect(try await api.get("/api/v1/bots", key: app.ownerKey).json["data"]?.array?.count == 1)
            let created = try replies.filter { $0.status == .created }.map { try $0.json["id"] }
            #expect(!created.isEmpty && Set(created.compactMap { $0?.string }).count == 1)
            #expect(replies.allSatisfy { $0.status == .created || $0.errorCode == "idempotency_key_in_use" })
        }
    }

    @Test func aKeyIsKeptForADayThenForgotten() async throws {
        let clock = ManualTimerClock()
        let app = try await TestApp { $0.timerClock = clock }
        try await app.run { api in
            let first = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.ownerKey,
                json: #"{"name": "Daily"}"#,
                key: "daily-key-01"
            )
            // Within the day the key answers the first bot
            clock.advance(by: .seconds(23 * 3600))
            let sameDay = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.ownerKey,
                json: #"{"name": "Daily"}"#,
                key: "daily-key-01"
            )
            #expect(try sameDay.json["id"] == first.json["id"])
            // After it, the key is new again (and retention deletes the old record)
            clock.advance(by: .seconds(2 * 3600))
            #expect(
                try await app.store.deleteIdempotencyRecords(
                    before: clock.now().adding(.zero - Idempotency.window),
                    limit: 10
                ) == 1
            )
            let nextDay = try await Self.post(
                api,
                "/api/v1/bots",
                token: app.ownerKey,
                json: #"{"name": "Daily"}"#,
                key: "daily-key-01"
            )
            #expect(nextDay.status == .created)
            #expect(try nextDay.json["id"] != first.json["id"])
        }
    }

    @Test(arguments: ["short", String(repeating: "k", count: 256), "has space in it"])
    func aMalformedKeyIs400(key: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await Self.post(api, "/api/v1/bots", token: app.ownerKey, json: #"{"name": "A"}"#, key: key)
            #expect(reply.status == .badRequest)
            #expect(try await api.get("/api/v1/bots", key: app.ownerKey).json["data"]?.array?.isEmpty == true)
        }
    }
}
