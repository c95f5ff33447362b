import Foundation
import Testing

@testable import App

/// Rotating a hook's secret with an overlap: deliveries signed under both secrets, newest first, verified by the
/// Standard Webhooks library as a receiver would; the old trigger URL working until the overlap ends.
@Suite struct HookRotationTests {
    @Test func duringAnOverlapEachDeliveryIsSignedUnderTheNewAndTheOldSecret() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                // Given a hook whose secret is rotated with an hour's overlap
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                let rotated = try await api.post(
                    "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)/rotate-secret",
                    key: app.ownerKey,
                    json: #"{"overlapSeconds": 3600}"#
                ).json
                #expect(rotated["secret"] != hook["secret"])
                let expires = try #require(rotated["previousSecretExpiresAt"]?.string.flatMap(Timestamp.init(iso8601:)))
                let inAnHour = Timestamp.now().millisecondsSince1970 + 3_600_000
                #expect(abs(expires.millisecondsSince1970 - inAnHour) < 60_000)
                // When an event is delivered
                _ = try await Fixtures.startConversation(app, bot: bot)
                let request = try await receiver.waitForRequests(1)[0]
                // Then it carries two signatures, newest first, and the new secret
                #expect(request.header("webhook-signature")?.split(separator: " ").count == 2)
                #expect(request.header("X-Secret-Key") == rotated["secret"]?.string)
                // And a Standard Webhooks receiver verifies it under either secret, and under no other
                #expect(try Self.verifies(request, signingSecret: rotated["signingSecret"]!.string!) == true)
                #expect(try Self.verifies(request, signingSecret: hook["signingSecret"]!.string!) == true)
                let stranger = Signature.signingSecret(for: HookSecret.generated())
                #expect(try Self.verifies(request, signingSecret: stranger) == false)
            }
        }
    }

    @Test func withoutAnOverlapTheOldSecretStopsAtOnce() async throws {
        let app = try await Fixtures.deliveryApp()
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                let (bot, hook) = try await Fixtures.botWithHook(api, key: app.ownerKey, target: target)
                // When the secret is rotated without a body
                let rotated = try await api.request(
                    .post,
                    "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)/rotate-secret",
                    key: app.ownerKey
                ).json
                #expect(rotated["previousSecretExpiresAt"] == .null)
                _ = try await Fixtures.startConversation(app, bot: bot)
                let request = try await receiver.waitForRequests(1)[0]
                // Then only the new secret signs
                #expect(request.header("webhook-signature")?.split(separator: " ").count == 1)
                #expect(try Self.verifies(request, signingSecret: rotated["signingSecret"]!.string!) == true)
                #expect(try Self.verifies(request, signingSecret: hook["signingSecret"]!.string!) == false)
            }
        }
    }

    @Test func theOldTriggerURLWorksUntilTheOverlapEnds() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a sync.trigger hook rotated with a three-second overlap (room for a loaded machine's requests)
            let source = try await Fixtures.textSource(api, app)
            let hook = try await api.post(
                "/api/v1/bots/\(source.bot)/hooks",
                key: app.ownerKey,
                json: #"{"type": "sync.trigger", "dataSourceId": "\#(source.id)"}"#
            ).json
            let oldPath = try #require(hook["triggerUrl"]?.string.flatMap(URL.init(string:))?.path)
            let rotated = try await api.post(
                "/api/v1/bots/\(source.bot)/hooks/\(hook["id"]!.string!)/rotate-secret",
                key: app.ownerKey,
                json: #"{"overlapSeconds": 3}"#
            ).json
            let newPath = try #require(rotated["triggerUrl"]?.string.flatMap(URL.init(string:))?.path)
            // Then both URLs trigger during the overlap
            #expect(try await api.get(oldPath, key: nil).status == .ok)
            #expect(try await api.get(newPath, key: nil).status == .ok)
            // And once it has ended only the new one does, and the hook no longer shows an expiry
            let expires = try #require(rotated["previousSecretExpiresAt"]?.string.flatMap(Timestamp.init(iso8601:)))
            let left = expires.millisecondsSince1970 - Timestamp.now().millisecondsSince1970
            try await Task.sleep(for: .milliseconds(max(0, left) + 100))
            #expect(try await api.get(oldPath, key: nil).status == .notFound)
            #expect(try await api.get(newPath, key: nil).status == .ok)
            let now = try await api.get("/api/v1/bots/\(source.bot)/hooks/\(hook["id"]!.string!)", key: app.ownerKey)
            #expect(try now.json["previousSecretExpiresAt"] == .null)
        }
    }

    @Test(arguments: ["-1", "604801", "1.5", "\"60\""])
    func anOverlapOutsideZeroToAWeekIsRefused(overlap: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let hook = try await Fixtures.hook(
                api,
                key: app.ownerKey,
                bot: bot,
                #"{"type": "conversation.started", "targetUrl": "\#(HookRoutesTests.publicTarget)"}"#
            )
            let reply = try await api.post(
                "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)/rotate-secret",
                key: app.ownerKey,
                json: #"{"overlapSeconds": \#(overlap)}"#
            )
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "overlapSeconds")
        }
    }

    /// Whether the Standard Webhooks library (`scripts/verify-webhook.py`) accepts the request's signature under
    /// `signingSecret`.
    static func verifies(_ request: TestReceiver.Received, signingSecret: String) throws -> Bool {
        let delivery: JSONValue = [
            "body": .string(request.body),
            "headers": [
                "webhook-id": .string(request.header("webhook-id") ?? ""),
                "webhook-timestamp": .string(request.header("webhook-timestamp") ?? ""),
                "webhook-signature": .string(request.header("webhook-signature") ?? ""),
            ],
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", packageRoot.appendingPathComponent("scripts/verify-webhook.py").path, signingSecret,
        ]
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(delivery))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        try #require(process.terminationStatus != 2, "the standardwebhooks package is missing: run make setup")
        return process.terminationStatus == 0
    }
}
