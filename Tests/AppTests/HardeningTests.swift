import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import App

/// Owner keys, security headers, rate limits and stream bounds (DESIGN.md §1 and §4).
@Suite struct OwnerKeyTests {
    @Test func rotatingTheKeyGivesANewOneOnceAndTheOldStopsAtOnce() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let rotated = try await api.request(.post, "/api/v1/workspace/rotate-key", key: app.ownerKey)
            #expect(rotated.status == .created, "\(rotated.text)")
            let newKey = try #require(try rotated.json["apiKey"]?.string)
            #expect(newKey.hasPrefix("sk_") && newKey != app.ownerKey)
            #expect(try await api.get("/api/v1/workspace", key: app.ownerKey).status == .unauthorized)
            #expect(try await api.get("/api/v1/workspace", key: newKey).status == .ok)
            // The secret is shown that once
            let listed = try await api.get("/api/v1/workspace/keys", key: newKey).json
            #expect(listed["data"]?.array?.count == 1)
            #expect(listed["data"]?.array?.first?["apiKey"] == nil)
            #expect(listed["data"]?.array?.first?["name"]?.string == "Default")
        }
    }

    @Test func aSecondNamedKeyReplacesTheFirstWithoutDowntime() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a second key, created with the first
            let created = try await api.post("/api/v1/workspace/keys", key: app.ownerKey, json: #"{"name": "CI"}"#)
            #expect(created.status == .created, "\(created.text)")
            let second = try #require(try created.json["apiKey"]?.string)
            let keys = try await api.get("/api/v1/workspace/keys", key: second).json["data"]!.array!
            #expect(keys.map { $0["name"]!.string! } == ["Default", "CI"])
            #expect(keys.map { $0["current"]!.bool! } == [false, true])
            // When the second deletes the first
            let first = keys[0]["id"]!.string!
            #expect(try await api.request(.delete, "/api/v1/workspace/keys/\(first)", key: second).status == .noContent)
            // Then the first no longer works and the second does
            #expect(try await api.get("/api/v1/workspace", key: app.ownerKey).status == .unauthorized)
            #expect(try await api.get("/api/v1/workspace", key: second).status == .ok)
        }
    }

    @Test func theLastKeyCannotBeDeleted() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let only = try await api.get("/api/v1/workspace/keys", key: app.ownerKey).json["data"]!.array![0]
            let reply = try await api.request(
                .delete,
                "/api/v1/workspace/keys/\(only["id"]!.string!)",
                key: app.ownerKey
            )
            #expect(reply.status == .conflict)
            #expect(try reply.json["error"]?["code"]?.string == "last_key")
            #expect(try await api.get("/api/v1/workspace", key: app.ownerKey).status == .ok)
        }
    }

    @Test func aWorkspaceHoldsABoundedNumberOfKeys() async throws {
        let app = try await TestApp()
        try await app.run { api in
            for index in 1..<APIKey.perWorkspace {
                let reply = try await api.post(
                    "/api/v1/workspace/keys",
                    key: app.ownerKey,
                    json: #"{"name": "k\#(index)"}"#
                )
                #expect(reply.status == .created)
            }
            let over = try await api.post("/api/v1/workspace/keys", key: app.ownerKey, json: #"{"name": "one more"}"#)
            #expect(over.status == .conflict)
            #expect(try over.json["error"]?["code"]?.string == "key_limit")
        }
    }

    @Test func agentsCannotManageKeys() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let agent = try await api.createAgent(key: app.ownerKey)["token"]!.string!
            #expect(try await api.get("/api/v1/workspace/keys", key: agent).status == .forbidden)
            #expect(try await api.request(.post, "/api/v1/workspace/rotate-key", key: agent).status == .forbidden)
        }
    }
}

@Suite struct SecurityHeaderTests {
    @Test(arguments: ["/", "/agent.html", "/api/v1/workspace", "/healthz"])
    func pagesAndTheAPICannotBeFramedSniffedOrLeakReferrers(path: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get(path, key: app.ownerKey)
            #expect(reply.status == .ok)
            let policy = reply.headers[.contentSecurityPolicy] ?? ""
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"), "\(policy)")
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(reply.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(reply.headers[.xContentTypeOptions] == "nosniff")
            #expect(reply.headers[.init("Referrer-Policy")!] == "no-referrer")
        }
    }

    @Test func theWidgetPageMayBeFramedByAnySite() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/widget.html", key: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentSecurityPolicy]?.contains("frame-ancestors *") == true)
            #expect(reply.headers[.init("X-Frame-Options")!] == nil)
            #expect(reply.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test func errorsCarryTheHeadersToo() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/api/v1/workspace", key: nil)
            #expect(reply.status == .unauthorized)
            #expect(reply.headers[.xContentTypeOptions] == "nosniff")
        }
    }
}

@Suite struct RateLimiterTests {
    @Test func aFullTableForgetsTheLeastRecentlyUsedKeysNotTheBusyOnes() {
        // Given a limiter of one request a minute that keeps 100 keys, and a key that has spent its request
        let limiter = RateLimiter(capacity: 1, maxKeys: 100)
        let start = ContinuousClock.now
        #expect(limiter.spend("busy", now: start) == nil)
        // When 150 other keys arrive after it, while the busy key keeps asking
        for index in 0..<150 {
            let now = start + .milliseconds(index + 1)
            _ = limiter.spend("flood-\(index)", now: now)
            #expect(limiter.spend("busy", now: now) != nil, "the busy key was forgotten after \(index) new keys")
        }
    }

    @Test(arguments: [
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"), ("2001:db8:1:2::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"), ("192.0.2.1", "192.0.2.1"), ("unknown", "unknown"),
    ])
    func clientsAreKeyedByIPv4AddressOrIPv6Slash64(address: String, key: String) {
        #expect(RateLimiter.clientKey(forAddress: address) == key)
    }

    @Test func theTriggerURLIsLimitedPerClientAsWellAsPerHook() async throws {
        let app = try await TestApp { $0.triggerRateLimit = 5 }
        try await app.runLive { api, base in
            // Given two trigger hooks
            let source = try await SyncTests.textSource(api, app)
            var triggers: [String] = []
            for _ in 0..<2 {
                let hook = try await api.post(
                    "/api/v1/bots/\(source.bot)/hooks",
                    key: app.ownerKey,
                    json: #"{"type": "sync.trigger", "dataSourceId": "\#(source.id)"}"#
                ).json
                let triggerURL = hook["triggerUrl"]!.string!
                triggers.append(base + triggerURL[triggerURL.range(of: "/api/public/")!.lowerBound...])
            }
            let (first, second) = (LoopbackClient(address: "127.0.0.2"), LoopbackClient(address: "127.0.0.3"))
            // When one client spends its minute's worth on the first hook
            for _ in 0..<5 { #expect(try await first.get(triggers[0]).status == 200) }
            // Then it is limited on every hook, while another client still triggers the second
            #expect(try await first.get(triggers[0]).status == 429)
            #expect(try await first.get(triggers[1]).status == 429)
            #expect(try await second.get(triggers[1]).status == 200)
        }
    }
}

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
            let (bot, agent) = try await ConversationTests.setUp(api, app)
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
