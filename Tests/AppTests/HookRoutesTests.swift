import Crypto
import Foundation
import Testing

@testable import App

@Suite struct HookRoutesTests {
    /// A public address that is never contacted: creating a hook only checks the target.
    static let publicTarget = "https://93.184.215.14/hooks/switchboard"

    /// A text data source of the bot, for sync hooks to name.
    func createDataSource(_ api: API, botID: String, key: String) async throws -> String {
        let reply = try await api.post(
            "/api/v1/bots/\(botID)/data-sources",
            key: key,
            json: #"{"name": "FAQ", "type": "text"}"#
        )
        return try reply.json["id"]!.string!
    }

    func createHook(_ api: API, botID: String, key: String, json: String) async throws -> JSONValue {
        let reply = try await api.post("/api/v1/bots/\(botID)/hooks", key: key, json: json)
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.json
    }

    @Test func createGeneratesASecretAndItsSigningForm() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            // When
            let hook = try await createHook(
                api,
                botID: bot,
                key: app.ownerKey,
                json: #"{"type": "conversation.started", "targetUrl": "\#(Self.publicTarget)"}"#
            )
            // Then
            let secret = try #require(hook["secret"]?.string)
            #expect(secret.wholeMatch(of: /[0-9a-f]{32}/) != nil)
            #expect(hook["signingSecret"]?.string == "whsec_" + Data(secret.utf8).base64EncodedString())
            #expect(hook["enabled"]?.bool == true)
            #expect(hook["consecutiveFailures"]?.int == 0)
            #expect(hook["triggerUrl"] == .null && hook["disabledReason"] == .null && hook["lastError"] == .null)
            #expect(hook["botId"]?.string == bot && hook["targetUrl"]?.string == Self.publicTarget)
        }
    }

    @Test func generatedSecretsDiffer() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let body = #"{"type": "sync.success", "targetUrl": "\#(Self.publicTarget)"}"#
            let first = try await createHook(api, botID: bot, key: app.ownerKey, json: body)
            let second = try await createHook(api, botID: bot, key: app.ownerKey, json: body)
            #expect(first["secret"] != second["secret"])
        }
    }

    @Test func syncTriggerHookGetsATriggerURLWithItsSecret() async throws {
        let app = try await TestApp { $0.publicURL = "https://switchboard.example.com" }
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let dataSource = try await createDataSource(api, botID: bot, key: app.ownerKey)
            let hook = try await createHook(
                api,
                botID: bot,
                key: app.ownerKey,
                json: #"{"type": "sync.trigger", "dataSourceId": "\#(dataSource)", "secret": "my-chosen_secret-123"}"#
            )
            #expect(hook["secret"]?.string == "my-chosen_secret-123")
            #expect(hook["dataSourceId"]?.string == dataSource)
            #expect(hook["targetUrl"] == .null)
            #expect(
                hook["triggerUrl"]?.string
                    == "https://switchboard.example.com/api/public/hooks/\(hook["id"]!.string!)/my-chosen_secret-123"
            )
        }
    }

    @Test func rotateSecretReplacesItAndTheTriggerURL() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let hook = try await createHook(
                api,
                botID: bot,
                key: app.ownerKey,
                json:
                    #"{"type": "sync.trigger", "dataSourceId": "\#(try await createDataSource(api, botID: bot, key: app.ownerKey))"}"#
            )
            let path = "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)"
            // When rotated without a body, then with a chosen secret
            let rotated = try await api.request(.post, "\(path)/rotate-secret", key: app.ownerKey)
            #expect(rotated.status == .ok)
            let generated = try rotated.json
            #expect(generated["secret"] != hook["secret"] && generated["triggerUrl"] != hook["triggerUrl"])
            let chosen = try await api.post(
                "\(path)/rotate-secret",
                key: app.ownerKey,
                json: #"{"secret": "0123456789abcdefXYZ"}"#
            )
            // Then the hook keeps only the newest
            #expect(try chosen.json["secret"]?.string == "0123456789abcdefXYZ")
            #expect(try await api.get(path, key: app.ownerKey).json["secret"]?.string == "0123456789abcdefXYZ")
        }
    }

    @Test(arguments: ["short", "has space in it here", "ünïcödé-secret-value", String(repeating: "a", count: 129)])
    func invalidChosenSecretIs422(secret: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let reply = try await api.post(
                "/api/v1/bots/\(bot)/hooks",
                key: app.ownerKey,
                json:
                    #"{"type": "sync.success", "targetUrl": "\#(Self.publicTarget)", "secret": \#(jsonString(secret))}"#
            )
            #expect(reply.status == .unprocessableContent)
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "secret")
        }
    }

    @Test(arguments: [
        (#"{"type": "conversation.deleted", "targetUrl": "https://93.184.215.14/"}"#, "type"),
        (#"{"type": "conversation.started"}"#, "targetUrl"),
        (#"{"type": "conversation.started", "targetUrl": "ftp://93.184.215.14/"}"#, "targetUrl"),
        (#"{"type": "conversation.started", "targetUrl": "not a url"}"#, "targetUrl"),
        (#"{"type": "sync.trigger"}"#, "dataSourceId"),
        (#"{"type": "sync.trigger", "dataSourceId": "abc"}"#, "dataSourceId"),
        (
            #"{"type": "sync.trigger", "dataSourceId": "2f1e8a50-0000-4000-8000-000000000000", "targetUrl": "https://93.184.215.14/"}"#,
            "targetUrl"
        ),
        (
            #"{"type": "conversation.claimed", "targetUrl": "https://93.184.215.14/", "dataSourceId": "2f1e8a50-0000-4000-8000-000000000000"}"#,
            "dataSourceId"
        ),
    ])
    func invalidHookIs422NamingTheField(body: String, field: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let reply = try await api.post("/api/v1/bots/\(bot)/hooks", key: app.ownerKey, json: body)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == field)
        }
    }

    @Test func aDataSourceOfAnotherBotIsRefused() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let otherBot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let foreign = try await createDataSource(api, botID: otherBot, key: app.ownerKey)
            for dataSource in [foreign, UUID().uuidString.lowercased()] {
                let reply = try await api.post(
                    "/api/v1/bots/\(bot)/hooks",
                    key: app.ownerKey,
                    json: #"{"type": "sync.trigger", "dataSourceId": "\#(dataSource)"}"#
                )
                #expect(reply.status == .unprocessableContent)
                #expect(try reply.json["error"]?["details"]?["field"]?.string == "dataSourceId")
            }
        }
    }

    @Test(arguments: [
        "http://127.0.0.1:8080/", "http://localhost/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/", "http://[::1]/", "http://[fe80::1]/",
        "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/",
        "http://224.0.0.1/",
        // Spaces and control characters, which Foundation would quietly percent-encode into another URL.
        "http://example.com/a b", "http://example.com/\u{01}", "http://exa\tmple.com/", "http://example.com/\u{7F}",
    ])
    func privateOrMalformedTargetsAreRefused(target: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let reply = try await api.post(
                "/api/v1/bots/\(bot)/hooks",
                key: app.ownerKey,
                json: #"{"type": "conversation.started", "targetUrl": \#(jsonString(target))}"#
            )
            #expect(reply.status == .unprocessableContent, "\(target): \(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "targetUrl")
        }
    }

    @Test func allowPrivateTargetsLetsLoopbackThrough() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let reply = try await api.post(
                "/api/v1/bots/\(bot)/hooks",
                key: app.ownerKey,
                json: #"{"type": "conversation.started", "targetUrl": "http://127.0.0.1:9/hook"}"#
            )
            #expect(reply.status == .created)
        }
    }

    @Test func patchDisablesAndReenables() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let hook = try await createHook(
                api,
                botID: bot,
                key: app.ownerKey,
                json: #"{"type": "conversation.released", "targetUrl": "\#(Self.publicTarget)"}"#
            )
            let path = "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)"
            let disabled = try await api.patch(path, key: app.ownerKey, json: #"{"enabled": false}"#).json
            #expect(disabled["enabled"]?.bool == false)
            #expect(disabled["disabledReason"]?.string != nil)
            let enabled = try await api.patch(path, key: app.ownerKey, json: #"{"enabled": true}"#).json
            #expect(enabled["enabled"]?.bool == true)
            #expect(enabled["disabledReason"] == .null)
        }
    }

    @Test func patchChangesTheTargetAndClearsTheDataSourceFilter() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let hook = try await createHook(
                api,
                botID: bot,
                key: app.ownerKey,
                json:
                    #"{"type": "sync.failure", "targetUrl": "\#(Self.publicTarget)", "dataSourceId": "\#(try await createDataSource(api, botID: bot, key: app.ownerKey))"}"#
            )
            let path = "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)"
            let updated = try await api.patch(
                path,
                key: app.ownerKey,
                json: #"{"targetUrl": "https://93.184.215.15/new", "dataSourceId": null}"#
            ).json
            #expect(updated["targetUrl"]?.string == "https://93.184.215.15/new")
            #expect(updated["dataSourceId"] == .null)
            #expect(updated["secret"] == hook["secret"])
        }
    }

    @Test func listAndDelete() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let hook = try await createHook(
                api,
                botID: bot,
                key: app.ownerKey,
                json: #"{"type": "conversation.escalated", "targetUrl": "\#(Self.publicTarget)"}"#
            )
            let list = try await api.get("/api/v1/bots/\(bot)/hooks", key: app.ownerKey).json
            #expect(list["data"]?.array?.map { $0["id"] } == [hook["id"]])
            let path = "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)"
            #expect(try await api.delete(path, key: app.ownerKey).status == .noContent)
            #expect(try await api.get(path, key: app.ownerKey).status == .notFound)
        }
    }

    @Test func hooksOfAnotherBotAreNotFound() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let otherBot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let hook = try await createHook(
                api,
                botID: bot,
                key: app.ownerKey,
                json: #"{"type": "conversation.escalated", "targetUrl": "\#(Self.publicTarget)"}"#
            )
            let reply = try await api.get("/api/v1/bots/\(otherBot)/hooks/\(hook["id"]!.string!)", key: app.ownerKey)
            #expect(reply.status == .notFound)
        }
    }

    @Test func deletingTheBotDeletesItsHooksAndTheirDeliveries() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a bot with a paused hook and a delivery waiting for it
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            _ = try await createHook(
                api,
                botID: bot,
                key: app.ownerKey,
                json: #"{"type": "conversation.started", "targetUrl": "\#(Self.publicTarget)", "enabled": false}"#
            )
            _ = try await api.startConversation(bot: bot)
            let rows = { @Sendable in
                (try await app.count("SELECT COUNT(*) FROM hook"), try await app.count("SELECT COUNT(*) FROM delivery"))
            }
            #expect(try await rows() == (1, 1))
            // When the bot is deleted
            #expect(try await api.delete("/api/v1/bots/\(bot)", key: app.ownerKey).status == .noContent)
            // Then neither the hook nor its delivery is left
            #expect(try await rows() == (0, 0))
        }
    }

    @Test(arguments: [#""ordering": "conversation""#, #""maxPerSecond": 5"#, #""headers": {"X-A": "1"}"#])
    func aTriggerHookTakesNoDeliverySettings(setting: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let source = try await createDataSource(api, botID: bot, key: app.ownerKey)
            let reply = try await api.post(
                "/api/v1/bots/\(bot)/hooks",
                key: app.ownerKey,
                json: #"{"type": "sync.trigger", "dataSourceId": "\#(source)", \#(setting)}"#
            )
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "type")
        }
    }

}
