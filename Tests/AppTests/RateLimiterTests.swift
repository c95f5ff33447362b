import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import App

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
            let source = try await Fixtures.textSource(api, app)
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
