import Foundation
import GRDB
import Tokenizer

// MARK: Workspaces and credentials

extension SQLiteStore {
    func createWorkspace(name: String) async throws -> (Workspace, Credential) {
        try await pool.write { db in try Self.insertWorkspace(name: name, db) }
    }

    func createDefaultWorkspaceIfEmpty() async throws -> (Workspace, Credential)? {
        try await pool.write { db in
            guard try Workspace.fetchCount(db) == 0 else { return nil }
            return try Self.insertWorkspace(name: "Default", db)
        }
    }

    private static func insertWorkspace(name: String, _ db: Database) throws -> (Workspace, Credential) {
        let workspace = Workspace.named(name, at: .now())
        try workspace.insert(db)
        let key = Credential.generate(.ownerKey)
        try APIKey.new(workspaceID: workspace.id, name: "Default", credential: key).insert(db)
        return (workspace, key)
    }

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
            workspace.change(
                name: name,
                monthlyStorageTokenLimit: monthlyStorageTokenLimit,
                tokenEncoding: tokenEncoding
            )
            try workspace.update(db)
            return try Self.workspaceUsage(id: id, db)
        }
    }

    func storageUsage(workspaceID: String, from start: Timestamp, until end: Timestamp) async throws -> [UsageEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT u.botId, b.name, u.dataSourceId, d.name, (u.createdAt - :start) / 86400000 AS day, SUM(u.tokens)
                    FROM storageUsage u LEFT JOIN bot b ON b.id = u.botId LEFT JOIN dataSource d ON d.id = u.dataSourceId
                    WHERE u.workspaceId = :workspace AND u.createdAt >= :start AND u.createdAt < :end
                    GROUP BY u.botId, b.name, u.dataSourceId, d.name, day
                    """,
                arguments: ["start": start, "workspace": workspaceID, "end": end]
            )
            .map {
                UsageEntry(
                    botId: $0[0],
                    botName: $0[1],
                    dataSourceId: $0[2],
                    dataSourceName: $0[3],
                    day: $0[4],
                    tokens: $0[5]
                )
            }
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
