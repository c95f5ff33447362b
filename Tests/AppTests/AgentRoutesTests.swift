import Testing

@testable import App

@Suite struct AgentRoutesTests {
    @Test func createReturnsTheTokenOnce() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let agent = try await api.createAgent(name: "Ann", email: "ann@example.com", key: app.ownerKey)
            let token = try #require(agent["token"]?.string)
            #expect(token.hasPrefix("ak_") && token.count >= 3 + 32)
            #expect(agent["email"]?.string == "ann@example.com")

            let fetched = try await api.get("/api/v1/agents/\(agent["id"]!.string!)", key: app.ownerKey).json
            #expect(fetched["token"] == nil)
            #expect(
                fetched.keys == [
                    "id", "name", "email", "status", "capacity", "connected", "activeConversations", "createdAt",
                    "updatedAt",
                ]
            )
            // And a new agent is available, with room for three, not connected and with nothing to do
            #expect(fetched["status"]?.string == "available" && fetched["capacity"]?.int == 3)
            #expect(fetched["connected"]?.bool == false && fetched["activeConversations"]?.int == 0)
            let listed = try await api.get("/api/v1/agents", key: app.ownerKey).json
            #expect(listed["data"]?[0]?["token"] == nil)
            #expect(listed["data"]?[0]?["id"] == agent["id"])
        }
    }

    @Test(arguments: ["", "ann", "ann@", "@example.com", "ann@example", "ann smith@example.com", "ann@@example.com"])
    func invalidEmailIs422(email: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.post(
                "/api/v1/agents",
                key: app.ownerKey,
                json: #"{"name": "Ann", "email": \#(jsonString(email))}"#
            )
            #expect(reply.status == .unprocessableContent)
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "email")
        }
    }

    @Test func deletingAnAgentRevokesItsToken() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let agent = try await api.createAgent(key: app.ownerKey)
            let token = agent["token"]!.string!
            #expect(try await api.get("/api/v1/bots", key: token).status == .forbidden)

            let reply = try await api.delete("/api/v1/agents/\(agent["id"]!.string!)", key: app.ownerKey)
            #expect(reply.status == .noContent)
            #expect(try await api.get("/api/v1/bots", key: token).status == .unauthorized)
            #expect(try await api.get("/api/v1/agents/\(agent["id"]!.string!)", key: app.ownerKey).status == .notFound)
        }
    }

    @Test func anAgentSeesTheirColleaguesButCannotChangeThem() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let ann = try await api.createAgent(name: "Ann", email: "ann@example.com", key: app.ownerKey)
            let bob = try await api.createAgent(name: "Bob", email: "bob@example.com", key: app.ownerKey)
            let token = ann["token"]!.string!
            // Ann lists her colleagues (whom she may hand a conversation to), tokens never shown
            let listed = try await api.get("/api/v1/agents", key: token).json["data"]!.array!
            #expect(listed.compactMap { $0["name"]?.string } == ["Ann", "Bob"])
            #expect(listed.allSatisfy { $0["token"] == nil })
            // But she cannot read one by id, change or delete anyone: those are the owner's
            let path = "/api/v1/agents/\(bob["id"]!.string!)"
            #expect(try await api.get(path, key: token).status == .forbidden)
            #expect(try await api.patch(path, key: token, json: #"{"name": "B"}"#).status == .forbidden)
            #expect(try await api.delete(path, key: token).status == .forbidden)
        }
    }
}
