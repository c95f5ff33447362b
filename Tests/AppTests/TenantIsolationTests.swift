import Foundation
import Hummingbird
import Testing

@testable import App

@Suite struct TenantIsolationTests {
    /// Every owner route that names a resource, tried with another workspace's key, answers 404.
    @Test func everyOwnerRouteHidesAnotherWorkspacesResources() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let routes = try await routerForInspection().routes.map { (method: $0.method, path: $0.path.description) }
            .filter { $0.path.hasPrefix("/api/v1/") && !$0.path.hasPrefix("/api/v1/public/") && $0.path.contains("{") }
            // Agent-only routes answer an owner 403 before looking: see ConversationTests for agents.
            .filter {
                !($0.method == .post
                    && ($0.path.hasSuffix("/claim") || $0.path.hasSuffix("{conversationId}/messages")
                        || $0.path.hasSuffix("{conversationId}/typing")))
            }
        #expect(!routes.isEmpty)
        try await app.run { api in
            // Given resources of workspace Acme
            let botID = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let hook = try await api.post(
                "/api/v1/bots/\(botID)/hooks",
                key: app.ownerKey,
                json: #"{"type": "conversation.started", "targetUrl": "http://127.0.0.1:9/", "enabled": false}"#
            )
            let hookID = try hook.json["id"]!.string!
            let conversationID = try await api.post(
                "/api/v1/bots/\(botID)/conversations",
                key: app.ownerKey,
                json: #"{"channelType": "api"}"#
            ).json["id"]!.string!
            // The conversation's delivery stays paused: its hook is disabled.
            let deliveryID = try await api.get("/api/v1/bots/\(botID)/hooks/\(hookID)/deliveries", key: app.ownerKey)
                .json["data"]![0]!["id"]!.string!
            let dataSourceID = try await api.post(
                "/api/v1/bots/\(botID)/data-sources",
                key: app.ownerKey,
                json: #"{"name": "FAQ", "type": "text"}"#
            ).json["id"]!.string!
            let rows = "/api/v1/bots/\(botID)/data-sources/\(dataSourceID)/rows"
            let row = #"{"rows": [{"key": "row-1", "title": "Row", "content": "A row."}]}"#
            #expect(try await api.request(.put, rows, key: app.ownerKey, body: row).status == .ok)
            let ids = [
                "{keyId}": try await api.get("/api/v1/workspace/keys", key: app.ownerKey).json["data"]![0]!["id"]!
                    .string!,
                "{botId}": botID,
                "{agentId}": try await api.createAgent(key: app.ownerKey)["id"]!.string!,
                "{hookId}": hookID,
                "{deliveryId}": deliveryID,
                "{dataSourceId}": dataSourceID,
                "{key}": "row-1",
                "{syncId}": try await api.request(
                    .post,
                    "/api/v1/bots/\(botID)/data-sources/\(dataSourceID)/syncs",
                    key: app.ownerKey
                ).json["id"]!.string!,
                "{conversationId}": conversationID,
            ]
            func filled(_ path: String) -> String {
                ids.reduce(path) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
            }
            for route in routes {
                let path = filled(route.path)
                try #require(!path.contains("{"), "no test resource for \(route); add one here")
                // When workspace Other asks for them, changes them or deletes them
                let reply = try await api.request(route.method, path, key: app.otherOwnerKey, body: "{}")
                // Then they do not exist
                #expect(reply.status == .notFound, "\(route)")
            }
            // And every one of them is still there for its owner, unchanged
            for route in routes where route.method == .get && route.path.hasSuffix("}") {
                let reply = try await api.get(filled(route.path), key: app.ownerKey)
                #expect(reply.status == .ok, "\(route)")
            }
            #expect(try await api.get(rows, key: app.ownerKey).json["data"]?[0]?["key"]?.string == "row-1")
            let kept = try await api.get("/api/v1/bots/\(botID)/hooks/\(hookID)", key: app.ownerKey).json
            #expect(kept["enabled"]?.bool == false && kept["targetUrl"]?.string == "http://127.0.0.1:9/")
        }
    }

    @Test func listsShowOnlyTheCallersWorkspace() async throws {
        let app = try await TestApp()
        try await app.run { api in
            _ = try await api.createBot(key: app.ownerKey)
            _ = try await api.createAgent(key: app.ownerKey)
            for path in ["/api/v1/bots", "/api/v1/agents"] {
                #expect(try await api.get(path, key: app.otherOwnerKey).json["data"] == .array([]))
            }
            #expect(try await api.get("/api/v1/workspace", key: app.otherOwnerKey).json["name"]?.string == "Other")
        }
    }
}
