import Foundation
import Testing

@testable import App

/// A hook's `maxPerSecond` paces its deliveries — on every instance together — without dropping any.
@Suite struct HookPacingTests {
    @Test func aPacedHookIsSentItsEventsAtItsRateAndGetsEveryOne() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                try await Self.expectPaced(app, api, receiver, target: target)
            }
        }
    }

    @Test(.enabled(if: TestStore.isPostgres, "instances share a PostgreSQL database"))
    func twoInstancesTogetherKeepTheRate() async throws {
        let first = try await Fixtures.deliveryApp()
        let second = try first.anotherInstance()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await first.run { api in
                try await second.run { _ in
                    try await Self.expectPaced(first, api, receiver, target: target)
                }
            }
        }
    }

    @Test(arguments: ["0", "1001", "2.5", "\"fast\""])
    func aRateOutsideOneToAThousandIsRefused(rate: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            try await Fixtures.expectRefusedHook(
                api,
                app,
                #"{"type": "sync.success", "targetUrl": "\#(HookRoutesTests.publicTarget)", "maxPerSecond": \#(rate)}"#,
                field: "maxPerSecond"
            )
        }
    }

    /// Given a hook paced at 4 a second and ten events at once: all ten arrive, spread over their schedule. Starts
    /// are booked exactly a quarter second apart (`DeliveryPaceTests`); arrivals are that, give or take how late a
    /// busy machine wakes each sender, so the bounds here allow for it (unpaced, all ten arrive within milliseconds).
    private static func expectPaced(_ app: TestApp, _ api: API, _ receiver: TestReceiver, target: String) async throws {
        let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
        let hook = try await Fixtures.hook(
            api,
            key: app.ownerKey,
            bot: bot,
            #"{"type": "conversation.started", "targetUrl": \#(jsonString(target)), "maxPerSecond": 4}"#
        )
        #expect(hook["maxPerSecond"]?.int == 4)
        for _ in 0..<10 { _ = try await Fixtures.startConversation(app, bot: bot) }
        let requests = try await receiver.waitForRequests(10, timeout: .seconds(20))
        #expect(Set(requests.compactMap { $0.header("webhook-id") }).count == 10)
        let times = requests.map(\.receivedAt).sorted()
        // Ten starts booked over 2.25 s
        #expect(times[9] - times[0] >= .milliseconds(2000), "\(times[9] - times[0])")
        for index in 0..<(times.count - 4) {
            // Five booked over a second
            #expect(times[index + 4] - times[index] >= .milliseconds(600), "arrivals \(index)…\(index + 4)")
        }
    }
}
