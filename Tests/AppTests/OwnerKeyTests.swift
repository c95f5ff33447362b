import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import App

/// Owner keys, security headers, rate limits and stream bounds (DESIGN.md §1 and §4).
@Suite struct OwnerKeyTests {
    @Test func rotatingTheKeyGivesANewOneOnceAndTheOldStopsAtOnce() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let rotated = try await api.request(.post, "/api/v1/workspace/rotate-key", key: app.ownerKey)
            #expect(rotated.status == .created, "\(rotated.text)")
            let newKey = try #require(try rotated.json["apiKey"]?.string)
            #expect(newKey.hasPrefix("sk_") && newKey != app.ownerKey)
            #expect(try await api.get("/api/v1/workspace", key: app.ownerKey).status == .unauthorized)
            #expect(try await api.get("/api/v1/workspace", key: newKey).status == .ok)
            // The secret is shown that once
            let listed = try await api.get("/api/v1/workspace/keys", key: newKey).json
            #expect(listed["data"]?.array?.count == 1)
            #expect(listed["data"]?.array?.first?["apiKey"] == nil)
            #expect(listed["data"]?.array?.first?["name"]?.string == "Default")
        }
    }

    @Test func aSecondNamedKeyReplacesTheFirstWithoutDowntime() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given a second key, created with the first
            let created = try await api.post("/api/v1/workspace/keys", key: app.ownerKey, json: #"{"name": "CI"}"#)
            #expect(created.status == .created, "\(created.text)")
            let second = try #require(try created.json["apiKey"]?.string)
            let keys = try await api.get("/api/v1/workspace/keys", key: second).json["data"]!.array!
            #expect(keys.map { $0["name"]!.string! } == ["Default", "CI"])
            #expect(keys.map { $0["current"]!.bool! } == [false, true])
            // When the second deletes the first
            let first = keys[0]["id"]!.string!
            #expect(try await api.request(.delete, "/api/v1/workspace/keys/\(first)", key: second).status == .noContent)
            // Then the first no longer works and the second does
            #expect(try await api.get("/api/v1/workspace", key: app.ownerKey).status == .unauthorized)
            #expect(try await api.get("/api/v1/workspace", key: second).status == .ok)
        }
    }

    @Test func theLastKeyCannotBeDeleted() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let only = try await api.get("/api/v1/workspace/keys", key: app.ownerKey).json["data"]!.array![0]
            let reply = try await api.request(
                .delete,
                "/api/v1/workspace/keys/\(only["id"]!.string!)",
                key: app.ownerKey
            )
            #expect(reply.status == .conflict)
            #expect(try reply.json["error"]?["code"]?.string == "last_key")
            #expect(try await api.get("/api/v1/workspace", key: app.ownerKey).status == .ok)
        }
    }

    @Test func aWorkspaceHoldsABoundedNumberOfKeys() async throws {
        let app = try await TestApp()
        try await app.run { api in
            for index in 1..<APIKey.perWorkspace {
                let reply = try await api.post(
                    "/api/v1/workspace/keys",
                    key: app.ownerKey,
                    json: #"{"name": "k\#(index)"}"#
                )
                #expect(reply.status == .created)
            }
            let over = try await api.post("/api/v1/workspace/keys", key: app.ownerKey, json: #"{"name": "one more"}"#)
            #expect(over.status == .conflict)
            #expect(try over.json["error"]?["code"]?.string == "key_limit")
        }
    }

    @Test func agentsCannotManageKeys() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let agent = try await api.createAgent(key: app.ownerKey)["token"]!.string!
            #expect(try await api.get("/api/v1/workspace/keys", key: agent).status == .forbidden)
            #expect(try await api.request(.post, "/api/v1/workspace/rotate-key", key: agent).status == .forbidden)
        }
    }
}
