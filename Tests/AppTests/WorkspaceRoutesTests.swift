import Testing

@testable import App

@Suite struct WorkspaceRoutesTests {
    @Test func getShowsThePlanAndThisMonthsUse() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/api/v1/workspace", key: app.ownerKey)
            #expect(reply.status == .ok)
            let workspace = try reply.json
            #expect(workspace["name"]?.string == "Acme")
            #expect(workspace["monthlyStorageTokenLimit"]?.int == 1_000_000)
            #expect(workspace["storageTokensUsedThisMonth"]?.int == 0)
            #expect(workspace["tokenEncoding"]?.string == "cl100k_base")
        }
    }

    @Test func patchSetsTheLimitAndName() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.patch(
                "/api/v1/workspace",
                key: app.ownerKey,
                json: #"{"monthlyStorageTokenLimit": 5000, "name": "Acme Ltd"}"#
            )
            #expect(reply.status == .ok)
            let workspace = try await api.get("/api/v1/workspace", key: app.ownerKey).json
            #expect(workspace["monthlyStorageTokenLimit"]?.int == 5000)
            #expect(workspace["name"]?.string == "Acme Ltd")
        }
    }

    @Test func anUnknownTokenEncodingIs422() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.patch("/api/v1/workspace", key: app.ownerKey, json: #"{"tokenEncoding": "p50k"}"#)
            #expect(reply.status == .unprocessableContent)
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "tokenEncoding")
        }
    }

    @Test(arguments: [
        #"{"monthlyStorageTokenLimit": -1}"#, #"{"monthlyStorageTokenLimit": 1.5}"#,
        #"{"monthlyStorageTokenLimit": "lots"}"#,
    ])
    func invalidLimitIs422(body: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.patch("/api/v1/workspace", key: app.ownerKey, json: body)
            #expect(reply.status == .unprocessableContent)
            #expect(try reply.json["error"]?["details"]?["field"]?.string == "monthlyStorageTokenLimit")
        }
    }
}
