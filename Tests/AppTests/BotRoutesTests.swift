import Testing

@testable import App

@Suite struct BotRoutesTests {
    @Test func createAnswers201WithTheBotAndTakeoverOffByDefault() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // When
            let reply = try await api.post("/api/v1/bots", key: app.ownerKey, json: #"{"name": "  Support  "}"#)
            // Then
            #expect(reply.status == .created)
            let bot = try reply.json
            #expect(bot["name"]?.string == "Support")
            #expect(bot["humanTakeoverEnabled"]?.bool == false)
            #expect(
                bot.keys == [
                    "id", "name", "humanTakeoverEnabled", "assignment", "escalationTimeoutSeconds",
                    "escalationExpiredMessage",
                    "idleReleaseSeconds", "firstResponseSlaSeconds", "createdAt", "updatedAt",
                ]
            )
            // And agents claim by hand, every handoff timer is off, the expiry note the default one
            #expect(bot["assignment"]?.string == "claim")
            #expect(bot["escalationTimeoutSeconds"] == .null && bot["idleReleaseSeconds"] == .null)
            #expect(bot["firstResponseSlaSeconds"] == .null)
            #expect(bot["escalationExpiredMessage"]?.string == HandoffSettings.defaultExpiredMessage)
            let id = try #require(bot["id"]?.string)
            #expect(id == id.lowercased() && id.count == 36)
            #expect(bot["createdAt"]?.string?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
        }
    }

    @Test func getReturnsTheBotAsCreated() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(name: "Sales", humanTakeoverEnabled: true, key: app.ownerKey)
            let reply = try await api.get("/api/v1/bots/\(bot["id"]!.string!)", key: app.ownerKey)
            #expect(reply.status == .ok)
            #expect(try reply.json == bot)
        }
    }

    @Test func patchChangesOnlyTheGivenFields() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(name: "Sales", key: app.ownerKey)
            let path = "/api/v1/bots/\(bot["id"]!.string!)"
            // When
            let reply = try await api.patch(path, key: app.ownerKey, json: #"{"humanTakeoverEnabled": true}"#)
            // Then
            #expect(reply.status == .ok)
            let updated = try reply.json
            #expect(updated["name"]?.string == "Sales")
            #expect(updated["humanTakeoverEnabled"]?.bool == true)
            #expect(updated["createdAt"] == bot["createdAt"])
            #expect(try await api.get(path, key: app.ownerKey).json == updated)
        }
    }

    @Test func patchRenames() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(name: "Sales", key: app.ownerKey)
            let reply = try await api.patch(
                "/api/v1/bots/\(bot["id"]!.string!)",
                key: app.ownerKey,
                json: #"{"name": "Billing"}"#
            )
            #expect(try reply.json["name"]?.string == "Billing")
        }
    }

    @Test func deleteAnswers204AndTheBotIsGone() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)
            let path = "/api/v1/bots/\(bot["id"]!.string!)"
            let reply = try await api.delete(path, key: app.ownerKey)
            #expect(reply.status == .noContent)
            #expect(reply.text.isEmpty)
            #expect(try await api.get(path, key: app.ownerKey).status == .notFound)
            #expect(try await api.delete(path, key: app.ownerKey).status == .notFound)
        }
    }

    @Test func unknownBotIs404() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/api/v1/bots/00000000-0000-0000-0000-000000000000", key: app.ownerKey)
            #expect(reply.status == .notFound)
            #expect(reply.errorCode == "not_found")
        }
    }

    @Test(arguments: [
        (#"{"name": ""}"#, "name"),
        (#"{"name": "   "}"#, "name"),
        ("{\"name\": \"\(String(repeating: "x", count: 201))\"}", "name"),
        (#"{}"#, "name"),
        (#"{"name": null}"#, "name"),
        (#"{"name": 5}"#, "name"),
        (#"{"name": "Ok", "humanTakeoverEnabled": "yes"}"#, "humanTakeoverEnabled"),
        (#"{"name": "Ok", "escalationTimeoutSeconds": 4}"#, "escalationTimeoutSeconds"),
        (#"{"name": "Ok", "assignment": "round-robin"}"#, "assignment"),
        (#"{"name": "Ok", "escalationTimeoutSeconds": 604801}"#, "escalationTimeoutSeconds"),
        (#"{"name": "Ok", "idleReleaseSeconds": 90.5}"#, "idleReleaseSeconds"),
        (#"{"name": "Ok", "firstResponseSlaSeconds": "60"}"#, "firstResponseSlaSeconds"),
        (#"{"name": "Ok", "escalationExpiredMessage": "  "}"#, "escalationExpiredMessage"),
        (
            "{\"name\": \"Ok\", \"escalationExpiredMessage\": \"\(String(repeating: "x", count: 1001))\"}",
            "escalationExpiredMessage"
        ),
    ])
    func invalidFieldsAre422NamingTheField(body: String, field: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.post("/api/v1/bots", key: app.ownerKey, json: body)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.errorCode == "invalid_field")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == field)
        }
    }

    @Test func nameOf200CharactersIsAccepted() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let name = String(repeating: "é", count: 200)
            let reply = try await api.post("/api/v1/bots", key: app.ownerKey, json: "{\"name\": \"\(name)\"}")
            #expect(reply.status == .created)
        }
    }

    @Test func invalidPatchIs422AndChangesNothing() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(name: "Sales", key: app.ownerKey)
            let path = "/api/v1/bots/\(bot["id"]!.string!)"
            let reply = try await api.patch(
                path,
                key: app.ownerKey,
                json: #"{"name": "", "humanTakeoverEnabled": true}"#
            )
            #expect(reply.status == .unprocessableContent)
            #expect(try await api.get(path, key: app.ownerKey).json == bot)
        }
    }

    @Test func handoffTimersAreSetOnCreateChangedByPatchAndTurnedOffWithNull() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a bot created with an escalation timeout and an SLA
            let created = try await api.post(
                "/api/v1/bots",
                key: app.ownerKey,
                json: #"{"name": "Desk", "escalationTimeoutSeconds": 600, "firstResponseSlaSeconds": 120}"#
            )
            #expect(created.status == .created)
            let path = "/api/v1/bots/\(try created.json["id"]!.string!)"
            // When a PATCH sets the idle timer and the note, and turns the timeout off
            let patched = try await api.patch(
                path,
                key: app.ownerKey,
                json: #"""
                    {"idleReleaseSeconds": 900, "escalationTimeoutSeconds": null,
                     "escalationExpiredMessage": "We will email {email}."}
                    """#
            ).json
            // Then the fields sent changed, the SLA it did not name stayed, and a read shows the same
            #expect(patched["escalationTimeoutSeconds"] == .null)
            #expect(patched["idleReleaseSeconds"]?.int == 900)
            #expect(patched["firstResponseSlaSeconds"]?.int == 120)
            #expect(patched["escalationExpiredMessage"]?.string == "We will email {email}.")
            #expect(try await api.get(path, key: app.ownerKey).json == patched)
            // And a null note goes back to the default one
            let reset = try await api.patch(path, key: app.ownerKey, json: #"{"escalationExpiredMessage": null}"#).json
            #expect(reset["escalationExpiredMessage"]?.string == HandoffSettings.defaultExpiredMessage)
        }
    }

    @Test func anInvalidTimerInAPatchIs422AndChangesNothing() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(name: "Sales", key: app.ownerKey)
            let path = "/api/v1/bots/\(bot["id"]!.string!)"
            let reply = try await api.patch(
                path,
                key: app.ownerKey,
                json: #"{"name": "Renamed", "idleReleaseSeconds": 0}"#
            )
            #expect(reply.status == .unprocessableContent)
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "idleReleaseSeconds")
            #expect(try await api.get(path, key: app.ownerKey).json == bot)
        }
    }
}
