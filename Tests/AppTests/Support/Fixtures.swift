import Foundation
import Hummingbird
import Testing

@testable import App

/// A data source a test made, and the base of its routes.
struct Source {
    let bot: String
    let id: String
    var base: String { "/api/v1/bots/\(bot)/data-sources/\(id)" }
}

/// What many suites set up the same way, through the API: bots, data sources and their rows, syncs,
/// conversations, hooks and their deliveries.
enum Fixtures {
    static func textSource(
        _ api: API,
        _ app: TestApp,
        chunkTokens: Int = 64,
        key: String? = nil
    ) async throws -> Source {
        let key = key ?? app.ownerKey
        let bot = try await api.createBot(name: "Testing bot", key: key)["id"]!.string!
        let reply = try await api.post(
            "/api/v1/bots/\(bot)/data-sources",
            key: key,
            json: #"{"name": "Data source one", "type": "text", "chunkTokens": \#(chunkTokens)}"#
        )
        return Source(bot: bot, id: try reply.json["id"]!.string!)
    }

    static func putRows(
        _ api: API,
        _ app: TestApp,
        _ source: Source,
        _ rows: [(String, String)],
        key: String? = nil
    ) async throws {
        try await putRows(api, app, source, objects: rows.map { ["key": $0.0, "content": $0.1] }, key: key)
    }

    /// Replaces a data source's rows with `rows`, each a row's fields as the API takes them.
    static func putRows(
        _ api: API,
        _ app: TestApp,
        _ source: Source,
        objects rows: [[String: String]],
        key: String? = nil
    ) async throws {
        let body = String(decoding: try JSONEncoder().encode(["rows": rows]), as: UTF8.self)
        let reply = try await api.request(.put, "\(source.base)/rows", key: key ?? app.ownerKey, body: body)
        #expect(reply.status == .ok, "\(reply.text)")
    }

    /// Starts a sync and waits for it to end; returns the finished job.
    static func sync(_ api: API, _ app: TestApp, _ source: Source, key: String? = nil) async throws -> JSONValue {
        let started = try await api.request(.post, "\(source.base)/syncs", key: key ?? app.ownerKey)
        #expect([.accepted, .ok].contains(started.status), "\(started.text)")
        return try await finished(api, app, id: try started.json["id"]!.string!, key: key)
    }

    static func finished(_ api: API, _ app: TestApp, id: String, key: String? = nil) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let job = try await api.get("/api/v1/syncs/\(id)", key: key ?? app.ownerKey).json
            if ["succeeded", "failed"].contains(job["status"]?.string) { return job }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("sync \(id) did not finish")
        return .null
    }

    static func documents(_ api: API, _ app: TestApp, _ source: Source) async throws -> [JSONValue] {
        try await api.get("\(source.base)/documents?limit=200", key: app.ownerKey).json["data"]?.array ?? []
    }

    static func urlSource(
        _ api: API,
        _ app: TestApp,
        rows: [(key: String, url: String)]
    ) async throws
        -> Source
    {
        let bot = try await api.createBot(name: "Docs bot", key: app.ownerKey)["id"]!.string!
        let reply = try await api.post(
            "/api/v1/bots/\(bot)/data-sources",
            key: app.ownerKey,
            json: #"{"name": "Help pages", "type": "url", "chunkTokens": 64}"#
        )
        let source = Source(bot: bot, id: try reply.json["id"]!.string!)
        try await Fixtures.putRows(api, app, source, objects: rows.map { ["key": $0.key, "url": $0.url] })
        return source
    }

    static let helpCentre: [(key: String, title: String, content: String)] = [
        (
            "returns", "Returns and refunds",
            "You can return any unused item within 30 days of delivery for a full refund. Start a return from your order page."
        ),
        (
            "shipping", "Shipping costs",
            "Standard shipping is free on orders over 50 euros; below that it costs 4.95 euros."
        ),
        ("stores", "Our stores", "Visit our stores in Lyon, Munich, Innsbruck and Bergen."),
    ]

    /// A bot with a synced text data source of `rows` (and human takeover as asked).
    static func botWithDocuments(
        _ api: API,
        _ app: TestApp,
        rows: [(key: String, title: String, content: String)] = helpCentre,
        takeover: Bool = true
    ) async throws -> (bot: String, source: Source) {
        let bot = try await api.createBot(name: "Help bot", humanTakeoverEnabled: takeover, key: app.ownerKey)["id"]!
            .string!
        let created = try await api.post(
            "/api/v1/bots/\(bot)/data-sources",
            key: app.ownerKey,
            json: #"{"name": "Help centre", "type": "text"}"#
        )
        let source = Source(bot: bot, id: try created.json["id"]!.string!)
        try await putRows(api, app, source, rows)
        #expect(try await Fixtures.sync(api, app, source)["status"]?.string == "succeeded")
        return (bot, source)
    }

    static func putRows(
        _ api: API,
        _ app: TestApp,
        _ source: Source,
        _ rows: [(key: String, title: String, content: String)]
    ) async throws {
        try await Fixtures.putRows(
            api,
            app,
            source,
            objects: rows.map { ["key": $0.key, "title": $0.title, "content": $0.content] }
        )
    }

    static func say(_ api: API, _ conversation: JSONValue, _ text: String) async throws -> JSONValue {
        let reply = try await api.post(
            "/api/v1/public/conversations/\(conversation["id"]!.string!)/messages",
            key: conversation["visitorToken"]!.string!,
            json: #"{"text": \#(jsonString(text))}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.json
    }

    /// A bot with human takeover, an agent token, and an app with roomy rate limits.
    static func botAndAgent(
        _ api: API,
        _ app: TestApp,
        takeover: Bool = true
    ) async throws -> (bot: String, agent: String) {
        let bot = try await api.createBot(humanTakeoverEnabled: takeover, key: app.ownerKey)["id"]!.string!
        let agent = try await api.createAgent(name: "Jane", email: "jane@example.com", key: app.ownerKey)["token"]!
            .string!
        return (bot, agent)
    }

    static func deliveryApp(
        schedule: [Int] = [1, 1, 1],
        disableAfter: Int = 10,
        timeout: Int = 10
    ) async throws -> TestApp {
        try await TestApp {
            $0.allowPrivateTargets = true
            $0.retrySchedule = schedule
            $0.disableAfter = disableAfter
            $0.deliveryTimeout = timeout
        }
    }

    /// Starts a web conversation of `bot` in the store, as the public route does (so it works while the app is
    /// down, too), and answers the `conversation.started` deliveries it queued, one per hook.
    static func startConversation(_ app: TestApp, bot: String) async throws -> [Delivery] {
        let started = try await app.store.startConversation(
            bot: try await app.store.bot(id: bot, workspaceID: nil),
            NewConversation(channelType: "web"),
            reply: nil
        ).conversation
        return try await app.records(
            Delivery.self,
            "SELECT * FROM delivery WHERE createdAt >= ? ORDER BY createdAt",
            [started.createdAt.millisecondsSince1970]
        ).filter { delivery in
            let payload = try? JSONDecoder().decode(JSONValue.self, from: delivery.payload)
            return payload?["conversation"]?["id"]?.string == started.id
        }
    }

    /// Creates a bot with one `conversation.started` hook pointing at `target`; returns (botID, hook).
    static func botWithHook(_ api: API, key: String, target: String) async throws -> (String, JSONValue) {
        let bot = try await api.createBot(key: key)["id"]!.string!
        let reply = try await api.post(
            "/api/v1/bots/\(bot)/hooks",
            key: key,
            json: #"{"type": "conversation.started", "targetUrl": \#(jsonString(target))}"#
        )
        #expect(reply.status == .created, "\(reply.text)")
        return (bot, try reply.json)
    }

    /// Creates a hook of `bot` from `json`, the POST's body; expects 201 and answers the hook.
    static func hook(_ api: API, key: String, bot: String, _ json: String) async throws -> JSONValue {
        let reply = try await api.post("/api/v1/bots/\(bot)/hooks", key: key, json: json)
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.json
    }

    /// Posts a hook of a new bot that must be refused: 422 naming `field` (or a field within it, `headers.X-A`).
    static func expectRefusedHook(_ api: API, _ app: TestApp, _ settings: String, field: String) async throws {
        let bot = try await api.createBot(key: app.ownerKey)["id"]!.string!
        let reply = try await api.post("/api/v1/bots/\(bot)/hooks", key: app.ownerKey, json: settings)
        #expect(reply.status == .unprocessableContent, "\(settings): \(reply.text)")
        #expect(try reply.json["error"]?["details"]?["field"]?.string?.hasPrefix(field) == true, "\(reply.text)")
    }

    static func deliveryPath(bot: String, hook: JSONValue, id: String = "") -> String {
        "/api/v1/bots/\(bot)/hooks/\(hook["id"]!.string!)/deliveries" + (id.isEmpty ? "" : "/\(id)")
    }

    /// Polls the API until `condition` holds for the JSON at `path`.
    static func eventually(
        _ api: API,
        _ path: String,
        key: String,
        timeout: Duration = .seconds(15),
        _ condition: (JSONValue) -> Bool
    ) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        var last = JSONValue.null
        while ContinuousClock.now < deadline {
            last = try await api.get(path, key: key).json
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition never held for \(path); last: \(last)")
        return last
    }

    static func search(
        _ api: API,
        _ app: TestApp,
        bot: String,
        _ question: String,
        mode: String? = nil,
        limit: Int = 5
    ) async throws -> [JSONValue] {
        let query = question.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let reply = try await api.get(
            "/api/v1/bots/\(bot)/search?q=\(query)&limit=\(limit)" + (mode.map { "&mode=\($0)" } ?? ""),
            key: app.ownerKey
        )
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.json["data"]?.array ?? []
    }

    /// The built executable, beside the test bundle.
    static var executable: URL {
        let beside = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        for folder in [beside, beside.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")] {
            let candidate = folder.appendingPathComponent("switchboard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/switchboard")
    }
}
