import Foundation
import GRDB
import Tokenizer

/// A tenant: every other record belongs to exactly one workspace.
struct Workspace: AppRecord {
    static let defaultMonthlyStorageTokenLimit = 1_000_000

    var id: String
    var name: String
    var monthlyStorageTokenLimit: Int
    /// The encoding storage tokens are counted with (DESIGN.md §7).
    var tokenEncoding: Encoding.Name = .cl100kBase
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

/// An owner key of a workspace, kept only as the SHA-256 of `sk_…`. A workspace holds up to `perWorkspace`
/// named keys, so one can be replaced without downtime; the first-start key is named "Default".
struct APIKey: AppRecord {
    static let databaseTableName = "apiKey"
    static let perWorkspace = 20

    var id: String
    var workspaceId: String
    var name: String
    var tokenHash: String
    var createdAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let tokenHash = Column(CodingKeys.tokenHash)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

/// One entry per successful sync: the storage tokens it consumed, summed per calendar month (UTC).
struct StorageUsage: AppRecord {
    var id: String
    var workspaceId: String
    /// Nil for entries recorded before usage named them.
    var botId: String?
    var dataSourceId: String?
    var tokens: Int
    var createdAt: Timestamp

    enum Columns {
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let tokens = Column(CodingKeys.tokens)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

extension StorageUsage {
    /// What a sync of `source` consumed at `now`.
    static func spent(_ tokens: Int, by source: DataSource, at now: Timestamp) -> StorageUsage {
        StorageUsage(
            id: newID(),
            workspaceId: source.workspaceId,
            botId: source.botId,
            dataSourceId: source.id,
            tokens: tokens,
            createdAt: now
        )
    }
}

extension Workspace {
    /// A new workspace on the default plan.
    static func named(_ name: String, at now: Timestamp) -> Workspace {
        Workspace(
            id: newID(),
            name: name,
            monthlyStorageTokenLimit: defaultMonthlyStorageTokenLimit,
            createdAt: now,
            updatedAt: now
        )
    }
}

extension Workspace {
    mutating func change(name: String?, monthlyStorageTokenLimit: Int?, tokenEncoding: Encoding.Name?) {
        if let name { self.name = name }
        if let monthlyStorageTokenLimit { self.monthlyStorageTokenLimit = monthlyStorageTokenLimit }
        if let tokenEncoding { self.tokenEncoding = tokenEncoding }
        updatedAt = .now()
    }
}

extension APIKey {
    static func new(workspaceID: String, name: String, credential: Credential) -> APIKey {
        APIKey(id: newID(), workspaceId: workspaceID, name: name, tokenHash: credential.hash, createdAt: .now())
    }

    /// 409 when a workspace holding `count` keys is full.
    static func checkRoomForAnother(_ count: Int) throws(AppError) {
        guard count < perWorkspace else {
            throw AppError(
                .conflict,
                code: .keyLimit,
                message: "A workspace holds at most \(perWorkspace) keys: delete one first."
            )
        }
    }

    /// 409 for a workspace's last key, which would lock its owner out.
    static func checkNotLast(_ count: Int) throws(AppError) {
        guard count > 1 else {
            throw AppError(
                .conflict,
                code: .lastKey,
                message: "This is the workspace's last key: create another before deleting it."
            )
        }
    }
}
