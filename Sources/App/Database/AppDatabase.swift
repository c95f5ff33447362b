import Foundation
import GRDB
import Logging
import Tokenizer

/// The only type that touches SQL: it owns the connection pool and the migrations, and each
/// public method is one transaction that keeps one invariant.
struct AppDatabase: Sendable {
    /// The one connection pool of the process. Only `AppDatabase`'s own extensions touch it.
    let pool: DatabasePool
    /// Fired after every commit that makes a delivery due, so the delivery worker needs no polling.
    let deliveriesWritten = WakeUpSignal()
    /// Fired after every commit that queues a sync.
    let syncsQueued = WakeUpSignal()

    /// Opens (creating if needed, folder included) the SQLite file at `path` and migrates it.
    init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        // Writers queue behind each other for up to 5 s instead of failing with SQLITE_BUSY.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL (DatabasePool's default) is durable across process crashes with NORMAL;
            // FULL would only add protection against power loss at a large cost per commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // No mmap_size: a mapped database file counts as the server's resident memory (85 MiB more while
            // draining 40,000 deliveries) and made no measurable difference to speed.
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// The schema, one named migration per change. Never edit a migration once it has landed.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: workspaces, keys, bots, agents") { db in
            try db.create(table: "workspace") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("monthlyStorageTokenLimit", .integer).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "apiKey") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.column("tokenHash", .text).notNull().unique()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "storageUsage") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.column("tokens", .integer).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(
                index: "storageUsage_on_workspaceId_createdAt",
                on: "storageUsage",
                columns: ["workspaceId", "createdAt"]
            )
            try db.create(table: "bot") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("humanTakeoverEnabled", .boolean).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(
                index: "bot_on_workspaceId_createdAt_id",
                on: "bot",
                columns: ["workspaceId", "createdAt", "id"]
            )
            try db.create(table: "agent") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("email", .text).notNull()
                t.column("tokenHash", .text).notNull().unique()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(
                index: "agent_on_workspaceId_createdAt_id",
                on: "agent",
                columns: ["workspaceId", "createdAt", "id"]
            )
        }
        migrator.registerMigration("v2: hooks") { db in
            try db.create(table: "hook") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.belongsTo("bot", onDelete: .cascade).notNull()
                t.column("type", .text).notNull()
                t.column("targetUrl", .text)
                t.column("dataSourceId", .text)
                t.column("secret", .text).notNull()
                t.column("enabled", .boolean).notNull()
                t.column("disabledReason", .text)
                t.column("lastError", .text)
                t.column("consecutiveFailures", .integer).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(index: "hook_on_botId_createdAt_id", on: "hook", columns: ["botId", "createdAt", "id"])
        }
        migrator.registerMigration("v3: deliveries and attempts") { db in
            try db.create(table: "delivery") { t in
                t.primaryKey("id", .text)
                t.belongsTo("hook", onDelete: .cascade).notNull()
                t.column("event", .text).notNull()
                t.column("payload", .blob).notNull()
                t.column("status", .text).notNull()
                t.column("attemptCount", .integer).notNull()
                t.column("nextAttemptAt", .integer).notNull()
                t.column("lastResponseCode", .integer)
                t.column("lastError", .text)
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(
                index: "delivery_on_hookId_createdAt_id",
                on: "delivery",
                columns: ["hookId", "createdAt", "id"]
            )
            // The worker's question, "what is due?", answered from the index alone.
            try db.create(
                index: "delivery_due",
                on: "delivery",
                columns: ["nextAttemptAt"],
                condition: Column("status") == "pending"
            )
            try db.create(table: "deliveryAttempt") { t in
                t.primaryKey("id", .text)
                t.belongsTo("delivery", onDelete: .cascade).notNull()
                t.column("number", .integer).notNull()
                t.column("attemptedAt", .integer).notNull()
                t.column("responseCode", .integer)
                t.column("latencyMs", .double).notNull()
                t.column("error", .text)
                t.column("responseBody", .text)
            }
        }
        migrator.registerMigration("v4: conversations and messages") { db in
            try db.create(table: "conversation") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.belongsTo("bot", onDelete: .cascade).notNull()
                t.column("state", .text).notNull()
                t.column("channelType", .text).notNull()
                t.column("initialMessage", .text)
                t.column("userEmail", .text)
                t.column("userData", .blob)
                t.column("claimedByAgentId", .text).references("agent", onDelete: .setNull)
                t.column("claimedByName", .text)
                t.column("claimedByEmail", .text)
                t.column("visitorTokenHash", .text).notNull().unique()
                t.column("escalatedAt", .integer)
                t.column("claimedAt", .integer)
                t.column("resolvedAt", .integer)
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(
                index: "conversation_on_workspaceId_state_createdAt",
                on: "conversation",
                columns: ["workspaceId", "state", "createdAt", "id"]
            )
            try db.create(table: "message") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("id", .text).notNull().unique()
                t.belongsTo("conversation", onDelete: .cascade).notNull()
                t.column("role", .text).notNull()
                t.column("text", .text).notNull()
                t.column("agentId", .text)
                t.column("agentName", .text)
                t.column("createdAt", .integer).notNull()
            }
            try db.create(index: "message_on_conversationId_seq", on: "message", columns: ["conversationId", "seq"])
        }
        migrator.registerMigration("v5: data sources and rows") { db in
            try db.create(table: "dataSource") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.belongsTo("bot", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("type", .text).notNull()
                t.column("chunkTokens", .integer).notNull()
                t.column("keyColumn", .text)
                t.column("contentColumns", .text)
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "dataSourceRow") { t in
                t.belongsTo("dataSource", onDelete: .cascade).notNull()
                t.column("key", .text).notNull()
                t.column("title", .text)
                t.column("content", .text)
                t.column("url", .text)
                t.column("updatedAt", .integer).notNull()
                t.primaryKey(["dataSourceId", "key"])
            }
        }
        migrator.registerMigration("v6: sync jobs, documents, row hashes") { db in
            try db.create(table: "syncJob") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.belongsTo("dataSource", onDelete: .cascade).notNull()
                t.column("status", .text).notNull()
                t.column("trigger", .text).notNull()
                t.column("modifiedRows", .integer)
                t.column("unmodifiedRows", .integer)
                t.column("totalDataSourceRows", .integer)
                t.column("totalTokens", .integer)
                t.column("totalDocuments", .integer)
                t.column("reason", .text)
                t.column("createdAt", .integer).notNull()
                t.column("startedAt", .integer)
                t.column("finishedAt", .integer)
            }
            try db.create(index: "syncJob_on_status_createdAt", on: "syncJob", columns: ["status", "createdAt"])
            try db.create(table: "document") { t in
                t.primaryKey("id", .text)
                t.belongsTo("dataSource", onDelete: .cascade).notNull()
                t.column("rowKey", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("text", .text).notNull()
                t.column("tokens", .integer).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(
                index: "document_on_dataSourceId_rowKey",
                on: "document",
                columns: ["dataSourceId", "rowKey"]
            )
            try db.create(table: "rowHash") { t in
                t.belongsTo("dataSource", onDelete: .cascade).notNull()
                t.column("rowKey", .text).notNull()
                t.column("contentHash", .text).notNull()
                t.primaryKey(["dataSourceId", "rowKey"])
            }
        }
        migrator.registerMigration("v7: token encoding per workspace") { db in
            try db.alter(table: "workspace") { t in
                t.add(column: "tokenEncoding", .text).notNull().defaults(to: Encoding.Name.cl100kBase.rawValue)
            }
        }
        migrator.registerMigration("v8: full-text search over documents, message sources") { db in
            try db.alter(table: "message") { t in t.add(column: "sources", .text) }
            // Kept in step with `document` by triggers, so every sync's transaction updates the index too.
            try db.create(virtualTable: "documentSearch", using: FTS5()) { t in
                t.synchronize(withTable: "document")
                t.tokenizer = .porter(wrapping: .unicode61())
                t.column("text")
            }
        }
        migrator.registerMigration("v9: the due index covers the claim scan") { db in
            // The claim scan passes over busy hooks' rows; with hookId and id in the index it never reads the table
            // to do so (a deep backlog made those reads the worker's largest cost).
            try db.drop(index: "delivery_due")
            try db.create(
                index: "delivery_due",
                on: "delivery",
                columns: ["nextAttemptAt", "hookId", "id"],
                condition: Column("status") == "pending"
            )
        }
        migrator.registerMigration("v10: named owner keys") { db in
            try db.alter(table: "apiKey") { t in t.add(column: "name", .text).notNull().defaults(to: "Default") }
            try db.create(
                index: "apiKey_on_workspaceId_createdAt",
                on: "apiKey",
                columns: ["workspaceId", "createdAt"]
            )
        }
        return migrator
    }

    /// Runs a trivial query: the database file is open and answering.
    func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}

// MARK: - Workspaces and credentials

extension AppDatabase {
    /// Creates a workspace with its first owner key; the key's plaintext exists only in the result.
    func createWorkspace(name: String) async throws -> (Workspace, Credential) {
        try await pool.write { db in try Self.insertWorkspace(name: name, db) }
    }

    /// On a first start, creates the workspace "Default" and returns its key; `nil` once any workspace exists.
    func createDefaultWorkspaceIfEmpty() async throws -> (Workspace, Credential)? {
        try await pool.write { db in
            guard try Workspace.fetchCount(db) == 0 else { return nil }
            return try Self.insertWorkspace(name: "Default", db)
        }
    }

    private static func insertWorkspace(name: String, _ db: Database) throws -> (Workspace, Credential) {
        let now = Timestamp.now()
        let workspace = Workspace(
            id: newID(),
            name: name,
            monthlyStorageTokenLimit: Workspace.defaultMonthlyStorageTokenLimit,
            createdAt: now,
            updatedAt: now
        )
        try workspace.insert(db)
        let key = Credential.generate(.ownerKey)
        try APIKey(id: newID(), workspaceId: workspace.id, name: "Default", tokenHash: key.hash, createdAt: now)
            .insert(db)
        return (workspace, key)
    }

    /// Resolves a presented owner key or agent token to its workspace and role.
    func caller(for credential: Credential) async throws -> Caller? {
        let hash = credential.hash
        switch credential.kind {
        case .ownerKey:
            return try await pool.read { db in
                try APIKey.filter(APIKey.Columns.tokenHash == hash).fetchOne(db)
                    .map { Caller(workspaceID: $0.workspaceId, role: .owner(keyID: $0.id)) }
            }
        case .agentToken:
            return try await pool.read { db in
                try Agent.filter(Agent.Columns.tokenHash == hash).fetchOne(db)
                    .map { Caller(workspaceID: $0.workspaceId, role: .agent(agentID: $0.id)) }
            }
        case .visitorToken:
            return nil
        }
    }

    func workspace(id: String) async throws -> WorkspaceUsage {
        try await pool.read { db in try Self.workspaceUsage(id: id, db) }
    }

    func updateWorkspace(
        id: String,
        name: String?,
        monthlyStorageTokenLimit: Int?,
        tokenEncoding: Encoding.Name?
    ) async throws -> WorkspaceUsage {
        try await pool.write { db in
            guard var workspace = try Workspace.fetchOne(db, key: id) else { throw AppError.notFound("Workspace") }
            if let name { workspace.name = name }
            if let monthlyStorageTokenLimit { workspace.monthlyStorageTokenLimit = monthlyStorageTokenLimit }
            if let tokenEncoding { workspace.tokenEncoding = tokenEncoding }
            workspace.updatedAt = .now()
            try workspace.update(db)
            return try Self.workspaceUsage(id: id, db)
        }
    }

    static func workspaceUsage(id: String, _ db: Database) throws -> WorkspaceUsage {
        guard let workspace = try Workspace.fetchOne(db, key: id) else { throw AppError.notFound("Workspace") }
        let used =
            try StorageUsage
            .filter(StorageUsage.Columns.workspaceId == id)
            .filter(StorageUsage.Columns.createdAt >= Timestamp.now().startOfMonthUTC)
            .select(sum(StorageUsage.Columns.tokens))
            .asRequest(of: Int.self)
            .fetchOne(db) ?? 0
        return WorkspaceUsage(workspace: workspace, storageTokensUsedThisMonth: used)
    }
}

// MARK: - Bots

extension AppDatabase {
    func createBot(workspaceID: String, name: String, humanTakeoverEnabled: Bool) async throws -> Bot {
        let now = Timestamp.now()
        let bot = Bot(
            id: newID(),
            workspaceId: workspaceID,
            name: name,
            humanTakeoverEnabled: humanTakeoverEnabled,
            createdAt: now,
            updatedAt: now
        )
        try await pool.write { db in try bot.insert(db) }
        return bot
    }

    func bots(workspaceID: String, page: PageRequest) async throws -> Page<Bot> {
        try await pool.read { db in
            try Self.page(Bot.filter(Bot.Columns.workspaceId == workspaceID), page, db)
        }
    }

    /// A bot of `workspaceID`, or of any workspace when nil (the public routes), or 404.
    func bot(id: String, workspaceID: String?) async throws -> Bot {
        try await pool.read { db in try Self.bot(id: id, workspaceID: workspaceID, db) }
    }

    func updateBot(id: String, workspaceID: String, name: String?, humanTakeoverEnabled: Bool?) async throws -> Bot {
        try await pool.write { db in
            var bot = try Self.bot(id: id, workspaceID: workspaceID, db)
            if let name { bot.name = name }
            if let humanTakeoverEnabled { bot.humanTakeoverEnabled = humanTakeoverEnabled }
            bot.updatedAt = .now()
            try bot.update(db)
            return bot
        }
    }

    func deleteBot(id: String, workspaceID: String) async throws {
        try await pool.write { db in
            let deleted = try Bot.filter(Bot.Columns.workspaceId == workspaceID && Bot.Columns.id == id).deleteAll(db)
            if deleted == 0 { throw AppError.notFound("Bot") }
        }
    }

    /// A bot of `workspaceID` (any workspace when nil, for the public routes), or 404.
    static func bot(id: String, workspaceID: String?, _ db: Database) throws -> Bot {
        let statement = try db.cachedStatement(
            sql: "SELECT * FROM bot WHERE id = ? AND (?2 IS NULL OR workspaceId = ?2)"
        )
        guard let bot = try Bot.fetchOne(statement, arguments: [id, workspaceID]) else {
            throw AppError.notFound("Bot")
        }
        return bot
    }
}

// MARK: - Agents

extension AppDatabase {
    /// Creates an agent; the token's plaintext exists only in the result.
    func createAgent(workspaceID: String, name: String, email: String) async throws -> (Agent, Credential) {
        let now = Timestamp.now()
        let token = Credential.generate(.agentToken)
        let agent = Agent(
            id: newID(),
            workspaceId: workspaceID,
            name: name,
            email: email,
            tokenHash: token.hash,
            createdAt: now,
            updatedAt: now
        )
        try await pool.write { db in try agent.insert(db) }
        return (agent, token)
    }

    func agents(workspaceID: String, page: PageRequest) async throws -> Page<Agent> {
        try await pool.read { db in
            try Self.page(Agent.filter(Agent.Columns.workspaceId == workspaceID), page, db)
        }
    }

    func agent(id: String, workspaceID: String) async throws -> Agent {
        try await pool.read { db in
            guard
                let agent = try Agent.filter(Agent.Columns.workspaceId == workspaceID && Agent.Columns.id == id)
                    .fetchOne(db)
            else { throw AppError.notFound("Agent") }
            return agent
        }
    }

    /// Deletes the agent, and with it the only copy of its token's hash: the token stops working at once.
    func deleteAgent(id: String, workspaceID: String) async throws {
        try await pool.write { db in
            let deleted = try Agent.filter(Agent.Columns.workspaceId == workspaceID && Agent.Columns.id == id)
                .deleteAll(db)
            if deleted == 0 { throw AppError.notFound("Agent") }
        }
    }
}

// MARK: - Pagination

/// A record listed in creation order, with its id as the tie-breaker.
protocol Listed: AppRecord {
    var id: String { get }
    var createdAt: Timestamp { get }
}

extension Bot: Listed {}
extension Agent: Listed {}

extension AppDatabase {
    /// One page of `request` in (createdAt, id) order, starting after the cursor's position.
    static func page<Record: Listed>(
        _ request: QueryInterfaceRequest<Record>,
        _ page: PageRequest,
        _ db: Database
    ) throws -> Page<Record> {
        let createdAt = Column("createdAt")
        let id = Column("id")
        var request = request
        if let after = page.after {
            request = request.filter(createdAt > after.createdAt || (createdAt == after.createdAt && id > after.id))
        }
        let rows = try request.order(createdAt, id).limit(page.limit + 1).fetchAll(db)
        let data = Array(rows.prefix(page.limit))
        let next =
            rows.count > page.limit ? data.last.map { PageRequest.Position(createdAt: $0.createdAt, id: $0.id) } : nil
        return Page(data: data, nextCursor: next?.cursor)
    }
}
