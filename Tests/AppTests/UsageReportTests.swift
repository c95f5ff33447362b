import Foundation
import Testing

@testable import App

/// `GET /api/v1/workspace/usage` (DESIGN.md §7, "Usage report").
@Suite struct UsageReportTests {
    @Test func theReportSumsTheMonthsSyncsByDayBotAndDataSource() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // Given two bots whose data sources synced today, one of them deleted since
            let small = try await Fixtures.textSource(api, app)
            try await Fixtures.putRows(api, app, small, [("a", "Short row.")])
            let large = try await Fixtures.textSource(api, app)
            try await Fixtures.putRows(api, app, large, [("a", SyncTests.long), ("b", SyncTests.japanese)])
            let gone = try await Fixtures.textSource(api, app)
            try await Fixtures.putRows(api, app, gone, [("a", "This one is deleted after its sync.")])
            var spent: [String: Int] = [:]
            for source in [small, large, gone] {
                spent[source.id] = try await Fixtures.sync(api, app, source)["results"]?["totalTokens"]?.int
            }
            #expect(try await api.delete(gone.base, key: app.ownerKey).status == .noContent)
            // When the owner asks for this month's report
            let report = try await api.get("/api/v1/workspace/usage", key: app.ownerKey).json
            // Then the total is the month's use, all of it today, against the plan's limit
            let workspace = try await api.get("/api/v1/workspace", key: app.ownerKey).json
            let total = spent.values.reduce(0, +)
            #expect(report["totalTokens"]?.int == total)
            #expect(report["totalTokens"] == workspace["storageTokensUsedThisMonth"])
            #expect(report["monthlyStorageTokenLimit"] == workspace["monthlyStorageTokenLimit"])
            let today = String(Timestamp.now().iso8601.prefix(10))
            #expect(report["month"]?.string == String(today.prefix(7)))
            let days = try #require(report["days"]?.array)
            #expect(days.count >= 28 && days.first?["date"]?.string == String(today.prefix(7)) + "-01")
            #expect(days.first { $0["date"]?.string == today }?["tokens"]?.int == total)
            #expect(days.compactMap { $0["tokens"]?.int }.reduce(0, +) == total)
            // And each bot and data source has its share, the largest first; the deleted one keeps its tokens
            let bots = try #require(report["bots"]?.array)
            #expect(bots.count == 3)
            #expect(bots.first?["botId"]?.string == large.bot)
            #expect(bots.first?["dataSources"]?[0]?["tokens"]?.int == spent[large.id])
            #expect(bots.first?["dataSources"]?[0]?["name"]?.string == "Data source one")
            let deleted = try #require(bots.first { $0["botId"]?.string == gone.bot })
            #expect(deleted["dataSources"]?[0]?["dataSourceId"]?.string == gone.id)
            #expect(deleted["dataSources"]?[0]?["name"] == .null)
            #expect(deleted["tokens"]?.int == spent[gone.id])
        }
    }

    @Test func anotherMonthHasItsOwnDaysAndAMalformedMonthIsRefused() async throws {
        let app = try await TestApp()
        try await app.run { api in
            // A month with nothing synced: every day, all zero
            let february = try await api.get("/api/v1/workspace/usage?month=2024-02", key: app.ownerKey).json
            #expect(february["totalTokens"]?.int == 0)
            #expect(february["days"]?.array?.count == 29)
            #expect(february["days"]?.array?.last?["date"]?.string == "2024-02-29")
            #expect(february["bots"]?.array?.isEmpty == true)
            // Anything but YYYY-MM is a 400 naming the parameter
            for month in ["2026-13", "2026-1", "december", "2026-12-01", "１２３４-12"] {
                let refused = try await api.get("/api/v1/workspace/usage?month=\(month)", key: app.ownerKey)
                #expect(refused.status == .badRequest, "\(month)")
                #expect(try refused.json["error"]?["details"]?["parameter"]?.string == "month")
            }
        }
    }
}
