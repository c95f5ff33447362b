import Foundation
import Hummingbird
import Testing

@testable import App

/// `switchboard copy-data` moves a SQLite installation into PostgreSQL: every table, in one transaction, and the
/// service carries on from the copy as if nothing happened.
@Suite(.enabled(if: TestStore.isPostgres, "copies into PostgreSQL"))
struct CopyDataTests {
    @Test func everyTableIsCopiedAndTheAPIAnswersTheSameFromTheCopy() async throws {
        // Given an installation on SQLite with something in every table
        let sqlite = try await TestApp(onSQLite: true) {
            $0.allowPrivateTargets = true
            $0.retrySchedule = [3600]
        }
        let paths = try await sqlite.run { api in try await Self.fill(api, sqlite) }
        let before = try await sqlite.run { api in try await Self.answers(api, sqlite, paths) }
        // When it is copied into an empty PostgreSQL database
        let (target, role) = try await TestStore.open(sqlitePath: "")
        let (status, output) = try await Self.copyData(
            from: sqlite.databasePath,
            to: try TestStore.url(role: try #require(role))
        )
        // Then every table was copied, with its count
        #expect(status == 0, "\(output)")
        for table in PostgresStore.copiedTables {
            #expect(output.contains("\(table): "), "\(table) missing from \(output)")
        }
        #expect(!output.contains(": 0 rows"), "every table had rows: \(output)")
        // And the API answers from PostgreSQL exactly as it did from SQLite: the same keys work, the same rows
        let moved = sqlite.moved(to: target, role: role)
        let after = try await moved.run { api in try await Self.answers(api, moved, paths) }
        for path in paths.get { #expect(after[path] == before[path], "\(path)") }
        // And the copy carries on: a new message follows the copied ones
        try await moved.run { api in
            let conversation = try #require(paths.conversation)
            let reply = try await api.post(
                "/api/v1/conversations/\(conversation)/messages",
                key: paths.agent,
                json: #"{"text": "After the move."}"#
            )
            #expect(reply.status == .created, "\(reply.text)")
            let messages = try await api.get("/api/v1/conversations/\(conversation)/messages", key: moved.ownerKey)
            #expect(try messages.json["data"]?.array?.last?["text"]?.string == "After the move.")
        }
    }

    @Test func aTargetThatHoldsDataIsRefusedAndKeepsItsRows() async throws {
        let sqlite = try await TestApp(onSQLite: true)
        // Given a PostgreSQL database that already holds an installation
        let target = try await TestApp()
        let role = try #require(target.postgresRole)
        let workspaces = try await target.count("SELECT COUNT(*) FROM workspace")
        // When a SQLite installation is copied into it
        let (status, output) = try await Self.copyData(from: sqlite.databasePath, to: try TestStore.url(role: role))
        // Then the copy is refused, saying why, and the target is as it was
        #expect(status != 0)
        #expect(output.contains("already holds data"), "\(output)")
        #expect(try await target.count("SELECT COUNT(*) FROM workspace") == workspaces)
    }

    // MARK: Helpers

    /// What the fill made, to read back.
    struct Paths: Sendable {
        var get: [String] = []
        var conversation: String?
        var agent = ""
    }

    /// A bot with human takeover, an agent, a second key, a synced text source (documents, usage, history, row
    /// hashes), a hook with a failed attempt queued again, and a conversation claimed and answered.
    private static func fill(_ api: API, _ app: TestApp) async throws -> Paths {
        var paths = Paths()
        _ = try await api.post("/api/v1/workspace/keys", key: app.ownerKey, json: #"{"name": "Second"}"#)
        let source = try await Fixtures.textSource(api, app)
        try await Fixtures.putRows(api, app, source, [("returns", "Returns are free within 30 days.")])
        _ = try await Fixtures.sync(api, app, source)
        _ = try await api.patch(
            "/api/v1/bots/\(source.bot)",
            key: app.ownerKey,
            json: #"{"humanTakeoverEnabled": true}"#
        )
        paths.agent = try await api.createAgent(key: app.ownerKey)["token"]!.string!
        let hook = try await api.post(
            "/api/v1/bots/\(source.bot)/hooks",
            key: app.ownerKey,
            json: #"{"type": "conversation.started", "targetUrl": "http://127.0.0.1:1/hook"}"#
        ).json
        let conversation = try await api.startConversation(
            bot: source.bot,
            body: #"{"channelType": "web", "initialMessage": "Can I return shoes?"}"#
        )
        let id = conversation["id"]!.string!
        _ = try await api.escalate(conversation)
        _ = try await api.act("claim", on: conversation, key: paths.agent)
        _ = try await api.post("/api/v1/conversations/\(id)/messages", key: paths.agent, json: #"{"text": "Yes."}"#)
        let deliveries = Fixtures.deliveryPath(bot: source.bot, hook: hook)
        _ = try await Fixtures.eventually(api, deliveries, key: app.ownerKey) {
            $0["data"]?.array?.first?["attemptCount"]?.int == 1
        }
        paths.conversation = id
        paths.get = [
            "/api/v1/workspace", "/api/v1/workspace/keys", "/api/v1/bots", "/api/v1/agents",
            "/api/v1/conversations", "/api/v1/conversations/\(id)", "/api/v1/conversations/\(id)/messages",
            "/api/v1/bots/\(source.bot)/hooks", deliveries, "\(source.base)", "\(source.base)/rows",
            "\(source.base)/documents", "\(source.base)/syncs", "/api/v1/bots/\(source.bot)/search?q=return%20shoes",
        ]
        return paths
    }

    private static func answers(_ api: API, _ app: TestApp, _ paths: Paths) async throws -> [String: JSONValue] {
        var answers: [String: JSONValue] = [:]
        for path in paths.get {
            let reply = try await api.get(path, key: app.ownerKey)
            #expect(reply.status == .ok, "\(path): \(reply.text)")
            // Each store ranks by its own full-text search: what is found must agree, not the scores.
            answers[path] =
                path.contains("/search")
                ? .array(try reply.json["data"]?.array?.compactMap { $0["documentId"] } ?? []) : try reply.json
        }
        return answers
    }

    private static func copyData(from path: String, to url: String) async throws -> (status: Int32, output: String) {
        do {
            return (0, try await PostgresCluster.run(Fixtures.executable, ["copy-data", "--from", path, "--to", url]))
        } catch let failed as PostgresCluster.CommandFailed {
            return (1, failed.log)
        }
    }
}
