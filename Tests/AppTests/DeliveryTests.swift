import Crypto
import Foundation
import Hummingbird
import Synchronization
import Testing

@testable import App

/// Hook delivery end to end: a real app, its worker, and real receivers on 127.0.0.1.
@Suite struct DeliveryTests {

    @Test func deliversTheBodyWithExactHeadersAndAVerifiableSignature() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                // When an event is committed
                let delivery = try await Fixtures.startConversation(app, bot: bot)[0]
                // Then the receiver gets it once, signed
                let request = try await receiver.waitForRequests(1)[0]
                #expect(request.body == String(decoding: delivery.payload, as: UTF8.self))
                #expect(request.header("Content-Type") == "application/json")
                #expect(request.header("User-Agent") == "Switchboard-Hooks/1")
                #expect(request.header("X-Secret-Key") == hook["secret"]?.string)
                #expect(request.header("X-Switchboard-Event") == "conversation.started")
                #expect(request.header("X-Switchboard-Attempt") == "1")
                #expect(request.header("webhook-id") == delivery.id)
                let timestamp = try #require(request.header("webhook-timestamp").flatMap(Int64.init))
                #expect(abs(timestamp - Int64(Date().timeIntervalSince1970)) < 30)
                // An independent HMAC: key = the secret's bytes, as a Standard Webhooks library derives it
                // from signingSecret (base64-decoding what follows "whsec_").
                let signingSecret = try #require(hook["signingSecret"]?.string)
                let key = try #require(Data(base64Encoded: String(signingSecret.dropFirst("whsec_".count))))
                let mac = HMAC<SHA256>.authenticationCode(
                    for: Data("\(delivery.id).\(timestamp).".utf8) + delivery.payload,
                    using: SymmetricKey(data: key)
                )
                #expect(request.header("webhook-signature") == "v1," + Data(mac).base64EncodedString())

                let logged = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery.id),
                    key: app.ownerKey
                ) { $0["status"]?.string == "succeeded" }
                #expect(logged["attemptCount"]?.int == 1)
                #expect(logged["attempts"]?[0]?["responseCode"]?.int == 200)
                #expect(logged["attempts"]?[0]?["responseBody"]?.string == "ok")
                #expect(logged["payload"] == (try JSONDecoder().decode(JSONValue.self, from: delivery.payload)))
            }
        }
    }

    @Test func failedAttemptsAreRetriedWithTheSameIdAndRisingAttemptNumbers() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver { $0 <= 2 ? .init(status: .internalServerError) : .init() }
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let delivery = try await Fixtures.startConversation(app, bot: bot)[0]
                let requests = try await receiver.waitForRequests(3)
                #expect(requests.map { $0.header("webhook-id") } == Array(repeating: delivery.id, count: 3))
                #expect(requests.map { $0.header("X-Switchboard-Attempt") } == ["1", "2", "3"])
                // The schedule's 1 s, ±20%, separates the attempts.
                #expect(requests[1].receivedAt - requests[0].receivedAt >= .milliseconds(750))
                let logged = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery.id),
                    key: app.ownerKey
                ) { $0["status"]?.string == "succeeded" }
                #expect(logged["attempts"]?.array?.map { $0["responseCode"]?.int } == [500, 500, 200])
                let hookNow = try await api.get("/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)", key: app.ownerKey)
                    .json
                #expect(hookNow["consecutiveFailures"]?.int == 0)
                #expect(hookNow["enabled"]?.bool == true)
            }
        }
    }

    @Test func deliveryFailsWhenTheScheduleIsUsedUp() async throws {
        let app = try await Fixtures.deliveryApp(schedule: [1])
        let receiver = TestReceiver { _ in .init(status: .badGateway) }
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let delivery = try await Fixtures.startConversation(app, bot: bot)[0]
                let logged = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery.id),
                    key: app.ownerKey
                ) { $0["status"]?.string == "failed" }
                #expect(logged["attemptCount"]?.int == 2)
                #expect(logged["lastError"]?.string == "The target answered HTTP 502.")
                #expect(receiver.requests.count == 2)
            }
        }
    }

    @Test func consecutiveFailuresDisableTheHookPauseItsDeliveriesAndEnablingResumesThem() async throws {
        let app = try await Fixtures.deliveryApp(schedule: [1, 1, 1, 1], disableAfter: 2)
        let healthy = Mutex(false)
        let receiver = TestReceiver { _ in healthy.withLock { $0 } ? .init() : .init(status: .serviceUnavailable) }
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let hookPath = "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)"
                let first = try await Fixtures.startConversation(app, bot: bot)[0]
                // Given two failed attempts: the hook is disabled and the delivery paused
                let disabled = try await Fixtures.eventually(api, hookPath, key: app.ownerKey) {
                    $0["enabled"]?.bool == false
                }
                #expect(disabled["disabledReason"]?.string?.contains("2 consecutive failed attempts") == true)
                #expect(disabled["lastError"]?.string == "The target answered HTTP 503.")
                _ = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: first.id),
                    key: app.ownerKey
                ) { $0["status"]?.string == "paused" }
                // And a new event while disabled is kept, paused
                let second = try await Fixtures.startConversation(app, bot: bot)[0]
                #expect(second.status == .paused)
                try await Task.sleep(for: .milliseconds(1500))
                #expect(receiver.requests.count == 2)
                // When the target recovers and the owner enables the hook
                healthy.withLock { $0 = true }
                let enabled = try await api.patch(hookPath, key: app.ownerKey, json: #"{"enabled": true}"#).json
                #expect(enabled["consecutiveFailures"]?.int == 0)
                // Then both go out, nothing lost
                let requests = try await receiver.waitForRequests(4)
                #expect(Set(requests[2...].compactMap { $0.header("webhook-id") }) == [first.id, second.id])
                let succeeded = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook) + "?status=succeeded",
                    key: app.ownerKey
                ) { $0["data"]?.array?.count == 2 }
                #expect(succeeded["data"]?.array?.count == 2)
            }
        }
    }

    @Test func gone410DisablesTheHookAtOnce() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver { _ in .init(status: .gone) }
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let delivery = try await Fixtures.startConversation(app, bot: bot)[0]
                let hookNow = try await Fixtures.eventually(
                    api,
                    "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)",
                    key: app.ownerKey
                ) { $0["enabled"]?.bool == false }
                #expect(hookNow["disabledReason"]?.string == "The target answered 410 Gone.")
                let logged = try await api.get(
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery.id),
                    key: app.ownerKey
                ).json
                #expect(logged["status"]?.string == "paused")
                #expect(receiver.requests.count == 1)
            }
        }
    }

    @Test func metricsCountOutcomesAndDisabledHooks() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver { _ in .init(status: .gone) }
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                _ = try await Fixtures.startConversation(app, bot: bot)
                _ = try await Fixtures.eventually(
                    api,
                    "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)",
                    key: app.ownerKey
                ) { $0["enabled"]?.bool == false }
                let metrics = try await api.get("/metrics", key: nil).text
                #expect(metrics.contains("hooks_disabled_total 1"))
                #expect(metrics.contains(#"hook_deliveries_total{outcome="paused"} 1"#))
                #expect(metrics.contains("hook_attempt_duration_seconds_count"))
            }
        }
    }

    @Test func shutdownLetsAnAttemptInFlightFinish() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver { _ in .init(delay: .milliseconds(800)) }
        try await receiver.run { target in
            let (bot, _) = try await app.run { api in
                try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
            }
            // Given an attempt in flight when the server is asked to stop
            let delivery = try await app.run { _ in
                let delivery = try await Fixtures.startConversation(app, bot: bot)[0]
                _ = try await receiver.waitForRequests(1)
                return delivery
            }
            // Then it finished and was recorded before the server stopped
            let stored = try await app.records(Delivery.self, "SELECT * FROM delivery WHERE id = ?", [delivery.id])
            #expect(stored.map(\.status) == [.succeeded])
        }
    }

    @Test func retryAfterIsHonouredWithinTheSchedule() async throws {
        let app = try await Fixtures.deliveryApp(schedule: [1, 5])
        let receiver = TestReceiver {
            $0 == 1 ? .init(status: .tooManyRequests, headers: [.retryAfter: "3"]) : .init()
        }
        try await receiver.run { target in
            try await app.run { api in
                let (bot, _) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                _ = try await Fixtures.startConversation(app, bot: bot)
                let requests = try await receiver.waitForRequests(2)
                let gap = requests[1].receivedAt - requests[0].receivedAt
                #expect(gap >= .milliseconds(2900), "waited \(gap), not the 3 s asked for")
            }
        }
    }

    @Test func aSlowTargetDoesNotDelayAHealthyOne() async throws {
        // Given a target that holds each attempt until the 10 s timeout, and a healthy one
        let app = try await Fixtures.deliveryApp(timeout: 10)
        let slow = TestReceiver { _ in .init(delay: .seconds(20)) }
        let fast = TestReceiver()
        try await slow.run { slowTarget in
            try await fast.run { fastTarget in
                try await app.run { api in
                    let (bot, _) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: slowTarget)
                    _ = try await api.post(
                        "/api/v1/bots/\(bot)/hooks",
                        key: app.ownerKey,
                        json: #"{"type": "conversation.started", "targetUrl": \#(jsonString(fastTarget))}"#
                    )
                    // When 20 events go to both
                    var startedAt: [String: ContinuousClock.Instant] = [:]
                    for _ in 0..<20 {
                        let start = ContinuousClock.now
                        let deliveries = try await Fixtures.startConversation(app, bot: bot)
                        let payload = try JSONDecoder().decode(JSONValue.self, from: deliveries[0].payload)
                        startedAt[payload["conversation"]!["id"]!.string!] = start
                    }
                    // Then the healthy target has each of them long before the slow one's first answer: had they
                    // waited behind the slow ones, each would come after the 10 s timeout (measured from its own
                    // event, so a busy machine's slow starts do not count against it)
                    let requests = try await fast.waitForRequests(20, timeout: .seconds(15))
                    #expect(requests.count == 20)
                    let latencies = try requests.map { request in
                        let id = try JSONDecoder().decode(JSONValue.self, from: Data(request.body.utf8))[
                            "conversation"
                        ]!["id"]!.string!
                        return request.receivedAt - startedAt[id]!
                    }
                    #expect(latencies.max()! < .seconds(7), "healthy deliveries took up to \(latencies.max()!)")
                    #expect(slow.requests.count <= DeliverySlots.perHook)
                }
            }
        }
    }

    @Test func oneWorkspacesTricklingHooksDoNotDelayAnotherWorkspacesHook() async throws {
        // Given a workspace with 16 hooks whose target trickles its answer for longer than the 8 s timeout
        let app = try await Fixtures.deliveryApp(schedule: [60], timeout: 8)
        let trickling = TestReceiver { _ in .init(body: String(repeating: "x", count: 30), trickle: .seconds(1)) }
        let healthy = TestReceiver()
        try await trickling.run { slowTarget in
            try await healthy.run { healthyTarget in
                try await app.run { api in
                    let (bot, _) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: slowTarget)
                    for _ in 1..<16 {
                        _ = try await api.post(
                            "/api/v1/bots/\(bot)/hooks",
                            key: app.ownerKey,
                            json: #"{"type": "conversation.started", "targetUrl": \#(jsonString(slowTarget))}"#
                        )
                    }
                    let (otherBot, _) = try await Fixtures.botWithHook(
                        api,
                        key: app.otherOwnerKey,
                        target: healthyTarget
                    )
                    // When it has more attempts due than there are slots in all (16 hooks × 4 events)
                    for _ in 0..<4 {
                        _ = try await Fixtures.startConversation(app, bot: bot)
                    }
                    _ = try await trickling.waitForRequests(DeliverySlots.perWorkspace, timeout: .seconds(5))
                    // Then the other workspace's event is delivered at once, not after the 8 s timeout
                    let start = ContinuousClock.now
                    _ = try await Fixtures.startConversation(app, bot: otherBot)
                    let arrived = try await healthy.waitForRequests(1, timeout: .seconds(7))[0].receivedAt
                    #expect(arrived - start < .seconds(2), "took \(arrived - start)")
                    // And the trickling workspace holds no more than its share
                    #expect(trickling.requests.count == DeliverySlots.perWorkspace)
                }
            }
        }
    }

    @Test func theOutboxSurvivesARestartWithTheSameIds() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            // Given a committed event and one caught mid-flight by a crash, while no server runs
            let (bot, _) = try await app.run { api in
                try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
            }
            let queued = try await Fixtures.startConversation(app, bot: bot)[
                0
            ]
            let interrupted = try await Fixtures.startConversation(app, bot: bot)[0]
            try await app.execute("UPDATE delivery SET status = 'delivering' WHERE id = ?", [interrupted.id])
            // When the server starts again on the same file
            try await app.run { _ in
                // Then both are delivered, with their ids
                let requests = try await receiver.waitForRequests(2)
                #expect(Set(requests.compactMap { $0.header("webhook-id") }) == [queued.id, interrupted.id])
            }
        }
    }

    @Test func aTargetThatNowResolvesPrivatelyFailsTheAttempt() async throws {
        let app = try await Fixtures.deliveryApp()  // guard off, to create the hook
        let guarded = try await TestApp.reopen(app) { $0.allowPrivateTargets = false }
        let receiver = TestReceiver()
        try await receiver.run { target in
            let (bot, hook) = try await app.run { api in
                try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
            }
            try await guarded.run { api in
                let delivery = try await Fixtures.startConversation(guarded, bot: bot)[0]
                let logged = try await Fixtures.eventually(
                    api,
                    Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery.id),
                    key: app.ownerKey
                ) { $0["attemptCount"]?.int == 1 }
                #expect(logged["lastError"]?.string?.contains("loopback") == true)
                #expect(receiver.requests.isEmpty)
            }
        }
    }

    @Test func testSendReportsTheOutcomeWithoutCountingFailures() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver { $0 == 1 ? .init() : .init(status: .internalServerError) }
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let path = "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)"
                let ok = try await api.request(.post, "\(path)/test", key: app.ownerKey).json
                #expect(ok["delivered"]?.bool == true)
                #expect(ok["responseCode"]?.int == 200)
                #expect(ok["error"] == .null)
                #expect(ok["latencyMs"] != nil)
                let request = try await receiver.waitForRequests(1)[0]
                #expect(request.header("X-Switchboard-Event") == "test")
                #expect(request.header("X-Secret-Key") == hook["secret"]?.string)

                let failed = try await api.request(.post, "\(path)/test", key: app.ownerKey).json
                #expect(failed["delivered"]?.bool == false)
                #expect(failed["responseCode"]?.int == 500)
                #expect(failed["error"]?.string == "The target answered HTTP 500.")
                #expect(try await api.get(path, key: app.ownerKey).json["consecutiveFailures"]?.int == 0)
            }
        }
    }

    @Test func aFailedDeliveryCanBeRetried() async throws {
        let app = try await Fixtures.deliveryApp(schedule: [1])
        let receiver = TestReceiver { $0 <= 2 ? .init(status: .badRequest) : .init() }
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let delivery = try await Fixtures.startConversation(app, bot: bot)[0]
                let path = Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery.id)
                _ = try await Fixtures.eventually(api, path, key: app.ownerKey) { $0["status"]?.string == "failed" }
                let retried = try await api.request(.post, "\(path)/retry", key: app.ownerKey)
                #expect(retried.status == .ok)
                let logged = try await Fixtures.eventually(api, path, key: app.ownerKey) {
                    $0["status"]?.string == "succeeded"
                }
                #expect(logged["attemptCount"]?.int == 3)
                // A succeeded delivery is not retried
                let again = try await api.request(.post, "\(path)/retry", key: app.ownerKey)
                #expect(again.status == .conflict)
                #expect(again.errorCode == "delivery_not_retryable")
            }
        }
    }

    @Test func deliveryLogRejectsAnUnknownStatusFilter() async throws {
        let app = try await Fixtures.deliveryApp()
        try await app.run { api in
            let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: "http://127.0.0.1:9/hook")
            let reply = try await api.get(
                Fixtures.deliveryPath(bot: bot, hook: hook) + "?status=lost",
                key: app.ownerKey
            )
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "invalid_parameter")
        }
    }
}
