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
    var tokens: Int
    var createdAt: Timestamp

    enum Columns {
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let tokens = Column(CodingKeys.tokens)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}
