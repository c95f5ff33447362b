import Foundation
import Testing

@testable import App

/// Outbound requests under attack (DESIGN.md §5): a name that rebinds to loopback between the guard's look-up
/// and the connection, and targets that trickle their body to hold a worker.
@Suite struct OutboundGuardTests {
    /// `rebind.test` answers differently on each look-up: a public address to every look-up of the guard, and
    /// 127.0.0.1 to the connection's own — a DNS record with a short life, changed in between.
    static func rebindingApp() async throws -> TestApp {
        try await TestApp {
            $0.allowPrivateTargets = false
            $0.retrySchedule = [60]
            $0.hostResolver = HostResolver(
                resolve: { host in host == "rebind.test" ? ["93.184.215.14"] : [] },
                connectOverrides: ["rebind.test": "127.0.0.1"]
            )
        }
    }

    /// A page whose headers come at once and whose body then comes a byte a second.
    static func tricklingPage(bytes: Int) -> TestWebsite.Page {
        var page = TestWebsite.Page(String(repeating: "x", count: bytes))
        page.trickle = .seconds(1)
        return page
    }

    static func rebound(_ url: String) -> String { url.replacingOccurrences(of: "127.0.0.1", with: "rebind.test") }

    @Test func aHookOnARebindingNameIsRefusedAtConnectTimeAndNothingIsSent() async throws {
        let app = try await Self.rebindingApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given a hook accepted while its name answered a public address
                let (bot, hook) = try await Fixtures.botWithHook(
                    api,
                    key: app.ownerKey,
                    target: Self.rebound(target)
                )
                // When an event is delivered after the name moved to loopback
                let delivery = try await Fixtures.startConversation(app, bot: bot)[0]
                // Then the attempt failed with the reason, and the receiver saw nothing
                let logged = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery.id),
                    key: app.ownerKey
                ) { $0["attemptCount"]?.int == 1 }
                #expect(logged["status"]?.string == "pending", "\(logged)")
                let error = logged["attempts"]?.array?.first?["error"]?.string ?? ""
                #expect(error.contains("connected to a loopback address (127.0.0.1)"), "\(logged)")
                try await Task.sleep(for: .milliseconds(200))
                #expect(receiver.requests.isEmpty)
            }
        }
    }

    @Test func aTestSendToARebindingNameIsRefused() async throws {
        let app = try await Self.rebindingApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(
                    api,
                    key: app.ownerKey,
                    target: Self.rebound(target)
                )
                let sent = try await api.request(
                    .post,
                    "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)/test",
                    key: app.ownerKey
                ).json
                #expect(sent["delivered"]?.bool == false)
                #expect(sent["error"]?.string?.contains("loopback") == true, "\(sent)")
                #expect(receiver.requests.isEmpty)
            }
        }
    }

    @Test func aPageOnARebindingNameIsNotFetched() async throws {
        let app = try await Self.rebindingApp()
        let site = TestWebsite()
        site.set("secret", .init("<p>Only on loopback.</p>"))
        try await site.run { base in
            try await app.run { api in
                let source = try await Fixtures.urlSource(
                    api,
                    app,
                    rows: [("secret", "\(Self.rebound(base))/secret")]
                )
                let job = try await Fixtures.sync(api, app, source)
                #expect(job["status"]?.string == "failed", "\(job)")
                #expect(job["reason"]?.string?.contains("connected to a loopback address") == true, "\(job)")
                #expect(site.hitCount("secret") == 0)
                let documents = try await api.get("\(source.base)/documents", key: app.ownerKey).json
                #expect(documents["data"]?.array?.isEmpty == true)
            }
        }
    }

    @Test func aHookThatTricklesItsBodyIsCutAtTheTimeout() async throws {
        // Given a 1 s delivery timeout and a target that sends its headers, then a byte a second
        let app = try await Fixtures.deliveryApp(schedule: [60], timeout: 1)
        let trickling = TestReceiver { _ in .init(body: String(repeating: "x", count: 60), trickle: .seconds(1)) }
        try await trickling.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let started = ContinuousClock.now
                let delivery = try await Fixtures.startConversation(app, bot: bot)[0]
                // Then the attempt ends at the timeout, as a failure, not after the 60 s body
                let logged = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery.id),
                    key: app.ownerKey
                ) { $0["attemptCount"]?.int == 1 && $0["status"]?.string != "delivering" }
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(logged["status"]?.string == "pending", "\(logged)")
                #expect(
                    logged["attempts"]?.array?.first?["error"]?.string
                        == "The target did not answer within the delivery timeout."
                )
            }
        }
    }

    @Test func aPageThatTricklesItsBodyFailsTheSyncAtTheTimeout() async throws {
        let app = try await TestApp {
            $0.allowPrivateTargets = true
            $0.deliveryTimeout = 1
        }
        let site = TestWebsite()
        site.set("slow", Self.tricklingPage(bytes: 60))
        try await site.run { base in
            try await app.run { api in
                let source = try await Fixtures.urlSource(api, app, rows: [("slow", "\(base)/slow")])
                let started = ContinuousClock.now
                let job = try await Fixtures.sync(api, app, source)
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(job["status"]?.string == "failed", "\(job)")
                #expect(job["reason"]?.string?.hasSuffix("did not answer within the fetch timeout.") == true, "\(job)")
            }
        }
    }

    @Test func aSlowSourceOfOneWorkspaceDoesNotHoldAnotherWorkspacesSync() async throws {
        // Given one workspace's url source whose page trickles for longer than the 8 s fetch timeout
        let app = try await TestApp {
            $0.allowPrivateTargets = true
            $0.deliveryTimeout = 8
        }
        let site = TestWebsite()
        site.set("slow", Self.tricklingPage(bytes: 30))
        try await site.run { base in
            try await app.run { api in
                let slow = try await Fixtures.urlSource(api, app, rows: [("slow", "\(base)/slow")])
                let slowJob = try await api.request(.post, "\(slow.base)/syncs", key: app.ownerKey).json
                try await Task.sleep(for: .milliseconds(300))  // its page is being fetched
                // When another workspace syncs a text source meanwhile
                let other = try await Fixtures.textSource(api, app, key: app.otherOwnerKey)
                try await Fixtures.putRows(
                    api,
                    app,
                    other,
                    [("a", "Opening hours: nine to five.")],
                    key: app.otherOwnerKey
                )
                let started = ContinuousClock.now
                let job = try await Fixtures.sync(api, app, other, key: app.otherOwnerKey)
                // Then it ends while the slow one is still running — well before the 8 s fetch timeout it would have
                // waited for behind it (a busy machine's syncs take a few seconds: the bound is the timeout's)
                #expect(job["status"]?.string == "succeeded", "\(job)")
                #expect(ContinuousClock.now - started < .seconds(7))
                let slowNow = try await api.get("/api/v1/syncs/\(slowJob["id"]!.string!)", key: app.ownerKey).json
                #expect(slowNow["status"]?.string == "running", "\(slowNow)")
            }
        }
    }
}
