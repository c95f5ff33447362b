import Foundation
import Synchronization
import Testing

@testable import App

/// Recovery after an outage (`POST …/recover`), and the delivery log's filters.
@Suite struct DeliveryRecoveryTests {
    @Test func aReceiverBackFromAnOutageGetsEveryMissedEventAfterRecover() async throws {
        let app = try await Fixtures.deliveryApp(schedule: [1], disableAfter: 100)
        let up = Mutex(false)
        let receiver = TestReceiver { _ in up.withLock { $0 } ? .init() : .init(status: .serviceUnavailable) }
        try await receiver.run { target in
            try await app.run { api in
                // Given a receiver that is down while four events fail for good, one of them before the outage's window
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let before = try await Fixtures.startConversation(app, bot: bot)[0]
                try await Task.sleep(for: .milliseconds(5))
                let since = Timestamp.now()
                var missed: [Delivery] = []
                for _ in 0..<3 { missed += try await Fixtures.startConversation(app, bot: bot) }
                _ = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook) + "?status=failed",
                    key: app.ownerKey
                ) { $0["data"]?.array?.count == 4 }
                // When it is back and the owner recovers the window
                up.withLock { $0 = true }
                let recovered = try await api.post(
                    "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)/recover",
                    key: app.ownerKey,
                    json: #"{"since": "\#(since.iso8601)"}"#
                )
                // Then the window's three are queued again and arrive with their ids, attempts counting on
                #expect(recovered.status == .ok, "\(recovered.text)")
                #expect(try recovered.json["requeued"]?.int == 3)
                let requests = try await receiver.waitForRequests(8 + 3)
                let redelivered = requests[8...]
                #expect(Set(redelivered.compactMap { $0.header("webhook-id") }) == Set(missed.map(\.id)))
                #expect(redelivered.allSatisfy { $0.header("X-Switchboard-Attempt") == "3" })
                // And the one before the window stays failed
                let earlier = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook) + "?status=succeeded",
                    key: app.ownerKey
                ) { $0["data"]?.array?.count == 3 }
                #expect(earlier["data"]?.array?.contains { $0["id"]?.string == before.id } == false)
            }
        }
    }

    @Test func recoveryWaitsForADisabledHookToBeEnabled() async throws {
        let app = try await Fixtures.deliveryApp(schedule: [1], disableAfter: 3)
        let up = Mutex(false)
        let receiver = TestReceiver { _ in up.withLock { $0 } ? .init() : .init(status: .badGateway) }
        try await receiver.run { target in
            try await app.run { api in
                // Given one delivery failed for good (two attempts), then a third failed attempt that disabled the hook
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let hookPath = "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)"
                let since = Timestamp.now()
                let failed = try await Fixtures.startConversation(app, bot: bot)[0]
                _ = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: failed.id),
                    key: app.ownerKey
                ) { $0["status"]?.string == "failed" }
                let paused = try await Fixtures.startConversation(app, bot: bot)[0]
                _ = try await Fixtures.eventually(api, hookPath, key: app.ownerKey) { $0["enabled"]?.bool == false }
                // When the owner recovers while it is disabled: refused
                let body = #"{"since": "\#(since.iso8601)"}"#
                let refused = try await api.post("\(hookPath)/recover", key: app.ownerKey, json: body)
                #expect(refused.status == .conflict)
                #expect(try refused.json["error"]?["code"]?.string == "hook_disabled")
                // When the receiver is back, the hook enabled (its paused delivery resumes), and the window recovered
                up.withLock { $0 = true }
                #expect(try await api.patch(hookPath, key: app.ownerKey, json: #"{"enabled": true}"#).status == .ok)
                let recovered = try await api.post("\(hookPath)/recover", key: app.ownerKey, json: body)
                #expect(try recovered.json["requeued"]?.int == 1)
                // Then both arrive
                let requests = try await receiver.waitForRequests(5)
                #expect(Set(requests[3...].compactMap { $0.header("webhook-id") }) == [failed.id, paused.id])
            }
        }
    }

    @Test(
        arguments: [
            (#"{}"#, "since"), (#"{"since": "yesterday"}"#, "since"),
            (#"{"since": "2026-12-02T10:00:00Z", "until": "2026-12-02T09:00:00Z"}"#, "until"),
            (#"{"since": "2026-12-02T10:00:00Z", "until": "2026-12-02T10:00:00Z"}"#, "until"),
        ]
    )
    func aRecoveryWindowMustStartBeforeItEnds(body: String, field: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, hook) = try await Fixtures.botWithHook(
                api,
                key: app.ownerKey,
                target: HookRoutesTests.publicTarget
            )
            let reply = try await api.post(
                "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)/recover",
                key: app.ownerKey,
                json: body
            )
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == field)
        }
    }

    @Test func theLogFiltersByStatusEventAndCreationTime() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given a hook of two types' worth of deliveries: a start, then a message, at known times
                let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
                let hook = try await Fixtures.hook(
                    api,
                    key: app.ownerKey,
                    bot: bot,
                    #"{"type": "conversation.message", "targetUrl": \#(jsonString(target))}"#
                )
                let started = try await api.startConversation(
                    bot: bot,
                    body: #"{"channelType": "web", "initialMessage": "Hello"}"#
                )
                try await Task.sleep(for: .milliseconds(5))
                let between = Timestamp.now()
                _ = try await Fixtures.say(api, started, "Where is my order?")
                let log = Fixtures.deliveryPath(bot: bot, hook: hook)
                _ = try await Fixtures.eventually(api, log + "?status=succeeded", key: app.ownerKey) {
                    $0["data"]?.array?.count == 4  // two user messages, two bot replies
                }
                // Then each filter narrows the log
                func ids(_ query: String) async throws -> Int {
                    try await api.get(log + query, key: app.ownerKey).json["data"]?.array?.count ?? -1
                }
                #expect(try await ids("?event=conversation.message") == 4)
                #expect(try await ids("?event=conversation.started") == 0)
                #expect(try await ids("?since=\(between.iso8601)") == 2)
                #expect(try await ids("?until=\(between.iso8601)") == 2)
                #expect(try await ids("?status=failed&since=\(between.iso8601)") == 0)
                // And a filter that is not one is a 400
                #expect(try await api.get(log + "?since=soon", key: app.ownerKey).status == .badRequest)
                #expect(try await api.get(log + "?event=sync", key: app.ownerKey).status == .badRequest)
            }
        }
    }
}
