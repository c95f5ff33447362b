import Testing

@testable import App

@Suite struct PaginationTests {
    @Test func listsPageInCreationOrderUntilNextCursorIsNull() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given five bots
            var created: [String] = []
            for index in 0..<5 {
                created.append(try await api.createBot(name: "Bot \(index)", key: app.ownerKey)["id"]!.string!)
            }
            // When we walk the list two at a time
            var seen: [String] = []
            var cursor: String?
            repeat {
                let query = "/api/v1/bots?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await api.get(query, key: app.ownerKey).json
                let data = try #require(page["data"]?.array)
                #expect(data.count <= 2)
                seen += data.compactMap { $0["id"]?.string }
                cursor = page["nextCursor"]?.string
                if cursor == nil { #expect(page["nextCursor"] == .null) }
            } while cursor != nil
            // Then every bot appears once, oldest first
            #expect(seen == created)
        }
    }

    @Test func defaultLimitIs50() async throws {
        let app = try await TestApp()
        try await app.run { api in
            for index in 0..<51 { _ = try await api.createBot(name: "Bot \(index)", key: app.ownerKey) }
            let page = try await api.get("/api/v1/bots", key: app.ownerKey).json
            #expect(page["data"]?.array?.count == 50)
            #expect(page["nextCursor"]?.string != nil)
        }
    }

    @Test(arguments: ["limit=0", "limit=201", "limit=abc", "limit=", "cursor=not-a-cursor", "cursor=%00%01"])
    func badListParametersAre400(query: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let reply = try await api.get("/api/v1/bots?\(query)", key: app.ownerKey)
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "invalid_parameter")
        }
    }

    @Test func emptyListHasNoCursor() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let page = try await api.get("/api/v1/agents", key: app.ownerKey).json
            #expect(page == .object(["data": .array([]), "nextCursor": .null]))
        }
    }
}
