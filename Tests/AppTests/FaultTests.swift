import Foundation
import Hummingbird
import Testing

@testable import App

/// Targets that misbehave: each attempt ends as DESIGN.md §5 says, with the attempt log right, while a healthy
/// target of the same event is delivered on time meanwhile.
///
/// Every fault takes `faultTakes` or more before it ends, three times the healthy target's `onTime` bound, so a
/// sender that tried the targets one at a time would miss that bound in every case.
@Suite struct FaultTests {
    static let faultTakes = Duration.seconds(6)
    static let onTime = Duration.seconds(2)
    static let deliveryTimeout = 9

    enum Fault: String, CaseIterable, Sendable {
        case serverError, hangsPastTheTimeout, resetsTheConnection, answersSlowly, redirects, hugeBody
    }

    /// What the first attempt at a faulty target must look like in the log.
    struct Expected {
        let status: String
        let responseCode: Int?
        let error: String?
    }

    static func expected(_ fault: Fault) -> Expected {
        switch fault {
        case .serverError: Expected(status: "pending", responseCode: 500, error: nil)
        case .hangsPastTheTimeout:
            Expected(
                status: "pending",
                responseCode: nil,
                error: "The target did not answer within the delivery timeout."
            )
        case .resetsTheConnection: Expected(status: "pending", responseCode: nil, error: nil)
        case .answersSlowly: Expected(status: "succeeded", responseCode: 200, error: nil)
        case .redirects: Expected(status: "pending", responseCode: 302, error: nil)
        case .hugeBody: Expected(status: "succeeded", responseCode: 200, error: nil)
        }
    }

    static func answer(_ fault: Fault) -> TestReceiver.Answer {
        switch fault {
        case .serverError: .init(status: .internalServerError, delay: faultTakes)
        case .hangsPastTheTimeout: .init(delay: .seconds(deliveryTimeout * 2))
        case .resetsTheConnection: .init()  // the listener resets after `faultTakes`
        case .answersSlowly: .init(delay: faultTakes)
        case .redirects: .init(status: .found, headers: [.location: "http://127.0.0.1:1/elsewhere"], delay: faultTakes)
        case .hugeBody: .init(delay: faultTakes, body: String(repeating: "x", count: 2 << 20))
        }
    }

    @Test(arguments: Fault.allCases)
    func aFaultyTargetIsLoggedAsDesignedWhileAHealthyOneIsDeliveredOnTime(fault: Fault) async throws {
        // Given a slow retry schedule (one attempt is all this test looks at)
        let app = try await Fixtures.deliveryApp(schedule: [60], timeout: Self.deliveryTimeout)
        let faulty = TestReceiver { _ in Self.answer(fault) }
        let healthy = TestReceiver()
        let resetting = try ResettingListener(delay: Self.faultTakes)
        try await faulty.run { faultyURL in
            try await healthy.run { healthyURL in
                try await app.run { api in
                    // And an attempt at a faulty target under way
                    let target = fault == .resetsTheConnection ? resetting.url : faultyURL
                    let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                    _ = try await api.startConversation(bot: bot)
                    let underWay = try await Fixtures.eventually(
                        api,
                        Fixtures.deliveryPath(bot: bot, hook: hook),
                        key: app.ownerKey
                    ) { $0["data"]?.array?.first?["status"]?.string == "delivering" }
                    let delivery = underWay["data"]![0]!["id"]!.string!
                    // When a healthy target's hook is added and the next conversation starts
                    _ = try await api.post(
                        "/api/v1/bots/\(bot)/hooks",
                        key: app.ownerKey,
                        json: #"{"type": "conversation.started", "targetUrl": \#(jsonString(healthyURL))}"#
                    )
                    let started = ContinuousClock.now
                    _ = try await api.startConversation(bot: bot)
                    // Then the healthy target has it long before the faulty one's attempt ends
                    _ = try await healthy.waitForRequests(1, timeout: .seconds(10))
                    #expect(ContinuousClock.now - started < Self.onTime)
                    // And the faulty one's attempt is logged as designed
                    let expected = Self.expected(fault)
                    let logged = try await Fixtures.eventually(
                        api,
                        Fixtures.deliveryPath(bot: bot, hook: hook, id: delivery),
                        key: app.ownerKey
                    ) { $0["attempts"]?.array?.count == 1 && $0["status"]?.string != "delivering" }
                    let attempt = logged["attempts"]?.array?.first
                    #expect(logged["status"]?.string == expected.status, "\(logged)")
                    #expect(attempt?["responseCode"]?.int == expected.responseCode)
                    if let error = expected.error { #expect(attempt?["error"]?.string == error) }
                    switch fault {
                    case .resetsTheConnection:
                        #expect(attempt?["error"]?.string?.isEmpty == false, "\(logged)")
                    case .answersSlowly:
                        #expect(
                            (attempt?["latencyMs"]?.double ?? 0) >= Double(Self.faultTakes.components.seconds * 1000)
                        )
                    case .hugeBody:
                        #expect(attempt?["responseBody"]?.string?.utf8.count == HookSender.responseBodyLimit)
                    case .hangsPastTheTimeout:
                        #expect((attempt?["latencyMs"]?.double ?? 0) >= Double(Self.deliveryTimeout * 1000) - 100)
                    case .serverError, .redirects:
                        #expect(logged["lastError"]?.string == "The target answered HTTP \(expected.responseCode!).")
                    }
                    if expected.status == "pending" {
                        #expect(logged["nextAttemptAt"]?.string != nil)  // scheduled again, ~60 s ±20% away
                    }
                }
            }
        }
    }
}
