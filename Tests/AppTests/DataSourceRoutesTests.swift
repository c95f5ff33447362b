import Foundation
import Testing

@testable import App

@Suite struct DataSourceRoutesTests {
    static func createSource(_ api: API, _ app: TestApp, json: String) async throws -> (bot: String, source: JSONValue)
    {
        let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
        let reply = try await api.post("/api/v1/bots/\(bot)/data-sources", key: app.ownerKey, json: json)
        #expect(reply.status == .created, "\(reply.text)")
        return (bot, try reply.json)
    }

    static func rowsPath(_ bot: String, _ source: JSONValue) -> String {
        "/api/v1/bots/\(bot)/data-sources/\(source["id"]!.string!)/rows"
    }

    @Test func aTextSourceStartsWithTheDefaultChunkSize() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.createSource(api, app, json: #"{"name": "FAQ", "type": "text"}"#)
            #expect(source["chunkTokens"]?.int == 512)
            #expect(source["type"]?.string == "text")
            #expect(source["keyColumn"] == .null && source["contentColumns"] == .null)
            let listed = try await api.get("/api/v1/bots/\(bot)/data-sources", key: app.ownerKey).json
            #expect(listed["data"]?[0]?["id"] == source["id"])
            let renamed = try await api.patch(
                "/api/v1/bots/\(bot)/data-sources/\(source["id"]!.string!)",
                key: app.ownerKey,
                json: #"{"name": "Help", "chunkTokens": 256}"#
            ).json
            #expect(renamed["name"]?.string == "Help" && renamed["chunkTokens"]?.int == 256)
        }
    }

    @Test(arguments: [
        (#"{"name": "x", "type": "pdf"}"#, "type"), (#"{"name": "", "type": "text"}"#, "name"),
        (#"{"name": "x", "type": "text", "chunkTokens": 8}"#, "chunkTokens"),
        (#"{"name": "x", "type": "text", "chunkTokens": 1.5}"#, "chunkTokens"),
        (#"{"name": "x", "type": "csv", "contentColumns": ["a"]}"#, "keyColumn"),
        (#"{"name": "x", "type": "csv", "keyColumn": "id"}"#, "contentColumns"),
        (#"{"name": "x", "type": "text", "keyColumn": "id"}"#, "keyColumn"),
    ])
    func invalidSourcesAre422(body: String, field: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
            let reply = try await api.post("/api/v1/bots/\(bot)/data-sources", key: app.ownerKey, json: body)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == field)
        }
    }

    @Test func textRowsAreReplacedUpsertedDeletedAndListedByKey() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.createSource(api, app, json: #"{"name": "FAQ", "type": "text"}"#)
            let rows = Self.rowsPath(bot, source)
            let replaced = try await api.request(
                .put,
                rows,
                key: app.ownerKey,
                body: #"{"rows": [{"key": "b", "title": "B", "content": "bee"}, {"key": "a", "content": "ay"}]}"#
            )
            #expect(try replaced.json == .object(["written": .number(2), "totalDataSourceRows": .number(2)]))
            let upserted = try await api.post(
                rows,
                key: app.ownerKey,
                json: #"{"rows": [{"key": "a", "content": "AY"}, {"key": "c", "content": "see"}]}"#
            )
            #expect(try upserted.json["totalDataSourceRows"]?.int == 3)
            #expect(try await api.delete("\(rows)/b", key: app.ownerKey).status == .noContent)
            #expect(try await api.delete("\(rows)/b", key: app.ownerKey).status == .notFound)
            // Paged by key
            let first = try await api.get("\(rows)?limit=1", key: app.ownerKey).json
            #expect(first["data"]?[0]?["key"]?.string == "a" && first["data"]?[0]?["content"]?.string == "AY")
            let second = try await api.get("\(rows)?limit=1&cursor=\(first["nextCursor"]!.string!)", key: app.ownerKey)
                .json
            #expect(second["data"]?[0]?["key"]?.string == "c")
            #expect(second["nextCursor"] == .null)
            // Replacing drops what is not in the new set
            _ = try await api.request(
                .put,
                rows,
                key: app.ownerKey,
                body: #"{"rows": [{"key": "z", "content": "zed"}]}"#
            )
            #expect(try await api.get(rows, key: app.ownerKey).json["data"]?.array?.map { $0["key"] } == [.string("z")])
        }
    }

    @Test(arguments: [
        (#"{"rows": [{"key": "", "content": "x"}]}"#, "rows[0].key"),
        (#"{"rows": [{"key": "a", "content": "x"}, {"key": "a", "content": "y"}]}"#, "rows[1].key"),
        (#"{"rows": [{"key": "a"}]}"#, "rows[0].content"),
        (#"{"rows": [{"content": "x"}]}"#, "rows[0].key"),
    ])
    func invalidTextRowsAre422AndWriteNothing(body: String, field: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.createSource(api, app, json: #"{"name": "FAQ", "type": "text"}"#)
            let reply = try await api.request(.put, Self.rowsPath(bot, source), key: app.ownerKey, body: body)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == field)
            #expect(try await api.get(Self.rowsPath(bot, source), key: app.ownerKey).json["data"] == .array([]))
        }
    }

    @Test func rowUploadsMayBeLargerThanOneMebibyteButNotTen() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.createSource(api, app, json: #"{"name": "Big", "type": "text"}"#)
            let content = String(repeating: "word ", count: 180_000)  // 900 KB a row, 1.8 MB in all
            let body = #"{"rows": [{"key": "a", "content": "\#(content)"}, {"key": "b", "content": "\#(content)"}]}"#
            #expect(
                try await api.request(.put, Self.rowsPath(bot, source), key: app.ownerKey, body: body).status == .ok
            )
            let huge = #"{"rows": [{"key": "a", "content": "\#(String(repeating: "x", count: 11 << 20))"}]}"#
            let reply = try await api.request(.put, Self.rowsPath(bot, source), key: app.ownerKey, body: huge)
            #expect(reply.status == .contentTooLarge)
        }
    }

    @Test func csvRowsFollowRFC4180() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.createSource(
                api,
                app,
                json: #"{"name": "Products", "type": "csv", "keyColumn": "sku", "contentColumns": ["name", "notes"]}"#
            )
            let csv =
                "\u{FEFF}sku,name,notes,price\r\nA1,\"Widget, large\",\"Says \"\"hi\"\"\nover two lines\",5\r\nB2,Gadget,,7\r\n"
            let reply = try await api.request(
                .put,
                Self.rowsPath(bot, source),
                key: app.ownerKey,
                body: csv,
                contentType: "text/csv"
            )
            #expect(reply.status == .ok, "\(reply.text)")
            let rows = try await api.get(Self.rowsPath(bot, source), key: app.ownerKey).json["data"]?.array ?? []
            #expect(rows.map { $0["key"] } == [.string("A1"), .string("B2")])
            #expect(rows.first?["content"]?.string == "Widget, large\nSays \"hi\"\nover two lines")
            #expect(rows.last?["content"]?.string == "Gadget\n")
        }
    }

    @Test(arguments: [
        ("id,name,notes\n1,a,b\n", "keyColumn"), ("sku,title\n1,a\n", "contentColumns"),
        ("sku,name,notes\n,a,b\n", "csv"), ("sku,name,notes\n1,a,b\n1,c,d\n", "csv"),
    ])
    func invalidCSVIs422(csv: String, field: String) async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.createSource(
                api,
                app,
                json: #"{"name": "P", "type": "csv", "keyColumn": "sku", "contentColumns": ["name", "notes"]}"#
            )
            let reply = try await api.request(
                .put,
                Self.rowsPath(bot, source),
                key: app.ownerKey,
                body: csv,
                contentType: "text/csv"
            )
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.json["error"]?["details"]?["field"]?.string == field)
        }
    }

    @Test func aCSVSourceTakesOnlyTextCSV() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.createSource(
                api,
                app,
                json: #"{"name": "P", "type": "csv", "keyColumn": "sku", "contentColumns": ["name"]}"#
            )
            let reply = try await api.request(
                .put,
                Self.rowsPath(bot, source),
                key: app.ownerKey,
                body: #"{"rows": []}"#
            )
            #expect(reply.status == .unsupportedMediaType)
        }
    }

    @Test func urlRowsNeedHTTPURLs() async throws {
        let app = try await TestApp()
        try await app.run { api in
            let (bot, source) = try await Self.createSource(api, app, json: #"{"name": "Site", "type": "url"}"#)
            let good = try await api.request(
                .put,
                Self.rowsPath(bot, source),
                key: app.ownerKey,
                body: #"{"rows": [{"key": "home", "url": "https://example.com/"}]}"#
            )
            #expect(good.status == .ok)
            let bad = try await api.request(
                .put,
                Self.rowsPath(bot, source),
                key: app.ownerKey,
                body: #"{"rows": [{"key": "x", "url": "file:///etc/passwd"}]}"#
            )
            #expect(bad.status == .unprocessableContent)
            #expect(try bad.json["error"]?["details"]?["field"]?.string == "rows[0].url")
        }
    }
}
