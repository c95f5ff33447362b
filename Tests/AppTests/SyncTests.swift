import Foundation
import Testing

@testable import App

/// Syncs through the API: a text data source, its rows, jobs run by the real SyncWorker, hooks to a receiver.
@Suite struct SyncTests {

    static let japanese = "こんにちは世界、今日はいい天気ですね。"
    static let long = (1...40).map { "Sentence number \($0) of a long row, which goes on." }.joined(separator: " ")

    @Test func aFirstSyncThenAnUnchangedOneThenAChangeAndADeletion() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let source = try await Fixtures.textSource(api, app)
            try await Fixtures.putRows(api, app, source, [("a", "Alpha row."), ("b", Self.long), ("c", "Gamma row.")])
            // First sync: everything is new
            let first = try await Fixtures.sync(api, app, source)
            #expect(first["status"]?.string == "succeeded")
            let results = try #require(first["results"])
            #expect(results["modifiedRows"]?.int == 3 && results["unmodifiedRows"]?.int == 0)
            #expect(results["totalDataSourceRows"]?.int == 3)
            let documents = try await Fixtures.documents(api, app, source)
            #expect(results["totalDocuments"]?.int == documents.count && documents.count > 3)
            let tokens = documents.compactMap { $0["tokens"]?.int }
            #expect(results["totalTokens"]?.int == tokens.reduce(0, +))
            for document in documents {
                #expect(document["tokens"]?.int == sharedEncoding.count(document["text"]!.string!))
                #expect(document["tokens"]!.int! <= 64)
            }
            let bDocuments = documents.filter { $0["rowKey"]?.string == "b" }.compactMap { $0["text"]?.string }
            #expect(bDocuments.joined() == Self.long)
            // Unchanged: nothing modified, nothing spent
            let again = try await Fixtures.sync(api, app, source)
            #expect(again["results"]?["modifiedRows"]?.int == 0 && again["results"]?["unmodifiedRows"]?.int == 3)
            #expect(again["results"]?["totalTokens"]?.int == 0)
            #expect(again["results"]?["totalDocuments"]?.int == documents.count)
            // One change, one deletion
            try await Fixtures.putRows(api, app, source, [("a", "Alpha row, changed."), ("b", Self.long)])
            let third = try await Fixtures.sync(api, app, source)
            #expect(third["results"]?["modifiedRows"]?.int == 1 && third["results"]?["unmodifiedRows"]?.int == 1)
            #expect(third["results"]?["totalDataSourceRows"]?.int == 2)
            let after = try await Fixtures.documents(api, app, source)
            #expect(!after.contains { $0["rowKey"]?.string == "c" })
            #expect(after.filter { $0["rowKey"]?.string == "a" }.map { $0["text"] } == [.string("Alpha row, changed.")])
            #expect(third["results"]?["totalTokens"]?.int == sharedEncoding.count("Alpha row, changed."))
            // The month's use is the sum of what the syncs consumed
            let used = try await api.get("/api/v1/workspace", key: app.ownerKey).json["storageTokensUsedThisMonth"]?.int
            #expect(used == (results["totalTokens"]?.int ?? 0) + sharedEncoding.count("Alpha row, changed."))
        }
    }

    @Test func aWorkspaceOnO200kCountsWithItAndSwitchingRechunksEveryRow() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let source = try await Fixtures.textSource(api, app)
            try await Fixtures.putRows(api, app, source, [("a", "Alpha row."), ("b", Self.long), ("c", Self.japanese)])
            _ = try await Fixtures.sync(api, app, source)
            // When the workspace switches to o200k_base
            let patched = try await api.patch(
                "/api/v1/workspace",
                key: app.ownerKey,
                json: #"{"tokenEncoding": "o200k_base"}"#
            )
            #expect(try patched.json["tokenEncoding"]?.string == "o200k_base")
            let resync = try await Fixtures.sync(api, app, source)
            // Then every row is re-chunked and counted with o200k_base
            #expect(resync["results"]?["modifiedRows"]?.int == 3 && resync["results"]?["unmodifiedRows"]?.int == 0)
            let documents = try await Fixtures.documents(api, app, source)
            for document in documents {
                #expect(document["tokens"]?.int == sharedEncodings.o200k.count(document["text"]!.string!))
                #expect(document["tokens"]!.int! <= 64)
            }
            #expect(resync["results"]?["totalTokens"]?.int == documents.compactMap { $0["tokens"]?.int }.reduce(0, +))
            // (o200k_base counts this row as 9 tokens, cl100k_base as 16)
            #expect(documents.first { $0["rowKey"]?.string == "c" }?["tokens"]?.int == 9)
        }
    }

    @Test func aSyncOverThePlanLimitFailsAndLeavesTheDocumentsAlone() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let source = try await Fixtures.textSource(api, app)
            try await Fixtures.putRows(api, app, source, [("a", "Alpha row.")])
            _ = try await Fixtures.sync(api, app, source)
            let before = try await Fixtures.documents(api, app, source)
            #expect(before.map { $0["text"]?.string } == ["Alpha row."])
            _ = try await api.patch("/api/v1/workspace", key: app.ownerKey, json: #"{"monthlyStorageTokenLimit": 10}"#)
            try await Fixtures.putRows(api, app, source, [("a", Self.long)])
            // The dry run says so first
            let dryRun = try await api.request(.post, "\(source.base)/syncs?dryRun=true", key: app.ownerKey).json
            #expect(dryRun["allowed"]?.bool == false && dryRun["modifiedRows"]?.int == 1)
            #expect(dryRun["reason"]?.string == "Over plan storage token limit, please upgrade plan")
            let failed = try await Fixtures.sync(api, app, source)
            #expect(failed["status"]?.string == "failed")
            #expect(failed["reason"]?.string == "Over plan storage token limit, please upgrade plan")
            #expect(try await Fixtures.documents(api, app, source) == before)
        }
    }

    @Test func syncHooksCarryTheReferenceBodiesFilteredByDataSource() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        let receiver = TestReceiver()
        try await receiver.run { target in
            try await app.run { api in
                let source = try await Fixtures.textSource(api, app)
                let other = try await api.post(
                    "/api/v1/bots/\(source.bot)/data-sources",
                    key: app.ownerKey,
                    json: #"{"name": "Other", "type": "text"}"#
                ).json["id"]!.string!
                for body in [
                    #"{"type": "sync.success", "targetUrl": "\#(target)"}"#,
                    #"{"type": "sync.success", "targetUrl": "\#(target)", "dataSourceId": "\#(other)"}"#,
                    #"{"type": "sync.failure", "targetUrl": "\#(target)", "dataSourceId": "\#(source.id)"}"#,
                ] {
                    #expect(
                        try await api.post("/api/v1/bots/\(source.bot)/hooks", key: app.ownerKey, json: body).status
                            == .created
                    )
                }
                try await Fixtures.putRows(api, app, source, [("a", "Alpha row.")])
                let job = try await Fixtures.sync(api, app, source)
                _ = try await api.patch(
                    "/api/v1/workspace",
                    key: app.ownerKey,
                    json: #"{"monthlyStorageTokenLimit": 0}"#
                )
                try await Fixtures.putRows(api, app, source, [("a", "Changed.")])
                _ = try await Fixtures.sync(api, app, source)
                let requests = try await receiver.waitForRequests(2)
                try await Task.sleep(for: .milliseconds(300))
                #expect(receiver.requests.count == 2, "the hook filtered to the other source must not fire")
                let success = try JSONDecoder().decode(JSONValue.self, from: Data(requests[0].body.utf8))
                #expect(success["success"]?.bool == true)
                #expect(success["bot"]?.string == "Testing bot" && success["dataSource"]?.string == "Data source one")
                #expect(success["results"] == job["results"])
                #expect(
                    success["results"]?.keys == [
                        "totalTokens", "modifiedRows", "totalDocuments", "unmodifiedRows", "totalDataSourceRows",
                    ]
                )
                let failure = try JSONDecoder().decode(JSONValue.self, from: Data(requests[1].body.utf8))
                #expect(failure["success"]?.bool == false)
                #expect(failure["reason"]?.string == "Over plan storage token limit, please upgrade plan")
                #expect(failure["bot"]?.string == "Testing bot" && failure["dataSource"]?.string == "Data source one")
            }
        }
    }

    @Test func theTriggerURLQueuesOneSyncThatConcurrentTriggersJoin() async throws {
        let app = try await TestApp { $0.allowPrivateTargets = true }
        // A page the test answers when it chooses holds a sync of its source running
        let site = TestWebsite()
        site.set("slow", TestWebsite.Page("<p>Slow page.</p>"))
        site.hold("slow")
        try await site.run { base in
            try await app.run { api in
                let source = try await Fixtures.urlSource(api, app, rows: [("slow", "\(base)/slow")])
                let hook = try await api.post(
                    "/api/v1/bots/\(source.bot)/hooks",
                    key: app.ownerKey,
                    json: #"{"type": "sync.trigger", "dataSourceId": "\#(source.id)"}"#
                ).json
                let path = try #require(URL(string: hook["triggerUrl"]!.string!)?.path)
                // Given a first sync running, so that the next one waits in the queue
                _ = try await api.request(.post, "\(source.base)/syncs", key: app.ownerKey)
                while site.hitCount("slow") == 0 { try await Task.sleep(for: .milliseconds(5)) }
                // When five triggers come at once, and an owner asks too
                let replies = try await withThrowingTaskGroup(of: API.Reply.self) { group in
                    for _ in 0..<5 { group.addTask { try await api.get(path, key: nil) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for reply in replies {
                    #expect(reply.status == .ok)
                    #expect(try reply.json == .object(["success": .bool(true)]))
                }
                let joined = try await api.request(.post, "\(source.base)/syncs", key: app.ownerKey)
                // Then they all joined one queued job
                #expect(joined.status == .ok, "an owner's request joins the queued job")
                let history = try await api.get("\(source.base)/syncs", key: app.ownerKey).json["data"]?.array ?? []
                #expect(history.count == 2, "\(history.map { $0["status"] })")
                #expect(history.last?["trigger"]?.string == "hook")
                site.release("slow")
                _ = try await Fixtures.finished(api, app, id: try joined.json["id"]!.string!)
                #expect(site.hitCount("slow") == 2)
            }
        }
    }

    @Test func aWrongSecretAnUnknownHookOrARotatedSecretIs404() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let source = try await Fixtures.textSource(api, app)
            let hook = try await api.post(
                "/api/v1/bots/\(source.bot)/hooks",
                key: app.ownerKey,
                json: #"{"type": "sync.trigger", "dataSourceId": "\#(source.id)"}"#
            ).json
            let id = hook["id"]!.string!
            let old = "/api/public/hooks/\(id)/\(hook["secret"]!.string!)"
            #expect(try await api.get(old, key: nil).status == .ok)
            for path in ["/api/public/hooks/\(id)/wrong-secret-000000", "/api/public/hooks/\(UUID().uuidString)/x"] {
                let reply = try await api.get(path, key: nil)
                #expect(reply.status == .notFound)
                #expect(try reply.json == .object(["success": .bool(false)]))
            }
            _ = try await api.request(.post, "/api/v1/bots/\(source.bot)/hooks/\(id)/rotate-secret", key: app.ownerKey)
            #expect(try await api.get(old, key: nil).status == .notFound)
            _ = try await api.patch(
                "/api/v1/bots/\(source.bot)/hooks/\(id)",
                key: app.ownerKey,
                json: #"{"enabled": false}"#
            )
            let current = try await api.get("/api/v1/bots/\(source.bot)/hooks/\(id)", key: app.ownerKey).json
            #expect(
                try await api.get("/api/public/hooks/\(id)/\(current["secret"]!.string!)", key: nil).status == .notFound
            )
        }
    }
}
