import PostgresNIO
import Tokenizer

extension PostgresStore {
    func createWorkspace(name: String) async throws -> (Workspace, Credential) {
        try await write { connection in try await Self.insertWorkspace(name: name, connection) }
    }

    /// Instances started together on an empty database race to create it: an advisory lock lets one in at a time.
    func createDefaultWorkspaceIfEmpty() async throws -> (Workspace, Credential)? {
        try await write { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            guard try await connection.value(Int.self, "SELECT COUNT(*) FROM workspace") == 0 else { return nil }
            return try await Self.insertWorkspace(name: "Default", connection)
        }
    }

    private static func insertWorkspace(
        name: String,
        _ connection: PostgresConnection
    ) async throws -> (
        Workspace, Credential
    ) {
        let now = Timestamp.now()
        let workspace = Workspace.named(name, at: now)
        try await connection.insert(workspace)
        let key = Credential.generate(.ownerKey)
        try await connection.insert(APIKey.new(workspaceID: workspace.id, name: "Default", credential: key))
        return (workspace, key)
    }

    func caller(for credential: Credential) async throws -> Caller? {
        let hash = credential.hash
        switch credential.kind {
        case .ownerKey:
            return try await read { connection in
                try await connection.one(APIKey.self, "SELECT * FROM apiKey WHERE tokenHash = \(hash)")
                    .map { Caller(workspaceID: $0.workspaceId, role: .owner(keyID: $0.id)) }
            }
        case .agentToken:
            return try await read { connection in
                try await connection.one(Agent.self, "SELECT * FROM agent WHERE tokenHash = \(hash)")
                    .map { Caller(workspaceID: $0.workspaceId, role: .agent(agentID: $0.id)) }
            }
        case .visitorToken:
            return nil
        }
    }

    func workspace(id: String) async throws -> WorkspaceUsage {
        try await read { connection in try await Self.workspaceUsage(id: id, connection) }
    }

    func updateWorkspace(
        id: String,
        name: String?,
        monthlyStorageTokenLimit: Int?,
        tokenEncoding: Encoding.Name?
    ) async throws -> WorkspaceUsage {
        try await write { connection in
            guard var workspace = try await connection.one(Workspace.self, "SELECT * FROM workspace WHERE id = \(id)")
            else { throw AppError.notFound("Workspace") }
            workspace.change(
                name: name,
                monthlyStorageTokenLimit: monthlyStorageTokenLimit,
                tokenEncoding: tokenEncoding
            )
            try await connection.update(workspace)
            return try await Self.workspaceUsage(id: id, connection)
        }
    }

    /// The workspace and its month's usage; `lock` holds the workspace row until the transaction ends, so two
    /// syncs of one workspace on different instances check the plan limit one after the other.
    static func workspaceUsage(
        id: String,
        lock: Bool = false,
        _ connection: PostgresConnection
    ) async throws
        -> WorkspaceUsage
    {
        let query: PostgresQuery =
            lock
            ? "SELECT * FROM workspace WHERE id = \(id) FOR NO KEY UPDATE" : "SELECT * FROM workspace WHERE id = \(id)"
        guard let workspace = try await connection.one(Workspace.self, query) else {
            throw AppError.notFound("Workspace")
        }
        let used = try await connection.value(
            Int.self,
            """
            SELECT COALESCE(SUM(tokens), 0)::bigint FROM storageUsage
            WHERE workspaceId = \(id) AND createdAt >= \(Timestamp.now().startOfMonthUTC)
            """
        )
        return WorkspaceUsage(workspace: workspace, storageTokensUsedThisMonth: used ?? 0)
    }
}

extension PostgresStore {
    func storageUsage(workspaceID: String, from start: Timestamp, until end: Timestamp) async throws -> [UsageEntry] {
        try await read { connection in
            var entries: [UsageEntry] = []
            let rows = try await connection.query(
                """
                SELECT u.botId, b.name, u.dataSourceId, d.name, (u.createdAt - \(start)) / 86400000 AS day, SUM(u.tokens)::bigint
                FROM storageUsage u LEFT JOIN bot b ON b.id = u.botId LEFT JOIN dataSource d ON d.id = u.dataSourceId
                WHERE u.workspaceId = \(workspaceID) AND u.createdAt >= \(start) AND u.createdAt < \(end)
                GROUP BY u.botId, b.name, u.dataSourceId, d.name, day
                """,
                logger: PostgresConnection.quiet
            )
            for try await (botID, botName, sourceID, sourceName, day, tokens) in rows.decode(
                (String?, String?, String?, String?, Int, Int).self
            ) {
                entries.append(
                    UsageEntry(
                        botId: botID,
                        botName: botName,
                        dataSourceId: sourceID,
                        dataSourceName: sourceName,
                        day: day,
                        tokens: tokens
                    )
                )
            }
            return entries
        }
    }
}

extension PostgresStore {
    func ownerKeys(workspaceID: String) async throws -> [APIKey] {
        try await read { connection in
            try await connection.all(
                APIKey.self,
                "SELECT * FROM apiKey WHERE workspaceId = \(workspaceID) ORDER BY createdAt, id"
            )
        }
    }

    /// The workspace row is locked first, so two instances cannot both add the last key allowed.
    func createOwnerKey(workspaceID: String, name: String) async throws -> (APIKey, Credential) {
        try await write { connection in
            try await connection.run("SELECT id FROM workspace WHERE id = \(workspaceID) FOR NO KEY UPDATE")
            let count = try await connection.value(
                Int.self,
                "SELECT COUNT(*) FROM apiKey WHERE workspaceId = \(workspaceID)"
            )
            try APIKey.checkRoomForAnother(count ?? 0)
            let credential = Credential.generate(.ownerKey)
            let key = APIKey.new(workspaceID: workspaceID, name: name, credential: credential)
            try await connection.insert(key)
            return (key, credential)
        }
    }

    func rotateOwnerKey(id: String, workspaceID: String) async throws -> (APIKey, Credential) {
        try await write { connection in
            guard var key = try await Self.ownerKey(id: id, workspaceID: workspaceID, connection) else {
                throw AppError.notFound("Key")
            }
            let credential = Credential.generate(.ownerKey)
            key.tokenHash = credential.hash
            try await connection.update(key)
            return (key, credential)
        }
    }

    func deleteOwnerKey(id: String, workspaceID: String) async throws {
        try await write { connection in
            try await connection.run("SELECT id FROM workspace WHERE id = \(workspaceID) FOR NO KEY UPDATE")
            guard try await Self.ownerKey(id: id, workspaceID: workspaceID, connection) != nil else {
                throw AppError.notFound("Key")
            }
            let count = try await connection.value(
                Int.self,
                "SELECT COUNT(*) FROM apiKey WHERE workspaceId = \(workspaceID)"
            )
            try APIKey.checkNotLast(count ?? 0)
            try await connection.run("DELETE FROM apiKey WHERE id = \(id)")
        }
    }

    private static func ownerKey(
        id: String,
        workspaceID: String,
        _ connection: PostgresConnection
    ) async throws
        -> APIKey?
    {
        try await connection.one(APIKey.self, "SELECT * FROM apiKey WHERE id = \(id) AND workspaceId = \(workspaceID)")
    }
}

extension PostgresStore {
    func createBot(
        workspaceID: String,
        name: String,
        humanTakeoverEnabled: Bool,
        handoff: HandoffSettings
    ) async throws -> Bot {
        let bot = Bot.new(
            workspaceID: workspaceID,
            name: name,
            humanTakeoverEnabled: humanTakeoverEnabled,
            handoff: handoff
        )
        try await write { connection in try await connection.insert(bot) }
        return bot
    }

    func bots(workspaceID: String, page: PageRequest) async throws -> Page<Bot> {
        try await read { connection in
            try await Self.page(Bot.self, from: "bot", where: "workspaceId = \(workspaceID)", page, connection)
        }
    }

    func bot(id: String, workspaceID: String?) async throws -> Bot {
        try await read { connection in try await Self.bot(id: id, workspaceID: workspaceID, connection) }
    }

    func updateBot(id: String, workspaceID: String, _ changes: BotChanges) async throws -> Bot {
        try await write { connection in
            var bot = try await Self.bot(id: id, workspaceID: workspaceID, lock: true, connection)
            bot.change(changes)
            try await connection.update(bot)
            return bot
        }
    }

    func deleteBot(id: String, workspaceID: String) async throws {
        try await write { connection in
            let deleted = try await connection.run("DELETE FROM bot WHERE id = \(id) AND workspaceId = \(workspaceID)")
            if deleted == 0 { throw AppError.notFound("Bot") }
        }
    }

    /// A bot of `workspaceID` (any workspace when nil, for the public routes), or 404.
    static func bot(
        id: String,
        workspaceID: String?,
        lock: Bool = false,
        _ connection: PostgresConnection
    )
        async throws -> Bot
    {
        let found: Bot?
        if lock {
            found = try await connection.one(
                Bot.self,
                """
                SELECT * FROM bot WHERE id = \(id) AND (\(workspaceID)::text IS NULL OR workspaceId = \(workspaceID))
                FOR NO KEY UPDATE
                """
            )
        } else {
            found = try await connection.first(BotStatement(id: id, workspaceID: workspaceID))
        }
        guard let bot = found else { throw AppError.notFound("Bot") }
        return bot
    }
}

/// A bot by id, prepared: every conversation's request reads its bot.
private struct BotStatement: PostgresPreparedStatement {
    static let sql = "SELECT * FROM bot WHERE id = $1 AND ($2::text IS NULL OR workspaceId = $2)"
    typealias Row = Bot

    let id: String
    let workspaceID: String?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(id)
        bindings.append(workspaceID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.makeRandomAccess().decode(Bot.self) }
}

extension PostgresStore {
    func createAgent(workspaceID: String, name: String, email: String) async throws -> (Agent, Credential) {
        let token = Credential.generate(.agentToken)
        let agent = Agent.new(workspaceID: workspaceID, name: name, email: email, token: token)
        try await write { connection in try await connection.insert(agent) }
        return (agent, token)
    }

    func agents(workspaceID: String, page: PageRequest) async throws -> Page<Agent> {
        try await read { connection in
            try await Self.page(Agent.self, from: "agent", where: "workspaceId = \(workspaceID)", page, connection)
        }
    }

    func agent(id: String, workspaceID: String) async throws -> Agent {
        try await read { connection in
            guard
                let agent = try await connection.one(
                    Agent.self,
                    "SELECT * FROM agent WHERE id = \(id) AND workspaceId = \(workspaceID)"
                )
            else { throw AppError.notFound("Agent") }
            return agent
        }
    }

    func deleteAgent(id: String, workspaceID: String) async throws {
        try await write { connection in
            let deleted = try await connection.run(
                "DELETE FROM agent WHERE id = \(id) AND workspaceId = \(workspaceID)"
            )
            if deleted == 0 { throw AppError.notFound("Agent") }
        }
    }
}
