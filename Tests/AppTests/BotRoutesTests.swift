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
            #expect(bot.keys == ["id", "name", "humanTakeoverEnabled", "createdAt", "updatedAt"])
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
}
