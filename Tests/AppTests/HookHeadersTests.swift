import Foundation
import Testing

@testable import App

/// A hook's own headers: sent on every attempt beside Switchboard's, and refused when they would break a request or
/// pass for Switchboard's.
@Suite struct HookHeadersTests {
    @Test func aHooksHeadersAreSentOnEveryAttempt() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver { $0 == 1 ? .init(status: .internalServerError) : .init() }
        try await receiver.run { target in
            try await app.run { api in
                // Given a hook with two headers of its own
                let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
                let hook = try await Fixtures.hook(
                    api,
                    key: app.ownerKey,
                    bot: bot,
                    """
                    {"type": "conversation.started", "targetUrl": \(jsonString(target)),
                     "headers": {"Authorization": "Bearer partner-token", "X-Tenant": "acme"}}
                    """
                )
                #expect(hook["headers"] == ["Authorization": "Bearer partner-token", "X-Tenant": "acme"])
                // When an event fails once and is retried
                _ = try await Fixtures.startConversation(app, bot: bot)
                let requests = try await receiver.waitForRequests(2)
                // Then both attempts carried them, and Switchboard's own headers are untouched
                for request in requests {
                    #expect(request.header("Authorization") == "Bearer partner-token")
                    #expect(request.header("X-Tenant") == "acme")
                    #expect(request.header("Content-Type") == "application/json")
                    #expect(request.header("X-Secret-Key") == (hook["secret"]?.string))
                }
            }
        }
    }

    @Test func headersCanBeReplacedAndRemoved() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let hook = try await Fixtures.hook(
                api,
                key: app.ownerKey,
                bot: bot,
                #"{"type": "sync.success", "targetUrl": "\#(HookRoutesTests.publicTarget)", "headers": {"A": "1"}}"#
            )
            let path = "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)"
            let replaced = try await api.patch(path, key: app.ownerKey, json: #"{"headers": {"B": "2"}}"#).json
            #expect(replaced["headers"] == ["B": "2"])
            let removed = try await api.patch(path, key: app.ownerKey, json: #"{"headers": null}"#).json
            #expect(removed["headers"] == [:])
        }
    }

    @Test(
        arguments: [
            #"{"Content-Type": "text/plain"}"#, #"{"host": "example.com"}"#, #"{"X-Secret-Key": "x"}"#,
            #"{"X-Switchboard-Event": "x"}"#, #"{"webhook-signature": "x"}"#, #"{"User-Agent": "x"}"#,
            #"{"Bad Name": "x"}"#, #"{"": "x"}"#, #"{"X-Evil": "a\r\nInjected: yes"}"#, #"{"X-Nul": "a\u0000"}"#,
            #"{"X-Long": "\#(String(repeating: "a", count: 1025))"}"#,
            "{" + (0...10).map { #""X-\#($0)": "v""# }.joined(separator: ", ") + "}",
            #"{"X-A": "1", "x-a": "2"}"#, #"{"X-Number": 1}"#, #"["X-A"]"#,
        ]
    )
    func headersThatWouldBreakARequestOrPassForSwitchboardsAreRefused(headers: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            try await Fixtures.expectRefusedHook(
                api,
                app,
                #"{"type": "sync.success", "targetUrl": "\#(HookRoutesTests.publicTarget)", "headers": \#(headers)}"#,
                field: "headers"
            )
        }
    }
}
